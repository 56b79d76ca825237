/**
 * `amount × num / den`, rounded half-even to `places` decimals: the one division the inventory
 * needs (a seat's share of a plan's run-rate, GPU dollars per million tokens). Decimal itself only
 * divides by powers of ten; doing it here in bigints keeps the result reproducible to the digit.
 */
import { Decimal } from '../pricing/decimal.js';

export function ratio(amount: Decimal, num: bigint, den: bigint, places: number): Decimal {
  if (den <= 0n) throw new RangeError('ratio: the denominator must be positive');
  // value = coef × num × 10^places / (10^scale × den), as an integer of `places` decimals.
  const n = amount.coef * num * 10n ** BigInt(places);
  const d = den * 10n ** BigInt(amount.scale);
  let q = n / d;
  const r = n % d;
  const twice = (r < 0n ? -r : r) * 2n;
  if (twice > d || (twice === d && q % 2n !== 0n)) q += n < 0n ? -1n : 1n;
  return Decimal.fromBigInt(q, places);
}
