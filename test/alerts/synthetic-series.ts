// Synthetic per-minute spend series for detector tests: a seeded weekly cycle with noise.
import { newScopeSeries, type Bucket, type ScopeSeries } from '../../src/alerts/scope-series.js';
import type { Scope } from '../../src/alerts/scope.js';
import { seededRandom as rng } from '../../src/simulator/seeded-random.js';
export { rng };

export const MIN = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;
/** A Monday. */
export const T0 = Date.UTC(2026, 5, 1);


/** $/hour of a business-hours scope: quiet nights, quieter weekends, peak `peak`. */
export function weeklyRate(ms: number, peak: number): number {
  const d = new Date(ms);
  const h = d.getUTCHours() + d.getUTCMinutes() / 60;
  const day = Math.max(0, Math.sin(((h - 6) / 16) * Math.PI));
  const weekend = d.getUTCDay() === 0 || d.getUTCDay() === 6 ? 0.4 : 1;
  return peak * (0.15 + 0.85 * day) * weekend;
}

/** Fills a scope's series minute by minute from `bucket(minuteStart, random)`. */
export function buildSeries(scope: Scope, from: number, to: number, bucket: (ms: number, r: () => number) => Bucket, seed = 1): ScopeSeries {
  const s = newScopeSeries(scope, Object.keys(scope)[0] ?? '', from, to, from);
  const r = rng(seed);
  for (let t = from; t < to; t += MIN) {
    const b = bucket(t, r);
    s.hours.add(t, b);
    s.minutes.add(t, b);
  }
  return s;
}

/** Normal traffic: calls at ~$0.05 each with lognormal spread, Poisson-ish counts. */
export function normalMinute(peak: number, dayNoise: Map<number, number>) {
  return (t: number, r: () => number): Bucket => {
    const day = Math.floor(t / DAY);
    if (!dayNoise.has(day)) dayNoise.set(day, 0.85 + 0.3 * r());
    const perMinute = (weeklyRate(t, peak) * (dayNoise.get(day) as number)) / 60;
    const calls = Math.max(0, Math.round(perMinute / 0.05 + Math.sqrt(perMinute / 0.05) * (r() + r() + r() - 1.5) * 1.4));
    let cost = 0;
    for (let i = 0; i < calls; i++) cost += 0.05 * Math.exp(0.4 * (r() + r() + r() - 1.5));
    return { cost, requests: calls, tokens: calls * 3000, errors: 0 };
  };
}
