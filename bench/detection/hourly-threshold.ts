/**
 * The second baseline of the hard benchmark: the last hour's spend per scope against 5× the hour
 * before it (same $20/h floor and lifecycle as the 30-day-average baseline).
 */
import type { Signal } from '../../src/alerts/alert-types.js';
import { AlertTracker } from '../../src/alerts/alert-tracker.js';
import type { DetectionInput } from '../../src/alerts/detection-engine.js';
import { floorTo, MINUTE_MS } from '../../src/alerts/scope-series.js';
import type { ScoredAlert } from './score.js';

export function hourlyThresholdBacktest(input: DetectionInput, fromMs: number, toMs: number, k: number, floorUsdPerHour = 20): ScoredAlert[] {
  const tracker = new AlertTracker();
  const out: ScoredAlert[] = [];
  for (let t = floorTo(fromMs, MINUTE_MS) + MINUTE_MS; t <= toMs; t += MINUTE_MS) {
    const signals: Signal[] = [];
    for (const s of input.scopes) {
      const end = s.minutes.indexOf(t);
      const observed = s.minutes.sum('cost', end - 60, end);
      const before = s.minutes.sum('cost', end - 120, end - 60);
      if (observed > k * before && observed - before >= floorUsdPerHour) {
        signals.push({ scope: s.scope, kind: 'spend_velocity', severity: 'warning', observed, expected: before, expected_low: 0, expected_high: k * before, unit: 'usd', window_minutes: 60, summary: '' });
      }
    }
    for (const e of tracker.apply(signals, t)) if (e.type === 'opened') out.push({ detected_at: e.alert.detected_at, scope: e.alert.scope, kind: e.alert.kind, severity: e.alert.severity });
  }
  return out;
}
