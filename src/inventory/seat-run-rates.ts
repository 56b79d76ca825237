/**
 * Seat plans in the one total: a spend source billed by seat with a run-rate (purchased seats × price
 * per seat per month) costs that run-rate every calendar month, prorated over the part of each month
 * a window covers (by the millisecond, rounded to the micro-dollar per month; a whole month is the
 * run-rate exactly). The plan's own card / expense charges (planChargeTest) are its payments —
 * monthly, annual or late — so they are not added on top, nor reported as personal duplicates.
 */
import { Decimal } from '../pricing/decimal.js';
import type { SpendSource } from '../store/spend-source.js';
import { ratio } from './money-ratio.js';
import { spendSourceId } from './spend-source-id.js';

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

/** What a card / expense line needs to be recognised as a seat plan's own charge. */
export interface ChargeLine {
  vendor: string;
  product: string;
  category: string;
  channel: string;
  employee: string | null;
}

/**
 * A line is a seat plan's own charge when it is matched to the plan's source itself (same vendor,
 * product and channel), or paid by the plan's owner (`owner_person`, who holds the card the plan is
 * billed to) to the plan's vendor in the plan's category.
 */
export function planChargeTest(plans: readonly SpendSource[]): (l: ChargeLine) => boolean {
  const ids = new Set(plans.map((s) => s.source_id));
  const owned = new Set(plans.filter((s) => s.owner_person !== null).map((s) => `${s.owner_person!.toLowerCase()}\u0000${s.vendor}\u0000${s.category}`));
  return (l) => ids.has(spendSourceId(l.vendor, l.product, l.channel)) || (l.employee !== null && owned.has(`${l.employee.toLowerCase()}\u0000${l.vendor}\u0000${l.category}`));
}
