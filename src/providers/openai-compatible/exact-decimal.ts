/**
 * Provider-reported costs as exact decimal strings (money never passes through floats).
 * Thin adapters over the shared Decimal type for the two shapes providers use.
 */
import { Decimal } from '../../pricing/decimal.js';

/** The decimal a JSON number was written as (String(n) round-trips to what the provider printed). */
export function decimalFromJsonNumber(n: number): string | undefined {
  return Number.isFinite(n) ? Decimal.parse(n).toString() : undefined;
}

/** xAI: 1 USD = 10^10 ticks (docs.x.ai cost tracking). */
const TICKS_PER_USD_DIGITS = 10;

/**
 * xAI `cost_in_usd_ticks` as USD. Accepts a non-negative integer JSON number or digit string;
 * anything else yields undefined (the cost is informational, so a strange value is dropped
 * rather than failing the whole usage record; `raw` still carries it).
 */
export function usdFromTicks(ticks: unknown): string | undefined {
  let coef: bigint | undefined;
  if (typeof ticks === 'number' && Number.isSafeInteger(ticks) && ticks >= 0) coef = BigInt(ticks);
  else if (typeof ticks === 'string' && /^\d+$/.test(ticks)) coef = BigInt(ticks);
  return coef === undefined ? undefined : Decimal.fromBigInt(coef, TICKS_PER_USD_DIGITS).toString();
}

/** OpenRouter `usage.cost`: a non-negative JSON number in USD. */
export function usdFromJsonNumber(v: unknown): string | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? decimalFromJsonNumber(v) : undefined;
}
