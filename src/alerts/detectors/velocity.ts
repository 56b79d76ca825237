/**
 * Spend velocity: spend over the last 5, 15 and 60 minutes against what the seasonal baseline
 * expects for those minutes. A window fires only when its excess clears every one of:
 * - z robust σ of the hour's spend (scaled to the window),
 * - the scope's own recent burstiness (the 99th percentile, over the past week's quiet hours, of the
 *   largest excess a window of that length reached in an hour: a scope whose single calls cost $5
 *   does not page on one of them),
 * - a minimum ratio per window (short windows are noisy),
 * - a minimum-dollar floor per hour (tiny scopes do not page).
 */
import type { Signal } from '../alert-types.js';
import { round6 } from '../robust-stats.js';
import { scopeLabel, type Scope } from '../scope.js';

export interface VelocityParams {
  windows: readonly number[];
  z: number;
  /** Minimum excess, in $ per hour of window, before anything fires. */
  floorUsdPerHour: number;
  /** Minimum observed/expected ratio per window length. */
  minRatio: Readonly<Record<number, number>>;
  burstMargin: number;
}

export const DEFAULT_VELOCITY: VelocityParams = {
  windows: [5, 15, 60],
  z: 3.5,
  floorUsdPerHour: 20,
  minRatio: { 5: 3, 15: 1.8, 60: 1.4 },
  burstMargin: 1.25,
};

/** One window's figures at one instant. */
export interface WindowCheck {
  window: number;
  observed: number;
  expected: number;
  /** Expected σ-interval half width over the window. */
  sigma: number;
  threshold: number;
}

export function windowThreshold(w: number, expected: number, sigmaHour: number, burst: number, p: VelocityParams): number {
  const excess = Math.max(p.z * sigmaHour * (w / 60), p.floorUsdPerHour * (w / 60), ((p.minRatio[w] ?? 1.5) - 1) * expected, p.burstMargin * burst);
  return expected + excess;
}

/** The strongest firing window (largest excess over its threshold), or null. */
export function velocitySignal(scope: Scope, checks: readonly WindowCheck[], p: VelocityParams): Signal | null {
  let best: WindowCheck | null = null;
  for (const c of checks) {
    if (c.observed > c.threshold && (!best || c.observed - c.threshold > best.observed - best.threshold)) best = c;
  }
  if (!best) return null;
  const excessPerHour = ((best.observed - best.expected) * 60) / best.window;
  const ratio = best.expected > 0 ? best.observed / best.expected : Infinity;
  const severity = excessPerHour >= 10 * p.floorUsdPerHour || ratio >= 10 ? 'critical' : 'warning';
  const ratioText = Number.isFinite(ratio) ? `${ratio.toFixed(1)}× the expected` : 'with none expected';
  return {
    scope,
    kind: 'spend_velocity',
    severity,
    observed: round6(best.observed),
    expected: round6(best.expected),
    expected_low: round6(Math.max(0, best.expected - best.sigma)),
    expected_high: round6(best.threshold),
    unit: 'usd',
    window_minutes: best.window,
    summary: `Spend on ${scopeLabel(scope)} ran at $${excessPerHour.toFixed(2)}/h above normal: $${best.observed.toFixed(2)} in the last ${best.window} min, ${ratioText} $${best.expected.toFixed(2)}.`,
    detail: { excess_usd_per_hour: round6(excessPerHour) },
  };
}
