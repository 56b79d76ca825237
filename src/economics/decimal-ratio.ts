/**
 * Exact division for unit economics (cost per outcome, success rates, margins). Decimal itself
 * only divides by powers of ten, because a quotient such as 1/3 has no finite decimal form; here
 * the quotient is computed with bigints and rounded once, half to even, to a stated number of
 * places. Money ratios keep 18 places (the stores' DECIMAL(38,18) scale), rates 6.
 */
import { Decimal } from '../pricing/decimal.js';

export const MONEY_PLACES = 18;
export const RATE_PLACES = 6;

/** a / b rounded half-even to `places` fraction digits; null when b is zero (no ratio exists). */
export function ratio(a: Decimal, b: Decimal, places: number): Decimal | null {
  if (b.isZero()) return null;
  // a/b = (a.coef * 10^b.scale) / (b.coef * 10^a.scale); scaled by 10^places before dividing.
  let num = a.coef * 10n ** BigInt(b.scale + places);
  let den = b.coef * 10n ** BigInt(a.scale);
  if (den < 0n) {
    num = -num;
    den = -den;
  }
  const negative = num < 0n;
  const abs = negative ? -num : num;
  let q = abs / den;
  const twiceRem = (abs % den) * 2n;
  if (twiceRem > den || (twiceRem === den && q % 2n === 1n)) q += 1n;
  return Decimal.fromBigInt(negative ? -q : q, places);
}

/** ratio(...) as the API's decimal string, or null. */
export function ratioText(a: Decimal, b: Decimal, places: number): string | null {
  return ratio(a, b, places)?.toString() ?? null;
}
