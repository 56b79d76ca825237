/**
 * Live detection input from the store's spend queries, kept cheap as scopes grow: once an hour the
 * hourly history (29 days) and a day of minutes per dimension, keeping only the top-K scopes by
 * spend; every tick only the last few minutes (one grouped query per dimension), the traces with
 * many calls in the last minutes, and any new (scope, source) pair.
 */
import type { SpendRow, Store } from '../store/store.js';
import type { Annotation } from './annotation.js';
import type { SourceSighting } from './detectors/new-source.js';
import type { DetectionInput } from './detection-engine.js';
import { scopeId, type Scope } from './scope.js';
import { BucketSeries, floorTo, HOUR_MS, MINUTE_MS, newScopeSeries, type Bucket, type ScopeSeries } from './scope-series.js';

const DAY = 86_400_000;

export interface LiveSourceOptions {
  dimensions: readonly string[];
  topK: number;
  traceWatchRequests: number;
  newSourceScopes: readonly string[];
  newSourceDimensions: readonly string[];
}

function bucketOf(r: SpendRow): Bucket {
  return {
    cost: Number(r.cost),
    requests: r.requests,
    tokens: r.input_tokens + r.output_tokens + r.cache_read_tokens + r.cache_write_tokens + r.reasoning_tokens,
    errors: r.groups['status'] === 'error' ? r.requests : 0,
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

export class LiveSeriesSource {
  private hour = -1;
  private scopes: ScopeSeries[] = [];
  private readonly seen = new Set<string>();
  private scopeFirst = new Map<string, number>();
  private lastTick = 0;

  constructor(
    private readonly store: Store,
    private readonly o: LiveSourceOptions,
  ) {}

  private groupings(): { dim: string; scopeOf: (r: SpendRow) => Scope | null }[] {
    return [{ dim: '', scopeOf: () => ({}) }, ...this.o.dimensions.map((dim) => ({ dim, scopeOf: (r: SpendRow) => (r.groups[dim] == null ? null : { [dim]: r.groups[dim] as string }) }))];
  }

  private async refreshHourly(hour: number, now: number, annotations: readonly Annotation[]): Promise<void> {
    const histFrom = hour - 29 * DAY;
    const minuteFrom = hour - 26 * HOUR_MS;
    const scopes: ScopeSeries[] = [];
    this.scopeFirst = new Map();
    const load = async (dim: string, group: string[], filters: Record<string, string> | undefined, scopeOf: (r: SpendRow) => Scope | null, keep: number) => {
      const hourly = await this.store.getSpend({ from: iso(histFrom), to: iso(now), granularity: 'hour', group_by: [...group, 'status'], ...(filters ? { filters } : {}) });
      const byId = new Map<string, { s: ScopeSeries; total: number }>();
      for (const r of hourly.rows) {
        const scope = scopeOf(r);
        if (!scope || r.period === null) continue;
        const id = scopeId(scope);
        let e = byId.get(id);
        if (!e) byId.set(id, (e = { s: newScopeSeries(scope, dim, histFrom, hour + 2 * HOUR_MS, minuteFrom), total: 0 }));
        const t = Date.parse(r.period);
        e.s.hours.add(t, bucketOf(r));
        e.total += Number(r.cost);
        this.scopeFirst.set(id, Math.min(this.scopeFirst.get(id) ?? Infinity, t));
      }
      const kept = [...byId.values()].sort((a, b) => b.total - a.total).slice(0, keep).map((e) => e.s);
      scopes.push(...kept);
      return kept;
    };
    for (const g of this.groupings()) await load(g.dim, g.dim ? [g.dim] : [], undefined, g.scopeOf, this.o.topK);
    for (const a of annotations) if (Object.keys(a.scope).length > 1) await load('annotation', [], a.scope, () => a.scope, 1);
    await this.fillMinutes(scopes, minuteFrom, now);
    for (const sd of this.o.newSourceScopes) {
      const res = await this.store.getSpend({ from: iso(histFrom), to: iso(now), granularity: 'none', group_by: this.sourceGrouping(sd) });
      for (const r of res.rows) for (const k of this.pairKeys(sd, r)) this.seen.add(k.key);
    }
    this.scopes = scopes;
    this.hour = hour;
  }

  private sourceGrouping(sd: string): string[] {
    return [...new Set([...(sd ? [sd] : []), ...this.o.newSourceDimensions])];
  }

  private pairKeys(sd: string, r: SpendRow): { key: string; scope: Scope; source: string; value: string }[] {
    const sv = sd ? r.groups[sd] : '';
    if (sv == null) return [];
    const scope: Scope = sd ? { [sd]: sv } : {};
    const out = [];
    for (const src of this.o.newSourceDimensions) {
      const v = r.groups[src];
      if (src === sd || v == null) continue;
      out.push({ key: `${scopeId(scope)}|${src}|${v}`, scope, source: src, value: v });
    }
    return out;
  }

  private async fillMinutes(scopes: readonly ScopeSeries[], from: number, to: number): Promise<void> {
    const byDim = new Map<string, Map<string, ScopeSeries>>();
    for (const s of scopes) {
      const m = byDim.get(s.dimension) ?? new Map<string, ScopeSeries>();
      m.set(scopeId(s.scope), s);
      byDim.set(s.dimension, m);
      for (let t = floorTo(from, MINUTE_MS); t < to; t += MINUTE_MS) s.minutes.clear(t);
    }
    for (const [dim, members] of byDim) {
      const queries: { filters?: Record<string, string>; group: string[] }[] =
        dim === 'annotation' ? [...members.values()].map((s) => ({ filters: s.scope, group: [] })) : [{ group: dim ? [dim] : [] }];
      for (const q of queries) {
        const res = await this.store.getSpend({ from: iso(from), to: iso(to), granularity: 'minute', group_by: [...q.group, 'status'], ...(q.filters ? { filters: q.filters } : {}) });
        for (const r of res.rows) {
          const scope: Scope = q.filters ?? (dim && r.groups[dim] != null ? { [dim]: r.groups[dim] as string } : {});
          if (dim && !q.filters && r.groups[dim] == null) continue;
          const s = members.get(scopeId(scope));
          if (s && r.period) s.minutes.add(Date.parse(r.period), bucketOf(r));
        }
      }
    }
  }

  /** The detection input as of `now` (epoch ms). */
  async load(now: number, annotations: readonly Annotation[]): Promise<DetectionInput> {
    const hour = floorTo(now, HOUR_MS);
    if (hour !== this.hour) await this.refreshHourly(hour, now, annotations);
    else await this.fillMinutes(this.scopes, Math.max(this.lastTick - 2 * MINUTE_MS, now - 10 * MINUTE_MS), now);
    const from = Math.max(this.lastTick || now - 2 * MINUTE_MS, now - 10 * MINUTE_MS);
    this.lastTick = now;

    const traces = new Map<string, BucketSeries>();
    // The last hour by trace and status: slow retry loops show over the hour, and their errors count.
    const tr = await this.store.getSpend({ from: iso(now - 60 * MINUTE_MS), to: iso(now), granularity: 'minute', group_by: ['trace_id', 'status'] });
    const recent = new Map<string, number>();
    const hourly = new Map<string, number>();
    for (const r of tr.rows) {
      const id = r.groups['trace_id'];
      if (!id) continue;
      hourly.set(id, (hourly.get(id) ?? 0) + r.requests);
      if (r.period && Date.parse(r.period) >= now - 10 * MINUTE_MS) recent.set(id, (recent.get(id) ?? 0) + r.requests);
    }
    for (const r of tr.rows) {
      const id = r.groups['trace_id'];
      if (!id || !r.period || ((recent.get(id) ?? 0) < this.o.traceWatchRequests && (hourly.get(id) ?? 0) < 3 * this.o.traceWatchRequests)) continue;
      let s = traces.get(id);
      if (!s) traces.set(id, (s = new BucketSeries(floorTo(now, MINUTE_MS) - 60 * MINUTE_MS, MINUTE_MS, 62)));
      s.add(Date.parse(r.period), bucketOf(r));
    }

    const sightings: SourceSighting[] = [];
    for (const sd of this.o.newSourceScopes) {
      const res = await this.store.getSpend({ from: iso(from - MINUTE_MS), to: iso(now), granularity: 'none', group_by: this.sourceGrouping(sd) });
      for (const r of res.rows) {
        for (const k of this.pairKeys(sd, r)) {
          if (this.seen.has(k.key)) continue;
          this.seen.add(k.key);
          const first = this.scopeFirst.get(scopeId(k.scope));
          if (first === undefined) continue;
          sightings.push({ scope: k.scope, source: k.source, value: k.value, first_seen: now - 1, scope_first_seen: first, first_hour_cost: Number(r.cost) });
        }
      }
    }
    return { scopes: this.scopes, traces, sightings, annotations };
  }
}
