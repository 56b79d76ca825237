/**
 * Period-end spend projection for a scope: spent so far plus, for each remaining hour, the
 * hour-of-week median of past weeks scaled by the scope's recent level; the interval adds the
 * hours' robust spreads and a correlated share (a busy day is busy all day).
 *
 * This is the one forecasting model: `GET /api/forecast`, `costrail forecast`, the dashboard's
 * "projected month end" and `forecast_breach` alerts all call it, so they agree for the same
 * ledger, instant and time zone.
 */
import { periodWindow } from '../policy/budget-period.js';
import { madSigma, median } from './robust-stats.js';
import { HOUR_MS, type BucketSeries } from './scope-series.js';
import { hourBaseline } from './seasonal-baseline.js';

export type ForecastPeriod = 'day' | 'week' | 'month';

export interface Forecast {
  period: ForecastPeriod;
  period_start: string;
  period_end: string;
  as_of: string;
  /** IANA zone the period's calendar boundaries are in. */
  tz: string;
  /** $ spent in the period so far. */
  spent: number;
  /** Projected period total and its ~90 % interval ($). */
  projected: number;
  low: number;
  high: number;
  method: 'seasonal' | 'recent-average';
}

/** Calendar period containing `ms` in `tz` (weeks start Monday), the same windows budgets use. */
export function periodBounds(period: ForecastPeriod, ms: number, tz = 'UTC', fiscalMonthStartDay = 1): { start: number; end: number } {
  if (tz !== 'UTC' || fiscalMonthStartDay !== 1) return periodWindow({ period, timezone: tz, fiscal_month_start_day: fiscalMonthStartDay }, ms);
  const d = new Date(ms);
  if (period === 'day') {
    const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
    return { start, end: start + 86_400_000 };
  }
  if (period === 'week') {
    const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
    const start = day - ((d.getUTCDay() + 6) % 7) * 86_400_000;
    return { start, end: start + 7 * 86_400_000 };
  }
  return { start: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1), end: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) };
}

const Z90 = 1.645;
const CORRELATED = 0.1;

export interface ForecastOptions {
  /** IANA zone of the period's calendar (default UTC). */
  tz?: string;
  /**
   * Exact spend since the period start, when the caller has it: a zone whose offset is not whole
   * hours starts the period inside an hour bucket, which the hourly series cannot split.
   */
  spent?: number;
  /** A budget's fiscal month start day (1–28; default 1). */
  fiscalMonthStartDay?: number;
}

/** `hours` (UTC hour buckets) must cover at least the period so far and, ideally, four weeks before it. */
export function forecastPeriod(hours: BucketSeries, nowMs: number, period: ForecastPeriod, opts: ForecastOptions = {}): Forecast {
  const tz = opts.tz ?? 'UTC';
  const { start, end } = periodBounds(period, nowMs, tz, opts.fiscalMonthStartDay);
  const nowHour = Math.floor(nowMs / HOUR_MS) * HOUR_MS;
  const ci = hours.indexOf(nowHour);
  const spent = opts.spent ?? hours.sum('cost', hours.indexOf(Math.floor(start / HOUR_MS) * HOUR_MS), ci + 1);
  const base = hourBaseline(hours, ci, { weeks: 4, levelHours: 24, smoothing: 1 });
  let remaining = 0;
  let variance = 0;
  let method: Forecast['method'] = 'seasonal';
  const partial = Math.max(0, Math.min(1 - (nowMs - nowHour) / HOUR_MS, (end - nowMs) / HOUR_MS));
  if (base && !base.cold) {
    remaining += base.expected * partial;
    variance += (base.sigma * partial) ** 2;
    for (let h = nowHour + HOUR_MS; h < end; h += HOUR_MS) {
      const i = hours.indexOf(h);
      const samples: number[] = [];
      for (let k = 1; samples.length < 4 && i - 168 * k >= 0; k++) if (i - 168 * k < ci) samples.push(hours.at('cost', i - 168 * k));
      if (samples.length === 0) continue;
      // The last hour is partial when the zone's offset is not whole hours (e.g. +5:30).
      const share = Math.min(1, (end - h) / HOUR_MS);
      const m = median(samples) * base.level * share;
      remaining += m;
      variance += (Math.max(madSigma(samples) * base.level * share, 0.15 * m)) ** 2;
    }
  } else {
    method = 'recent-average';
    const recent: number[] = [];
    for (let i = Math.max(0, ci - 24); i < ci; i++) recent.push(hours.at('cost', i));
    const avg = recent.length ? recent.reduce((a, b) => a + b, 0) / recent.length : 0;
    const left = (end - nowMs) / HOUR_MS;
    remaining = avg * left;
    variance = (0.5 * remaining) ** 2;
  }
  const half = Z90 * Math.sqrt(variance) + CORRELATED * remaining;
  const r6 = (v: number) => Math.round(v * 1e6) / 1e6;
  return {
    period,
    period_start: new Date(start).toISOString(),
    period_end: new Date(end).toISOString(),
    as_of: new Date(nowMs).toISOString(),
    tz,
    spent: r6(spent),
    projected: r6(spent + remaining),
    low: r6(spent + Math.max(0, remaining - half)),
    high: r6(spent + remaining + half),
    method,
  };
}
