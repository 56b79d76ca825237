/**
 * Counters hold integers: tokens, or USD in pico-dollars (1e-12 USD). Integers because both
 * counter backends must add and compare exactly and atomically (Redis INCRBY is exact int64),
 * and 1e-12 because catalog rates (USD per million tokens, at most 6 decimals) give a whole
 * number of pico-dollars per token. A cost with more than 12 decimals (a negotiated discount of a
 * sub-pico rate) is rounded UP, so counters never under-count spend.
 */
import { Decimal } from '../pricing/decimal.js';

const PICO_SCALE = 12;

export function toPico(v: Decimal | string): bigint {
  const d = typeof v === 'string' ? Decimal.parse(v) : v;
  if (d.scale <= PICO_SCALE) return d.coef * 10n ** BigInt(PICO_SCALE - d.scale);
  const div = 10n ** BigInt(d.scale - PICO_SCALE);
  const q = d.coef / div;
  return d.coef % div > 0n ? q + 1n : q;
}

export function picoToUsd(p: bigint): string {
  return Decimal.fromBigInt(p, PICO_SCALE).toString();
}

/** Pico-dollars per token for a rate in USD per million tokens (rounded up). */
export function picoPerToken(ratePerMTok: Decimal): bigint {
  return toPico(ratePerMTok.shift(6));
}
