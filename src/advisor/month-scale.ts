/**
 * Scales a period's exact savings to a 30-day month. The only division in the advisor: done with
 * bigints and rounded once, half to even, at the stores' 18 decimal places (economics/decimal-ratio).
 */
import { MONEY_PLACES, ratio } from '../economics/decimal-ratio.js';
import { Decimal } from '../pricing/decimal.js';

export const MONTH_MS = 30 * 86_400_000;

export function perMonth(amount: Decimal, periodMs: number): Decimal {
  if (periodMs === MONTH_MS) return amount;
  return ratio(amount.mulInt(MONTH_MS), Decimal.fromInt(periodMs), MONEY_PLACES) ?? Decimal.ZERO;
}
