/**
 * The unit-economics detectors (outcome_cost_drift, margin_threshold) in the alerts backtest
 * (`costrail anomalies`, GET /api/anomalies). The live loop evaluates them once an hour; the
 * backtest does the same at each replayed hour, with the serve config's settings, so a replay
 * raises what the live loop would have raised.
 *
 * A detector is replayed only when its input exists: outcomes that occurred from its first
 * baseline's start to a window after the range (outcomes come in after their calls), or revenue
 * overlapping its windows. Without them it could only say nothing, at the price of a join over
 * days of ledger per replayed hour.
 *
 * Hindsight, stated: outcomes are linked as the store holds them now, so one reported late counts
 * at instants before it arrived (the live loop would have seen it only once it came in). Calls
 * still count only before each instant.
 */
import type { Signal } from '../alerts/alert-types.js';
import type { Store } from '../store/store.js';
import { DEFAULT_MARGIN_ALERT, DEFAULT_OUTCOME_DRIFT_ALERT, unitEconomicsSignals, type UnitEconomicsAlertsConfig } from './economics-alerts.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Replayed evaluations at most: hourly up to two weeks, then spaced out (their windows span days). */
const MAX_EVALUATIONS = 336;

export interface EconomicsReplay {
  /** Whether each detector is replayed (false: disabled in the config, or no input in the window). */
  outcome_cost_drift: boolean;
  margin_threshold: boolean;
  /** Minutes between replayed evaluations (60 as live, more for ranges past two weeks). */
  every_minutes: number;
  /** Evaluations that failed (e.g. revenue in a currency without a rate in `alerts.unit_economics.margin.rates`). */
  warnings: string[];
}

export interface EconomicsBacktest {
  replay: EconomicsReplay;
  /** For runBacktest's slowSignals; absent when neither detector is replayed. */
  signals?: (t: number) => Promise<readonly Signal[]>;
  everyMs: number;
}

export async function economicsBacktest(store: Store, fromMs: number, toMs: number, config: UnitEconomicsAlertsConfig = {}): Promise<EconomicsBacktest> {
  const drift = { ...DEFAULT_OUTCOME_DRIFT_ALERT, ...config.outcome_drift };
  const margin = { ...DEFAULT_MARGIN_ALERT, ...config.margin };
  const iso = (ms: number) => new Date(ms).toISOString();
  const hasOutcomes = config.outcome_drift?.enabled !== false && (await store.economics.countOutcomes({ from: iso(fromMs - (drift.window_days + drift.baseline_days) * DAY_MS), to: iso(toMs + drift.window_days * DAY_MS) })) > 0;
  const hasRevenue = config.margin?.enabled !== false && (await store.economics.listRevenue({ from: iso(fromMs - margin.window_days * DAY_MS), to: iso(toMs) })).length > 0;
  const everyMs = Math.max(1, Math.ceil((toMs - fromMs) / HOUR_MS / MAX_EVALUATIONS)) * HOUR_MS;
  const warnings = new Set<string>();
  const replay: EconomicsReplay = { outcome_cost_drift: hasOutcomes, margin_threshold: hasRevenue, every_minutes: everyMs / 60_000, warnings: [] };
  if (!hasOutcomes && !hasRevenue) return { replay, everyMs };
  const replayed: UnitEconomicsAlertsConfig = {
    ...config,
    outcome_drift: { ...config.outcome_drift, enabled: hasOutcomes },
    margin: { ...config.margin, enabled: hasRevenue },
  };
  return {
    replay,
    everyMs,
    signals: async (t) =>
      unitEconomicsSignals(store, t, replayed, (msg, err) => {
        const text = `${msg}: ${err}`;
        // One line per distinct failure, however many hours repeat it.
        if (!warnings.has(text)) replay.warnings.push(text);
        warnings.add(text);
      }),
  };
}
