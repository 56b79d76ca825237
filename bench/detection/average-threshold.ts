/**
 * The baseline the benchmark compares against: what cloud cost tools do — last hour's spend per
 * scope against k × its 30-day hourly average (same dollar floor and lifecycle, so only the
 * detection rule differs).
 */
import type { Signal } from '../../src/alerts/alert-types.js';
import { AlertTracker } from '../../src/alerts/alert-tracker.js';
import type { DetectionInput } from '../../src/alerts/detection-engine.js';
import { floorTo, HOUR_MS, MINUTE_MS } from '../../src/alerts/scope-series.js';
import type { ScoredAlert } from './score.js';

export function averageThresholdBacktest(input: DetectionInput, fromMs: number, toMs: number, k: number, floorUsdPerHour = 20): ScoredAlert[] {
  const tracker = new AlertTracker();
  const out: ScoredAlert[] = [];
  const avg = new Map<string, { hour: number; v: number }>();
  for (let t = floorTo(fromMs, MINUTE_MS) + MINUTE_MS; t <= toMs; t += MINUTE_MS) {
    const hour = floorTo(t - MINUTE_MS, HOUR_MS);
    const signals: Signal[] = [];
    for (const s of input.scopes) {
      const key = JSON.stringify(s.scope);
      let a = avg.get(key);
      if (a?.hour !== hour) {
        const hi = s.hours.indexOf(hour);
        const lo = Math.max(0, hi - 30 * 24);
        a = { hour, v: hi > lo ? s.hours.sum('cost', lo, hi) / (hi - lo) : 0 };
        avg.set(key, a);
      }
      const end = s.minutes.indexOf(t);
      const observed = s.minutes.sum('cost', end - 60, end);
      if (observed > k * a.v && observed - a.v >= floorUsdPerHour) {
        signals.push({ scope: s.scope, kind: 'spend_velocity', severity: 'warning', observed, expected: a.v, expected_low: 0, expected_high: k * a.v, unit: 'usd', window_minutes: 60, summary: '' });
      }
    }
    for (const e of tracker.apply(signals, t)) if (e.type === 'opened') out.push({ detected_at: e.alert.detected_at, scope: e.alert.scope, kind: e.alert.kind, severity: e.alert.severity });
  }
  return out;
}
