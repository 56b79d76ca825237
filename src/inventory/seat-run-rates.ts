/**
 * Seat plans in the one total: a spend source billed by seat with a run-rate (purchased seats × price
 * per seat per month) costs that run-rate every calendar month, prorated over the part of each month
 * a window covers (by the millisecond, rounded to the micro-dollar per month; a whole month is the
 * run-rate exactly). Card or expense lines matched to the same source — same vendor, product and
 * channel — are that plan's payments (monthly, annual or late), so they are not added on top.
 */
import { Decimal } from '../pricing/decimal.js';
import type { SpendSource } from '../store/spend-source.js';
import { ratio } from './money-ratio.js';

/** Sources whose run-rate counts: billed by seat, with a run-rate set. */
export function seatPlans(sources: readonly SpendSource[]): SpendSource[] {
  return sources.filter((s) => s.billing_model === 'seat' && s.run_rate_usd !== null);
}

/** `monthly` prorated over `[from, to)` calendar month by calendar month (UTC). */
export function prorateMonthly(monthly: Decimal, from: number, to: number): Decimal {
  let total = Decimal.ZERO;
  const start = new Date(from);
  let y = start.getUTCFullYear();
  let m = start.getUTCMonth();
  for (;;) {
    const monthStart = Date.UTC(y, m, 1);
    const monthEnd = Date.UTC(y, m + 1, 1);
    if (monthStart >= to) break;
    const overlap = Math.min(to, monthEnd) - Math.max(from, monthStart);
    if (overlap > 0) total = total.add(overlap === monthEnd - monthStart ? monthly : ratio(monthly, BigInt(overlap), BigInt(monthEnd - monthStart), 6));
    m++;
    if (m === 12) {
      m = 0;
      y++;
    }
  }
  return total;
}
