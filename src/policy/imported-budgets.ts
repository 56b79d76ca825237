/**
 * Budgets scoped on a vendor or a category (`vendor=Cursor`, `category=coding_assistant`): their
 * spend is imported (card and expense lines, billed lines, seat run-rates where the inventory has
 * them), never seen by the gateway, so they hold no counters and refuse nothing. Their spent
 * figure is read from the store per period; their thresholds alert through the same listeners as
 * gateway budgets, each budget, period and threshold once (claimed in the store, so a re-import,
 * a restart or another replica never announces it again).
 *
 * The spend is counted by calendar day (card lines carry a date, not an instant): a period covers
 * the days from its start to its end on the budget's own calendar.
 */
import { formatAmount, type BudgetStatus } from './budget-status.js';
import { periodWindow, type PeriodWindow } from './budget-period.js';
import { toPico } from './money-units.js';
import type { PolicyRepository } from './policy-repository.js';
import type { BudgetSpec, Scope } from './policy-schemas.js';

/** Days `[from, to)` as `YYYY-MM-DD`; `from` null for period=total, `to` null for no end. */
export interface ImportedSpendDays {
  from: string | null;
  to: string | null;
}

/** Imported spend (exact USD decimal string) in a vendor / category / team scope over some days. */
export type ImportedSpendMeter = (scope: Scope, days: ImportedSpendDays) => Promise<string>;

/** A threshold first crossed by imported spend (the same fields as a gateway budget's threshold event). */
export interface ImportedThreshold {
  budget: BudgetSpec;
  window: PeriodWindow;
  threshold: number;
  spent: bigint;
  limit: bigint;
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** The calendar day of an instant in a zone, `YYYY-MM-DD`. */
function localDay(ms: number, tz: string): string {
  let f = dayFormats.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(tz, f);
  }
  return f.format(ms);
}

export function periodDays(b: BudgetSpec, w: PeriodWindow): ImportedSpendDays {
  return { from: w.start > 0 ? localDay(w.start, b.timezone) : null, to: w.end === Infinity ? null : localDay(w.end, b.timezone) };
}

const scaled = (limit: bigint, fraction: number): bigint => (limit * BigInt(Math.round(fraction * 1_000_000))) / 1_000_000n;

export class ImportedBudgets {
  constructor(
    private readonly meter: ImportedSpendMeter | undefined,
    private readonly repo: PolicyRepository,
  ) {}

  /** Spent (pico-USD) in the budget's current period; 0 without a meter (no inventory wired). */
  private async spent(b: BudgetSpec, w: PeriodWindow): Promise<bigint> {
    return this.meter ? toPico(await this.meter(b.scope, periodDays(b, w))) : 0n;
  }

  async statuses(budgets: readonly BudgetSpec[], now: number): Promise<BudgetStatus[]> {
    const out: BudgetStatus[] = [];
    for (const b of budgets) {
      const w = periodWindow(b, now);
      const limit = toPico(b.limit_usd ?? '0');
      const spent = await this.spent(b, w);
      out.push({
        ...b,
        unit: 'usd',
        period_start: w.start > 0 ? new Date(w.start).toISOString() : null,
        resets_at: w.end === Infinity ? null : new Date(w.end).toISOString(),
        spent: formatAmount('usd', spent),
        reserved: '0',
        remaining: formatAmount('usd', limit > spent ? limit - spent : 0n),
        used_fraction: limit > 0n ? Number((spent * 1_000_000n) / limit) / 1_000_000 : 0,
        thresholds_crossed: [...b.thresholds].sort((x, y) => x - y).filter((t) => spent >= scaled(limit, t) && scaled(limit, t) > 0n),
      });
    }
    return out;
  }

  /**
   * Claims every threshold the current period's spend has reached and returns, per budget, the
   * highest one newly claimed: an import that jumps from 40% to 110% is one alert (at 100%), not
   * three — the lower thresholds are claimed silently.
   */
  async evaluate(budgets: readonly BudgetSpec[], now: number): Promise<ImportedThreshold[]> {
    const out: ImportedThreshold[] = [];
    for (const b of budgets) {
      const w = periodWindow(b, now);
      const limit = toPico(b.limit_usd ?? '0');
      const spent = await this.spent(b, w);
      let highest: number | null = null;
      for (const t of [...new Set(b.thresholds)].sort((x, y) => x - y)) {
        const amount = scaled(limit, t);
        if (amount === 0n || spent < amount) break;
        if (await this.repo.claimThreshold(`imported:${b.id}:${w.start}:${t}`, now)) highest = t;
      }
      if (highest !== null) out.push({ budget: b, window: w, threshold: highest, spent, limit });
    }
    return out;
  }
}
