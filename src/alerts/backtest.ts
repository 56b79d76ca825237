/**
 * The backtest: slides the evaluation instant minute by minute over [from, to) as the live loop
 * would, each instant reading only buckets before it (history before `from` is the baseline), and
 * returns every alert the lifecycle would have opened, in the order they opened.
 */
import type { Alert, Signal } from './alert-types.js';
import { AlertTracker, DEFAULT_LIFECYCLE, type LifecycleEvent, type LifecycleParams } from './alert-tracker.js';
import { DEFAULT_DETECTION, DetectionEngine, type DetectionInput, type DetectionParams } from './detection-engine.js';
import { floorTo, MINUTE_MS } from './scope-series.js';

export interface BacktestOptions {
  fromMs: number;
  toMs: number;
  detection?: DetectionParams;
  lifecycle?: LifecycleParams;
  /** Called every simulated hour with progress in [0,1] (CLI progress bars). */
  onProgress?: (done: number) => void;
  /** Every lifecycle event as it happens (incident grouping folds them). */
  onEvents?: (events: readonly LifecycleEvent[], t: number) => void;
  /**
   * Detectors the live loop runs less often than each minute (the unit-economics ones: hourly):
   * evaluated at the first instant and then every `slowEveryMs`, their signals re-applied each
   * minute in between, as AlertService does.
   */
  slowSignals?: (t: number) => Promise<readonly Signal[]>;
  slowEveryMs?: number;
}

/** Async so a server stays responsive: it yields to the event loop once per simulated hour. */
export async function runBacktest(input: DetectionInput, o: BacktestOptions): Promise<Alert[]> {
  const engine = new DetectionEngine(o.detection ?? DEFAULT_DETECTION);
  let n = 0;
  const tracker = new AlertTracker(o.lifecycle ?? DEFAULT_LIFECYCLE, () => `bt-${++n}`);
  const opened: Alert[] = [];
  const start = floorTo(o.fromMs, MINUTE_MS) + MINUTE_MS;
  let slow: readonly Signal[] = [];
  let slowAt = -Infinity;
  for (let t = start; t <= o.toMs; t += MINUTE_MS) {
    if (o.slowSignals && t - slowAt >= (o.slowEveryMs ?? 3_600_000)) {
      slowAt = t;
      slow = await o.slowSignals(t);
    }
    const events = tracker.apply([...engine.evaluate(input, t), ...slow], t);
    for (const e of events) if (e.type === 'opened') opened.push(e.alert);
    if (events.length) o.onEvents?.(events, t);
    if (t % 3_600_000 === 0) {
      o.onProgress?.((t - start) / Math.max(1, o.toMs - start));
      await new Promise((r) => setImmediate(r));
    }
  }
  return opened;
}

/** The public JSON shape of a backtest alert (`costrail anomalies --json`). */
export function backtestAlertJson(a: Alert): Record<string, unknown> {
  return {
    detected_at: new Date(a.detected_at).toISOString(),
    scope: a.scope,
    kind: a.kind,
    severity: a.severity,
    observed: a.observed,
    expected: a.expected,
    expected_low: a.expected_low,
    expected_high: a.expected_high,
    unit: a.unit,
    window_minutes: a.window_minutes,
    summary: a.summary,
    resolved_at: a.resolved_at === null ? null : new Date(a.resolved_at).toISOString(),
    peak_observed: a.peak_observed,
    contributors: a.contributors,
    link: a.link,
    incident_id: a.incident_id ?? null,
  };
}
