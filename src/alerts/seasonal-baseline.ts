/**
 * What a scope's spend per hour should be now: the median of the same hour of the week over past
 * weeks (robust to one bad week), scaled by the scope's recent level (the median ratio of actual to
 * seasonal over the last day, so steady growth or a quiet week moves the expectation without
 * paging), with a MAD-based spread. Scopes with under two weeks of history fall back to the median
 * of recent hours with a wider spread.
 */
import { HOUR_MS, type BucketSeries } from './scope-series.js';
import { clamp, madSigma, median } from './robust-stats.js';

const WEEK_HOURS = 168;

export interface BaselineOptions {
  /** Past weeks read for the same hour of week. */
  weeks: number;
  /** Recent hours the level factor is the median over. */
  levelHours: number;
  /** $/hour added to both sides of level ratios so near-empty hours do not swing the level. */
  smoothing: number;
  /**
   * Recent hours of a short-term level: a busy day (1.5–2.5× the usual, across a whole team) builds
   * up over the morning, and the expectation follows it within a few hours; a runaway is a step and
   * is already alerted (alerted hours are kept out) before it could move this level.
   */
  shortLevelHours?: number;
  /** Hours kept out of the baseline (annotated events, alerted hours). */
  excluded?: (hourMs: number) => boolean;
}

export interface HourBaseline {
  /** Expected spend ($) in the hour. */
  expected: number;
  /** Robust σ of the hour's spend ($). */
  sigma: number;
  seasonal: number;
  level: number;
  /** True when fewer than two past weeks were available (no hour-of-week profile yet). */
  cold: boolean;
}

function seasonalAt(hours: BucketSeries, h: number, o: BaselineOptions): number[] {
  const out: number[] = [];
  for (let k = 1; k <= o.weeks; k++) {
    const i = h - k * WEEK_HOURS;
    if (i < 0) break;
    if (o.excluded?.(hours.start + i * HOUR_MS)) continue;
    out.push(hours.at('cost', i));
  }
  return out;
}

/** Baseline for the hour with index `h` in `hours`, from complete hours before it only. */
export function hourBaseline(hours: BucketSeries, h: number, o: BaselineOptions): HourBaseline | null {
  const samples = seasonalAt(hours, h, o);
  const recent: number[] = [];
  const ratios: number[] = [];
  const short = o.shortLevelHours ?? 0;
  for (let j = 1; j <= o.levelHours && h - j >= 0; j++) {
    const i = h - j;
    if (o.excluded?.(hours.start + i * HOUR_MS)) continue;
    const actual = hours.at('cost', i);
    recent.push(actual);
    if (samples.length >= 2) {
      const s = seasonalAt(hours, i, o);
      if (s.length >= 2) ratios.push((actual + o.smoothing) / (median(s) + o.smoothing));
    }
  }
  if (samples.length >= 2 && ratios.length >= 6) {
    const seasonal = median(samples);
    const shortLevel = short > 0 && ratios.length >= short ? median(ratios.slice(0, short)) : 0;
    const level = clamp(Math.max(median(ratios), Math.min(shortLevel, 3)), 0.25, 4);
    const expected = seasonal * level;
    const sigma = Math.max(madSigma(samples, seasonal) * level, 0.12 * expected);
    return { expected, sigma, seasonal, level, cold: false };
  }
  if (recent.length < 3) return null;
  const m = median(recent);
  return { expected: m, sigma: Math.max(madSigma(recent, m), 0.5 * m), seasonal: m, level: 1, cold: true };
}
