/**
 * Spend velocity: spend over the last 5, 15 and 60 minutes against what the seasonal baseline
 * expects for those minutes. A window fires only when its excess clears every one of:
 * - z robust σ of the hour's spend (scaled to the window),
 * - the scope's own recent burstiness (the 99th percentile, over the past week's quiet hours, of the
 *   largest excess a window of that length reached in an hour: a scope whose single calls cost $5
 *   does not page on one of them),
 * - a minimum ratio per window (short windows are noisy),
 * - a minimum-dollar floor per hour (tiny scopes do not page): the larger of `floorUsdPerHour` and
 *   `floorShareOfSpend` of the scope's own typical hourly spend, or a per-scope override,
 * - a heavy-tail allowance: `callAllowance` of the scope's large calls (per-call cost is
 *   log-normal-ish, and a low-volume scope's few expensive calls are normal, not a runaway).
 * Severity is by money, not ratio: `critical` needs the excess, less one large call, to run at
 * `criticalUsdPerHour` and the last hour to have lost that much (a single call is never critical
 * unless it alone costs that much).
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
  /** Floor as a share of the scope's typical (median) hourly spend over the past week. */
  floorShareOfSpend: number;
  /** The floor counts over at least this many minutes: a 5-minute window must show 10 minutes' worth (two stray calls are not a rate). */
  floorMinMinutes: number;
  /** Per-scope floors in $/h, by scope id (`team=search`, `*` for all spend): override the default. */
  floorByScope: Readonly<Record<string, number>>;
  /** Excess needed, in large calls (the scope's usual largest call in an hour, 90th percentile). */
  callAllowance: number;
  /** Excess per hour (less one large call) that makes an alert critical. */
  criticalUsdPerHour: number;
}

export const DEFAULT_VELOCITY: VelocityParams = {
  windows: [5, 15, 60],
  z: 3.5,
  floorUsdPerHour: 20,
  minRatio: { 5: 3, 15: 1.8, 60: 1.4 },
  burstMargin: 1.25,
  floorShareOfSpend: 0.25,
  floorMinMinutes: 10,
  floorByScope: {},
  callAllowance: 3,
  criticalUsdPerHour: 100,
};

/** What money means for one scope at one instant: its floor and its usual large call. */
export interface ScopeMoney {
  floorUsdPerHour: number;
  /** The scope's usual largest single call ($): the 90th percentile of each past hour's largest. */
  largeCall: number;
  /** The largest single call of the past week ($): one call like it is not a runaway. */
  largestCall?: number;
}

/** One window's figures at one instant. */
export interface WindowCheck {
  window: number;
  observed: number;
  expected: number;
  /** Expected σ-interval half width over the window. */
  sigma: number;
  threshold: number;
}

export function windowThreshold(w: number, expected: number, sigmaHour: number, burst: number, p: VelocityParams, money: ScopeMoney = { floorUsdPerHour: p.floorUsdPerHour, largeCall: 0 }): number {
  const excess = Math.max(p.z * sigmaHour * (w / 60), money.floorUsdPerHour * (Math.max(w, p.floorMinMinutes) / 60), ((p.minRatio[w] ?? 1.5) - 1) * expected, p.burstMargin * burst, p.callAllowance * money.largeCall, money.largestCall ?? 0);
  return expected + excess;
}

/** The strongest firing window (largest excess over its threshold), or null. */
export function velocitySignal(scope: Scope, checks: readonly WindowCheck[], p: VelocityParams, money: ScopeMoney = { floorUsdPerHour: p.floorUsdPerHour, largeCall: 0 }): Signal | null {
  let best: WindowCheck | null = null;
  for (const c of checks) {
    if (c.observed > c.threshold && (!best || c.observed - c.threshold > best.observed - best.threshold)) best = c;
  }
  if (!best) return null;
  const excessPerHour = ((best.observed - best.expected) * 60) / best.window;
  const ratio = best.expected > 0 ? best.observed / best.expected : Infinity;
  // Critical is money actually lost, not a projection: the rate (less one large call) is at the
  // critical $/h and the last hour's excess has reached that much, so one call is critical only
  // when it alone costs the critical amount.
  const critical = Math.max(p.criticalUsdPerHour, 2 * money.floorUsdPerHour);
  const beyondOneCall = ((best.observed - best.expected - money.largeCall) * 60) / best.window;
  const hour = checks.find((c) => c.window === 60);
  const lostThisHour = hour ? hour.observed - hour.expected : best.observed - best.expected;
  const severity = beyondOneCall >= critical && lostThisHour >= critical ? 'critical' : 'warning';
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
    detail: { excess_usd_per_hour: round6(excessPerHour), floor_usd_per_hour: round6(money.floorUsdPerHour), large_call_usd: round6(money.largeCall) },
  };
}
