/**
 * Per-scope time series the detectors read: per-minute buckets for the recent windows and per-hour
 * buckets for the seasonal baseline. Detectors are pure functions over these arrays, so the live
 * evaluator and the backtest run the same code: the backtest fills them once for the whole range
 * and slides an evaluation instant over them; the live loop refills the recent minutes each tick.
 *
 * Values are float statistics for detection only; ledger money stays exact in the store.
 */
import type { Scope } from './scope.js';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const FIELDS = ['cost', 'requests', 'tokens', 'errors'] as const;
export type SeriesField = (typeof FIELDS)[number];
export type Bucket = Record<SeriesField, number>;

/** Fixed-step buckets from `start` (epoch ms, step-aligned) over `length` steps. */
export class BucketSeries {
  readonly data: Record<SeriesField, Float64Array>;
  private prefix: Record<SeriesField, Float64Array> | null = null;

  constructor(
    readonly start: number,
    readonly step: number,
    readonly length: number,
  ) {
    this.data = { cost: new Float64Array(length), requests: new Float64Array(length), tokens: new Float64Array(length), errors: new Float64Array(length) };
  }

  indexOf(ms: number): number {
    return Math.floor((ms - this.start) / this.step);
  }

  add(ms: number, b: Partial<Bucket>): void {
    const i = this.indexOf(ms);
    if (i < 0 || i >= this.length) return;
    for (const f of FIELDS) {
      const v = b[f];
      if (v) this.data[f][i] = (this.data[f][i] as number) + v;
    }
    this.prefix = null;
  }

  /** Empties the bucket holding `ms` (the live loader re-reads the last minutes each tick). */
  clear(ms: number): void {
    const i = this.indexOf(ms);
    if (i < 0 || i >= this.length) return;
    for (const f of FIELDS) this.data[f][i] = 0;
    this.prefix = null;
  }

  at(field: SeriesField, i: number): number {
    return i >= 0 && i < this.length ? (this.data[field][i] as number) : 0;
  }

  /** Sum of buckets [from, to) by index, clipped to the series; O(1) after the first call. */
  sum(field: SeriesField, from: number, to: number): number {
    const p = (this.prefix ??= this.buildPrefix())[field];
    const a = Math.max(0, Math.min(this.length, from));
    const b = Math.max(0, Math.min(this.length, to));
    return b > a ? (p[b] as number) - (p[a] as number) : 0;
  }

  private buildPrefix(): Record<SeriesField, Float64Array> {
    const out = {} as Record<SeriesField, Float64Array>;
    for (const f of FIELDS) {
      const src = this.data[f];
      const p = new Float64Array(this.length + 1);
      for (let i = 0; i < this.length; i++) p[i + 1] = (p[i] as number) + (src[i] as number);
      out[f] = p;
    }
    return out;
  }
}

/** One scope's series: hours for the baseline, minutes for the windows. */
export interface ScopeSeries {
  scope: Scope;
  /** The dimension this scope was grouped by ('' for global). */
  dimension: string;
  hours: BucketSeries;
  minutes: BucketSeries;
}

export function floorTo(ms: number, step: number): number {
  return Math.floor(ms / step) * step;
}

export function newScopeSeries(scope: Scope, dimension: string, fromMs: number, toMs: number, minuteFromMs = fromMs): ScopeSeries {
  const h0 = floorTo(fromMs, HOUR_MS);
  const m0 = floorTo(minuteFromMs, MINUTE_MS);
  return {
    scope,
    dimension,
    hours: new BucketSeries(h0, HOUR_MS, Math.max(1, Math.ceil((toMs - h0) / HOUR_MS))),
    minutes: new BucketSeries(m0, MINUTE_MS, Math.max(1, Math.ceil((toMs - m0) / MINUTE_MS))),
  };
}
