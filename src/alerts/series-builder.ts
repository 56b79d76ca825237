/**
 * Folds ledger records (oldest first, as Store.scanRecords yields them) into what the detectors
 * read: per-scope series for the configured dimensions, minute series of traces that made many
 * calls, and first sightings of (scope, source) pairs. One pass, memory bounded by the number of
 * scopes (top-K per dimension are kept), not by the number of records.
 */
import type { LedgerRecord } from '../ledger/ledger-record.js';
import type { SourceSighting } from './detectors/new-source.js';
import type { DetectionInput } from './detection-engine.js';
import { recordInScope, scopeId, type Scope } from './scope.js';
import { BucketSeries, floorTo, HOUR_MS, MINUTE_MS, newScopeSeries, type Bucket, type ScopeSeries } from './scope-series.js';

export const DEFAULT_SCOPE_DIMENSIONS = ['provider', 'model', 'team', 'feature', 'customer', 'key_id'] as const;

export interface SeriesBuilderOptions {
  /** Scope dimensions besides global (attribution fields, provider, model, key_id, tag:NAME). */
  dimensions: readonly string[];
  /** Start of the hourly history (epoch ms). */
  fromMs: number;
  /** Start of the minute series (epoch ms; the last week before the first evaluation is enough). */
  minuteFromMs: number;
  toMs: number;
  /** Scopes kept per dimension, by spend. */
  topK: number;
  /** A trace with this many calls in five minutes gets a minute series (half the storm threshold). */
  traceWatchRequests: number;
  /** Dimensions whose scopes report new sources ('' is global), and the sources watched. */
  newSourceScopes: readonly string[];
  newSourceDimensions: readonly string[];
  /** Multi-field scopes to follow as well (annotated scopes, so their extra spend can be expected elsewhere). */
  extraScopes?: readonly Scope[];
}

export type RecordFields = Pick<LedgerRecord, 'started_at' | 'provider' | 'model' | 'model_requested' | 'status' | 'usage' | 'cost' | 'attribution' | 'tags' | 'key_id' | 'trace_id'>;

export function dimensionValue(r: RecordFields, dim: string): string | null {
  switch (dim) {
    case 'provider':
      return r.provider;
    case 'model':
      return r.model ?? r.model_requested;
    case 'model_requested':
      return r.model_requested;
    case 'key_id':
      return r.key_id;
    case 'trace_id':
      return r.trace_id;
    case 'status':
      return r.status;
  }
  if (dim.startsWith('tag:')) return r.tags?.[dim.slice(4)] ?? null;
  return (r.attribution as unknown as Record<string, string | null>)[dim] ?? null;
}

export function recordBucket(r: RecordFields): Bucket {
  const u = r.usage;
  const tokens = u ? u.input_tokens + u.output_tokens + u.cache_read_tokens + u.cache_write_tokens + (u.cache_write_1h_tokens ?? 0) + u.reasoning_tokens : 0;
  return { cost: r.cost ? Number(r.cost.total) : 0, requests: 1, tokens, errors: r.status === 'error' ? 1 : 0 };
}

interface TraceWatch {
  times: number[];
  /** The calls before the trace was watched (errors too: a retry storm is mostly failures). */
  costs: Bucket[];
  series: BucketSeries | null;
}

export class SeriesBuilder {
  private readonly scopes = new Map<string, { series: ScopeSeries; total: number }>();
  private readonly traces = new Map<string, TraceWatch>();
  private readonly watched = new Map<string, BucketSeries>();
  private readonly firstSeen = new Map<string, number>();
  private readonly pairs = new Map<string, SourceSighting>();
  private lastPrune = 0;

  constructor(readonly o: SeriesBuilderOptions) {}

  add(r: RecordFields): void {
    const t = Date.parse(r.started_at);
    if (!(t >= this.o.fromMs && t < this.o.toMs)) return;
    const b = recordBucket(r);
    this.addTo({}, '', t, b);
    for (const dim of this.o.dimensions) {
      const v = dimensionValue(r, dim);
      if (v !== null) this.addTo({ [dim]: v }, dim, t, b);
    }
    for (const x of this.o.extraScopes ?? []) {
      if (Object.keys(x).length > 1 && recordInScope(x, (d) => dimensionValue(r, d))) this.addTo(x, 'annotation', t, b);
    }
    if (r.trace_id && t >= this.o.minuteFromMs) this.watchTrace(r.trace_id, t, b);
    for (const sd of this.o.newSourceScopes) {
      const sv = sd === '' ? '' : dimensionValue(r, sd);
      if (sv === null) continue;
      const scope: Scope = sd === '' ? {} : { [sd]: sv };
      const sid = scopeId(scope);
      if (!this.firstSeen.has(sid)) this.firstSeen.set(sid, t);
      for (const src of this.o.newSourceDimensions) {
        if (src === sd) continue;
        const v = dimensionValue(r, src);
        if (v === null) continue;
        const key = `${sid}|${src}|${v}`;
        const p = this.pairs.get(key);
        if (!p) this.pairs.set(key, { scope, source: src, value: v, first_seen: floorTo(t, MINUTE_MS), scope_first_seen: this.firstSeen.get(sid) ?? t, first_hour_cost: b.cost });
        else if (t < p.first_seen + HOUR_MS) p.first_hour_cost += b.cost;
      }
    }
  }

  private addTo(scope: Scope, dim: string, t: number, b: Bucket): void {
    const e = this.scopeEntry(scope, dim);
    e.total += b.cost;
    e.series.hours.add(t, b);
    if (t >= this.o.minuteFromMs) e.series.minutes.add(t, b);
  }

  private scopeEntry(scope: Scope, dim: string): { series: ScopeSeries; total: number } {
    const id = scopeId(scope);
    let e = this.scopes.get(id);
    if (!e) {
      e = { series: newScopeSeries(scope, dim, this.o.fromMs, this.o.toMs, this.o.minuteFromMs), total: 0 };
      this.scopes.set(id, e);
    }
    return e;
  }

  // ---- pre-aggregated input (ledger-series-query.ts: the store sums the buckets) ----
  // Fed in the order `add` would have met them, these give `build` the same result as one `add`
  // per record (sums of costs aside: the store sums exact decimals, `add` sums floats).

  /** Creates a scope's series if new; scopes are listed in the order they are first created. */
  openScope(scope: Scope, dim: string): void {
    this.scopeEntry(scope, dim);
  }

  /** One hour's sums of a scope (records in [fromMs, toMs)). */
  addScopeHour(scope: Scope, dim: string, hourMs: number, b: Bucket): void {
    const e = this.scopeEntry(scope, dim);
    e.total += b.cost;
    e.series.hours.add(hourMs, b);
  }

  /** One minute's sums of a scope (records in [minuteFromMs, toMs)). */
  addScopeMinute(scope: Scope, dim: string, minuteMs: number, b: Bucket): void {
    this.scopeEntry(scope, dim).series.minutes.add(minuteMs, b);
  }

  /** A record of a trace that may make enough calls to be watched, oldest first (only `t >= minuteFromMs`). */
  addTraceCall(traceId: string, t: number, b: Bucket): void {
    if (t >= this.o.minuteFromMs && t >= this.o.fromMs && t < this.o.toMs) this.watchTrace(traceId, t, b);
  }

  /** A first sighting of a source in a scope, in the order records first showed them. */
  addSighting(s: SourceSighting): void {
    this.pairs.set(`${scopeId(s.scope)}|${s.source}|${s.value}`, s);
  }

  private watchTrace(id: string, t: number, b: Bucket): void {
    const watched = this.watched.get(id);
    if (watched) {
      watched.add(t, b);
      return;
    }
    let w = this.traces.get(id);
    if (!w) this.traces.set(id, (w = { times: [], costs: [], series: null }));
    w.times.push(t);
    w.costs.push(b);
    while ((w.times[0] as number) < t - 5 * MINUTE_MS) {
      w.times.shift();
      w.costs.shift();
    }
    if (w.times.length >= this.o.traceWatchRequests) {
      const s = new BucketSeries(floorTo(this.o.minuteFromMs, MINUTE_MS), MINUTE_MS, Math.ceil((this.o.toMs - this.o.minuteFromMs) / MINUTE_MS) + 1);
      w.times.forEach((tt, i) => s.add(tt, w.costs[i] ?? { requests: 1 }));
      this.watched.set(id, s);
      this.traces.delete(id);
    }
    if (t - this.lastPrune > 10 * MINUTE_MS) {
      this.lastPrune = t;
      for (const [k, v] of this.traces) if ((v.times[v.times.length - 1] ?? 0) < t - 5 * MINUTE_MS) this.traces.delete(k);
    }
  }

  /** Global plus the top-K scopes per dimension by spend. */
  build(): Omit<DetectionInput, 'annotations'> {
    const byDim = new Map<string, { series: ScopeSeries; total: number }[]>();
    for (const e of this.scopes.values()) {
      const list = byDim.get(e.series.dimension) ?? [];
      list.push(e);
      byDim.set(e.series.dimension, list);
    }
    const scopes: ScopeSeries[] = [];
    for (const list of byDim.values()) scopes.push(...list.sort((a, b) => b.total - a.total).slice(0, this.o.topK).map((e) => e.series));
    return { scopes, traces: this.watched, sightings: [...this.pairs.values()] };
  }
}
