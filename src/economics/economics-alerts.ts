/**
 * The unit-economics detectors of the alerting pipeline: cost-per-outcome drift per feature and
 * the margin threshold per customer. They read days of outcomes and revenue, so the alert
 * service runs them once an hour (not every minute) and re-applies their signals each minute in
 * between; the alert tracker then keeps one alert per (kind, scope) for the whole episode.
 *
 * Severity is money, as for the spend detectors: the excess an alert implies, in $ per hour over
 * its window, sets it (see `docs/alerts.md`), and `detail.excess_usd_per_hour` gives an incident
 * its impact.
 */
import { z } from 'zod';
import type { Severity, Signal } from '../alerts/alert-types.js';
import { Decimal } from '../pricing/decimal.js';
import type { Store } from '../store/store.js';
import { buildMargin, type MarginRow } from './customer-margin.js';
import { MONEY_PLACES, ratio } from './decimal-ratio.js';
import { buildOutcomeDrift, type FeatureDrift } from './outcome-drift.js';

const decimalText = z
  .union([z.string(), z.number()])
  .transform(String)
  .refine((v) => Decimal.tryParse(v) !== undefined && !Decimal.parse(v).isNegative(), 'a non-negative decimal such as 0.3');

/** `alerts.unit_economics` in the serve config; every field optional (defaults below). */
export const UnitEconomicsAlertsSchema = z.strictObject({
  outcome_drift: z
    .strictObject({
      enabled: z.boolean().optional(),
      /** Relative rise of cost per successful outcome that counts as drift (0.25 = +25%). */
      threshold: decimalText.optional(),
      min_successes: z.number().int().min(1).optional(),
      window_days: z.number().int().min(1).max(366).optional(),
      baseline_days: z.number().int().min(1).max(366).optional(),
      /** Excess $ per hour from which a drift is a warning (10× is critical; below: info). */
      warning_usd_per_hour: z.number().min(0).optional(),
    })
    .optional(),
  margin: z
    .strictObject({
      enabled: z.boolean().optional(),
      /** AI cost above this share of a customer's revenue alerts (0.3 = 30%). */
      share: decimalText.optional(),
      window_days: z.number().int().min(1).max(366).optional(),
      /** USD per unit of each revenue currency, e.g. { EUR: "1.08" }; required when such revenue exists. */
      rates: z.record(z.string().regex(/^[A-Za-z]{3}$/), decimalText).optional(),
    })
    .optional(),
});
export type UnitEconomicsAlertsConfig = z.infer<typeof UnitEconomicsAlertsSchema>;

export const DEFAULT_OUTCOME_DRIFT_ALERT = { threshold: '0.25', min_successes: 20, window_days: 7, baseline_days: 28, warning_usd_per_hour: 1 } as const;
export const DEFAULT_MARGIN_ALERT = { share: '0.3', window_days: 30 } as const;

const HOURS_PER_DAY = 24;

/** The same rule as cost-per-request drift: critical at 10× the floor; below the floor, info (not delivered by default). */
function moneySeverity(excessPerHour: number, warningPerHour: number): Severity {
  if (excessPerHour >= 10 * warningPerHour) return 'critical';
  return excessPerHour >= warningPerHour ? 'warning' : 'info';
}

const pct = (share: string): string => `${(Number(share) * 100).toFixed(0)}%`;
const usd = (v: string): string => `$${Number(v).toFixed(4)}`;

/**
 * One signal per drifting feature: excess = (current − baseline cost per successful outcome) ×
 * the current window's successful outcomes, exact, then per hour of the window.
 */
export function outcomeDriftSignals(features: readonly FeatureDrift[], windowDays: number, warningUsdPerHour: number, threshold: string): Signal[] {
  const out: Signal[] = [];
  for (const f of features) {
    if (f.status !== 'drifting' || f.feature === null || f.baseline_cost_per_successful_outcome === null || f.current_cost_per_successful_outcome === null) continue;
    const base = Decimal.parse(f.baseline_cost_per_successful_outcome);
    const cur = Decimal.parse(f.current_cost_per_successful_outcome);
    const excess = cur.sub(base).mul(Decimal.fromInt(f.current_successful_outcomes)).round(MONEY_PLACES);
    const perHour = Number(ratio(excess, Decimal.fromInt(windowDays * HOURS_PER_DAY), 6)?.toString() ?? '0');
    const context = [
      f.baseline_success_rate !== null && f.current_success_rate !== null ? `success rate ${pct(f.baseline_success_rate)} → ${pct(f.current_success_rate)}` : null,
      f.spend_change_per_day !== null ? `spend per day ${Number(f.spend_change_per_day) >= 0 ? '+' : ''}${pct(f.spend_change_per_day)}` : null,
    ].filter((x): x is string => x !== null);
    out.push({
      scope: { feature: f.feature },
      kind: 'outcome_cost_drift',
      severity: moneySeverity(perHour, warningUsdPerHour),
      observed: Number(cur.toString()),
      expected: Number(base.toString()),
      expected_low: 0,
      expected_high: Number(base.mul(Decimal.ONE.add(Decimal.parse(threshold))).toString()),
      unit: 'usd_per_outcome',
      window_minutes: windowDays * HOURS_PER_DAY * 60,
      summary: `Each successful outcome of feature ${f.feature} now costs ${usd(cur.toString())}, +${pct(f.change ?? '0')} on the ${usd(base.toString())} before${context.length ? ` (${context.join('; ')})` : ''}: about $${Number(excess.toString()).toFixed(2)} more over the last ${windowDays} days.`,
      detail: {
        excess_usd_per_hour: perHour,
        excess_usd: excess.toString(),
        baseline_cost_per_successful_outcome: f.baseline_cost_per_successful_outcome,
        current_cost_per_successful_outcome: f.current_cost_per_successful_outcome,
        change: f.change,
        baseline_success_rate: f.baseline_success_rate,
        current_success_rate: f.current_success_rate,
        spend_change_per_day: f.spend_change_per_day,
        current_successful_outcomes: f.current_successful_outcomes,
      },
    });
  }
  return out;
}

/**
 * One signal per customer WITH revenue whose AI cost passes `share` of it. Warning; critical when
 * the AI cost passes the revenue itself (the customer loses money). Customers with cost and no
 * revenue (trials, free tiers, revenue not imported yet) are in the margin report, not paged.
 */
export function marginSignals(rows: readonly MarginRow[], share: string, windowDays: number): Signal[] {
  const s = Decimal.parse(share);
  const out: Signal[] = [];
  for (const r of rows) {
    if (!r.has_revenue || !r.over_threshold || r.ai_cost_share === null) continue;
    const excess = Decimal.parse(r.ai_cost).sub(Decimal.parse(r.revenue).mul(s)).round(MONEY_PLACES);
    const perHour = Number(ratio(excess, Decimal.fromInt(windowDays * HOURS_PER_DAY), 6)?.toString() ?? '0');
    const losing = Decimal.parse(r.gross_margin).isNegative();
    out.push({
      scope: { customer: r.customer },
      kind: 'margin_threshold',
      severity: losing ? 'critical' : 'warning',
      observed: Number(r.ai_cost_share),
      expected: Number(s.toString()),
      expected_low: 0,
      expected_high: Number(s.toString()),
      unit: 'share_of_revenue',
      window_minutes: windowDays * HOURS_PER_DAY * 60,
      summary: `Customer ${r.customer}'s AI cost is $${Number(r.ai_cost).toFixed(2)}, ${(Number(r.ai_cost_share) * 100).toFixed(1)}% of its $${Number(r.revenue).toFixed(2)} revenue over the last ${windowDays} days (threshold ${pct(s.toString())})${losing ? ': the customer is margin-negative' : ''}.`,
      detail: { excess_usd_per_hour: perHour, excess_usd: excess.toString(), ai_cost: r.ai_cost, revenue: r.revenue, gross_margin: r.gross_margin, ai_cost_share: r.ai_cost_share },
    });
  }
  return out;
}

/** Every unit-economics signal at instant `t`; a detector that cannot run is reported through `warn` and skipped. */
export async function unitEconomicsSignals(store: Store, t: number, config: UnitEconomicsAlertsConfig = {}, warn: (msg: string, err: string) => void = () => undefined): Promise<Signal[]> {
  const out: Signal[] = [];
  if (config.outcome_drift?.enabled !== false) {
    const d = { ...DEFAULT_OUTCOME_DRIFT_ALERT, ...config.outcome_drift };
    try {
      const report = await buildOutcomeDrift(store, { at: new Date(t).toISOString(), window_days: d.window_days, baseline_days: d.baseline_days, threshold: d.threshold, min_successes: d.min_successes });
      out.push(...outcomeDriftSignals(report.features, d.window_days, d.warning_usd_per_hour, report.threshold));
    } catch (e) {
      warn('outcome drift evaluation failed', (e as Error).message);
    }
  }
  if (config.margin?.enabled !== false) {
    const m = { ...DEFAULT_MARGIN_ALERT, ...config.margin };
    try {
      const from = new Date(t - m.window_days * HOURS_PER_DAY * 3_600_000).toISOString();
      const rates = Object.fromEntries(Object.entries(config.margin?.rates ?? {}).map(([c, v]) => [c.toUpperCase(), v]));
      const report = await buildMargin(store, { from, to: new Date(t).toISOString(), rates, alert_share: m.share });
      out.push(...marginSignals(report.rows, m.share, m.window_days));
    } catch (e) {
      warn('margin threshold evaluation failed', (e as Error).message);
    }
  }
  return out;
}
