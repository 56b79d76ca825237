/**
 * Cost-per-outcome drift: a feature whose cost per SUCCESSFUL outcome rose against its own recent
 * past, even when its total spend is flat (calls got cheaper but the success rate fell, or an agent
 * started looping). Spend alerts cannot see this; only outcomes can.
 *
 * Per feature, the current window is compared with the baseline window just before it. A feature
 * drifts when both windows have at least `min_successes` successful outcomes (fewer is noise, and
 * reported as `insufficient`) and the current cost per successful outcome exceeds the baseline's by
 * more than `threshold` (0.25 = +25%). Ratios are exact decimals; the change is a 6-place decimal.
 */
import { Decimal } from '../pricing/decimal.js';
import type { DimensionFilters, Store } from '../store/store.js';
import { RATE_PLACES, ratio } from './decimal-ratio.js';
import { buildUnitEconomics, type UnitEconomicsRow } from './unit-economics.js';

export interface DriftOptions {
  /** Relative rise that counts as drift, e.g. "0.25". */
  threshold: string;
  min_successes: number;
}

export interface FeatureDrift {
  feature: string | null;
  status: 'drifting' | 'stable' | 'improved' | 'insufficient';
  baseline_cost_per_successful_outcome: string | null;
  current_cost_per_successful_outcome: string | null;
  /** current / baseline − 1 (6 places); null when either is missing. */
  change: string | null;
  /** Total cost change of the feature, per day (windows may differ in length): current / baseline − 1. */
  spend_change_per_day: string | null;
  baseline_success_rate: string | null;
  current_success_rate: string | null;
  baseline_successful_outcomes: number;
  current_successful_outcomes: number;
}

export function detectOutcomeDrift(baseline: readonly UnitEconomicsRow[], current: readonly UnitEconomicsRow[], baselineDays: number, currentDays: number, o: DriftOptions): FeatureDrift[] {
  const threshold = Decimal.parse(o.threshold);
  const keys = new Set([...baseline, ...current].map((r) => r.key));
  const out: FeatureDrift[] = [];
  for (const key of keys) {
    const b = baseline.find((r) => r.key === key);
    const c = current.find((r) => r.key === key);
    const bCps = b?.cost_per_successful_outcome ?? null;
    const cCps = c?.cost_per_successful_outcome ?? null;
    const change = bCps !== null && cCps !== null ? ratio(Decimal.parse(cCps), Decimal.parse(bCps), RATE_PLACES)?.sub(Decimal.ONE) ?? null : null;
    const enough = (b?.successful_outcomes ?? 0) >= o.min_successes && (c?.successful_outcomes ?? 0) >= o.min_successes;
    const perDay = (r: UnitEconomicsRow | undefined, days: number) => (r ? ratio(Decimal.parse(r.cost), Decimal.fromInt(days), 18) : null);
    const bDay = perDay(b, baselineDays);
    const cDay = perDay(c, currentDays);
    const spendChange = bDay && cDay ? (ratio(cDay, bDay, RATE_PLACES)?.sub(Decimal.ONE) ?? null) : null;
    out.push({
      feature: key,
      status: !enough || change === null ? 'insufficient' : change.cmp(threshold) > 0 ? 'drifting' : change.cmp(threshold.neg()) < 0 ? 'improved' : 'stable',
      baseline_cost_per_successful_outcome: bCps,
      current_cost_per_successful_outcome: cCps,
      change: change?.toString() ?? null,
      spend_change_per_day: spendChange?.toString() ?? null,
      baseline_success_rate: b?.success_rate ?? null,
      current_success_rate: c?.success_rate ?? null,
      baseline_successful_outcomes: b?.successful_outcomes ?? 0,
      current_successful_outcomes: c?.successful_outcomes ?? 0,
    });
  }
  const rank = { drifting: 0, improved: 1, stable: 2, insufficient: 3 } as const;
  return out.sort((x, y) => rank[x.status] - rank[y.status] || Number(y.change ?? 0) - Number(x.change ?? 0) || String(x.feature).localeCompare(String(y.feature)));
}

export interface DriftQuery extends Partial<DriftOptions> {
  /** End of the current window (ISO); default now. */
  at?: string;
  window_days?: number;
  baseline_days?: number;
  type?: string;
  filters?: DimensionFilters;
}

export interface DriftReport {
  current: { from: string; to: string };
  baseline: { from: string; to: string };
  threshold: string;
  min_successes: number;
  features: FeatureDrift[];
}

const DAY_MS = 86_400_000;

export async function buildOutcomeDrift(store: Store, q: DriftQuery): Promise<DriftReport> {
  const at = q.at === undefined ? Date.now() : Date.parse(q.at);
  if (!Number.isFinite(at)) throw new RangeError(`at: not an ISO 8601 instant: "${q.at}"`);
  const windowDays = q.window_days ?? 7;
  const baselineDays = q.baseline_days ?? 28;
  for (const [k, v] of [['window_days', windowDays], ['baseline_days', baselineDays]] as const) if (!Number.isInteger(v) || v < 1 || v > 366) throw new RangeError(`${k}: a whole number of days from 1 to 366, not ${v}`);
  const threshold = q.threshold ?? '0.25';
  const t = Decimal.tryParse(threshold);
  if (t === undefined || t.isNegative()) throw new RangeError(`threshold: "${threshold}" is not a non-negative decimal such as 0.25`);
  const minSuccesses = q.min_successes ?? 20;
  if (!Number.isInteger(minSuccesses) || minSuccesses < 1) throw new RangeError(`min_successes: a positive whole number, not ${minSuccesses}`);
  const iso = (ms: number) => new Date(ms).toISOString();
  const current = { from: iso(at - windowDays * DAY_MS), to: iso(at) };
  const baseline = { from: iso(at - (windowDays + baselineDays) * DAY_MS), to: current.from };
  const common = { by: 'feature' as const, ...(q.type ? { type: q.type } : {}), ...(q.filters ? { filters: q.filters } : {}) };
  const [b, c] = [await buildUnitEconomics(store, { ...baseline, ...common }), await buildUnitEconomics(store, { ...current, ...common })];
  return { current, baseline, threshold: t.toString(), min_successes: minSuccesses, features: detectOutcomeDrift(b.rows, c.rows, baselineDays, windowDays, { threshold: t.toString(), min_successes: minSuccesses }) };
}
