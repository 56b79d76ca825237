/**
 * The backtest's ledger read, aggregated in the store: instead of mapping every record to an
 * object and folding it in JS (most of a backtest's time at a million records), the engine sums
 * the hour and minute buckets of every scope with GROUPING SETS, finds the traces busy enough to
 * watch and the first sightings of each (scope, source) pair, and only those few rows reach the
 * SeriesBuilder — in the order one `add` per record would have created them, so the detectors
 * see the same series. One difference: bucket costs are exact decimal sums turned into floats
 * once, where `add` summed floats record by record (they agree to the last few bits).
 *
 * Portable SQL (src/store/sql.ts) for both stores; dialect differences are in `Dialect` below.
 */
import type { SqlClient, SqlRow } from '../store/sql.js';
import { isSpendDimension } from '../store/store.js';
import type { Scope } from './scope.js';
import { floorTo, HOUR_MS, MINUTE_MS, type Bucket } from './scope-series.js';
import type { SeriesBuilder } from './series-builder.js';

interface Dialect {
  /** Epoch ms of started_at (truncated). */
  t: string;
  /** started_at at or after / before epoch µs parameter `$n`. */
  at: (n: number) => string;
  /** The text of tag NAME. */
  tag: (name: string) => string;
}

const DIALECTS: Record<SqlClient['dialect'], Dialect> = {
  duckdb: { t: 'epoch_ms(started_at)', at: (n) => `make_timestamp($${n}::BIGINT)`, tag: (name) => `json_extract_string(tags, '$."${name}"')` },
  postgres: {
    t: 'floor(extract(epoch from started_at) * 1000)::int8',
    at: (n) => `('epoch'::timestamptz + $${n}::int8 * interval '1 microsecond')`,
    tag: (name) => `(tags->>'${name}')`,
  },
};

/** A scope dimension as SQL over the ledger (series-builder.ts dimensionValue). */
function dimensionSql(dim: string, d: Dialect): string {
  if (dim === 'model') return 'coalesce(model, model_requested)';
  if (dim.startsWith('tag:')) return d.tag(dim.slice(4));
  return `"${dim}"`;
}

const TOKENS = 'coalesce(input_tokens + output_tokens + cache_read_tokens + cache_write_tokens + coalesce(cache_write_1h_tokens, 0) + reasoning_tokens, 0)';

export interface SeriesQueryOptions {
  fromMs: number;
  minuteFromMs: number;
  toMs: number;
  dimensions: readonly string[];
  extraScopes: readonly Scope[];
  newSourceScopes: readonly string[];
  newSourceDimensions: readonly string[];
  traceWatchRequests: number;
}

const num = (v: SqlRow[string] | undefined): number => (v === null || v === undefined ? 0 : Number(v));
const str = (v: SqlRow[string] | undefined): string | null => (v === null || v === undefined ? null : String(v));
const bucketOf = (r: SqlRow): Bucket => ({ cost: num(r.cost), requests: num(r.requests), tokens: num(r.tokens), errors: num(r.errors) });
const numbers = (v: unknown): number[] => (Array.isArray(v) ? v.map(Number) : []);
/** The buckets of one scope row (parallel arrays, in bucket order). */
function eachBucket(r: SqlRow, fn: (ms: number, b: Bucket) => void): void {
  const [b, cost, requests, tokens, errors] = [r.b, r.cost, r.requests, r.tokens, r.errors].map(numbers) as [number[], number[], number[], number[], number[]];
  for (let i = 0; i < b.length; i++) fn(b[i]!, { cost: cost[i] ?? 0, requests: requests[i] ?? 0, tokens: tokens[i] ?? 0, errors: errors[i] ?? 0 });
}

/** True when every dimension can be read in SQL (the ones `isSpendDimension` allows). */
export function seriesQueryable(o: Pick<SeriesQueryOptions, 'dimensions' | 'extraScopes' | 'newSourceScopes' | 'newSourceDimensions'>): boolean {
  const dims = [...o.dimensions, ...o.extraScopes.flatMap((s) => Object.keys(s)), ...o.newSourceScopes.filter((d) => d !== ''), ...o.newSourceDimensions];
  return dims.every((d) => isSpendDimension(d));
}

/**
 * Fills `builder` from the store for records started in [fromMs, toMs). Returns the number of
 * records the sums cover.
 */
export async function loadSeriesFromStore(sql: SqlClient, builder: SeriesBuilder, o: SeriesQueryOptions): Promise<number> {
  const d = DIALECTS[sql.dialect];
  const dims = [...new Set(o.dimensions)];
  const cols = dims.map((dim, i) => `${dimensionSql(dim, d)} AS d${i}`);
  const base = (extra = ''): string =>
    `SELECT ${d.t} AS t, coalesce(cost_total, 0) AS cost, ${TOKENS} AS tokens, CASE WHEN status = 'error' THEN 1 ELSE 0 END AS err${extra}${cols.length ? ', ' + cols.join(', ') : ''} FROM ledger WHERE started_at >= ${d.at(1)} AND started_at < ${d.at(2)}`;
  const range = [o.fromMs * 1000, o.toMs * 1000];
  const minuteRange = [Math.max(o.fromMs, o.minuteFromMs) * 1000, o.toMs * 1000];
  const dimCols = dims.map((_x, i) => `d${i}`);
  const sets = ['(b)', ...dimCols.map((c) => `(b, ${c})`)].join(', ');
  const grouping = dimCols.length ? `GROUPING(${dimCols.join(', ')})` : '0';
  const sums = `sum(cost) AS cost, count(*) AS requests, sum(tokens) AS tokens, sum(err) AS errors, min(t) AS first_t`;
  // One row per scope with its buckets as arrays (hundreds of thousands of minute rows would cost
  // more to hand to JS one object each than to sum).
  const f8 = (x: string): string => `array_agg(CAST(${x} AS DOUBLE PRECISION) ORDER BY b)`;
  const keys = `g${dimCols.length ? ', ' + dimCols.join(', ') : ''}`;
  const bucketed = (step: number, r: number[]): Promise<SqlRow[]> =>
    sql.query(
      `SELECT ${keys}, ${f8('b')} AS b, ${f8('cost')} AS cost, ${f8('requests')} AS requests, ${f8('tokens')} AS tokens, ${f8('errors')} AS errors, min(first_t) AS first_t, sum(requests) AS n
       FROM (SELECT ${grouping} AS g, ${dimCols.length ? dimCols.join(', ') + ', ' : ''}floor(t / ${step}) * ${step} AS b, ${sums} FROM (${base()}) r GROUP BY GROUPING SETS (${sets})) x
       GROUP BY ${keys}`,
      r,
    );
  const hours = await bucketed(HOUR_MS, range);
  const minutes = await bucketed(MINUTE_MS, minuteRange);

  /** Which scope a grouping row is: global, or dimension i with its value (NULL values are not scopes). */
  const all = (1 << dims.length) - 1;
  const scopeOf = (r: SqlRow): { scope: Scope; dim: string; order: number } | null => {
    const g = num(r.g);
    if (g === all) return { scope: {}, dim: '', order: 0 };
    const i = dims.findIndex((_x, k) => (g & (1 << (dims.length - 1 - k))) === 0);
    const v = str(r[`d${i}`]);
    return v === null ? null : { scope: { [dims[i]!]: v }, dim: dims[i]!, order: i + 1 };
  };

  // Scopes in the order records first met them: by first record, then global before the dimensions in order.
  const first: { scope: Scope; dim: string; t: number; order: number }[] = [];
  let records = 0;
  for (const r of hours) {
    const s = scopeOf(r);
    if (!s) continue;
    if (s.dim === '') records = num(r.n);
    first.push({ ...s, t: num(r.first_t) });
  }
  const extras = await extraScopeRows(sql, d, o, range, minuteRange);
  for (const x of extras) if (x.firstT !== null) first.push({ scope: x.scope, dim: 'annotation', t: x.firstT, order: dims.length + 1 + x.index });
  for (const f of first.sort((a, b) => a.t - b.t || a.order - b.order)) builder.openScope(f.scope, f.dim);

  for (const r of hours) {
    const s = scopeOf(r);
    if (s) eachBucket(r, (ms, b) => builder.addScopeHour(s.scope, s.dim, ms, b));
  }
  for (const r of minutes) {
    const s = scopeOf(r);
    if (s) eachBucket(r, (ms, b) => builder.addScopeMinute(s.scope, s.dim, ms, b));
  }
  for (const x of extras) {
    for (const r of x.hours) builder.addScopeHour(x.scope, 'annotation', num(r.b), bucketOf(r));
    for (const r of x.minutes) builder.addScopeMinute(x.scope, 'annotation', num(r.b), bucketOf(r));
  }

  await loadTraces(sql, d, builder, o, minuteRange);
  await loadSightings(sql, d, builder, o, range);
  return records;
}

/** Multi-field scopes (annotations) summed with their own filter, each as often as it is listed. */
async function extraScopeRows(sql: SqlClient, d: Dialect, o: SeriesQueryOptions, range: number[], minuteRange: number[]) {
  const out: { scope: Scope; index: number; firstT: number | null; hours: SqlRow[]; minutes: SqlRow[] }[] = [];
  for (const [index, scope] of o.extraScopes.entries()) {
    const keys = Object.keys(scope);
    if (keys.length <= 1) continue;
    // scope.ts recordInScope: every field equals the record's value (a NULL value never matches).
    const where = keys.map((k, i) => `${dimensionSql(k, d)} = $${i + 3}`).join(' AND ');
    const params = keys.map((k) => scope[k] ?? null);
    const q = (step: number, r: number[]): Promise<SqlRow[]> =>
      sql.query(
        `SELECT floor(t / ${step}) * ${step} AS b, sum(cost) AS cost, count(*) AS requests, sum(tokens) AS tokens, sum(err) AS errors, min(t) AS first_t
         FROM (SELECT ${d.t} AS t, coalesce(cost_total, 0) AS cost, ${TOKENS} AS tokens, CASE WHEN status = 'error' THEN 1 ELSE 0 END AS err FROM ledger
               WHERE started_at >= ${d.at(1)} AND started_at < ${d.at(2)} AND ${where}) r GROUP BY 1`,
        [...r, ...params],
      );
    const hours = await q(HOUR_MS, range);
    const firstT = hours.length ? Math.min(...hours.map((r) => num(r.first_t))) : null;
    out.push({ scope, index, firstT, hours, minutes: await q(MINUTE_MS, minuteRange) });
  }
  return out;
}

/** Records of traces with enough calls in the minute range to possibly be watched, oldest first. */
async function loadTraces(sql: SqlClient, d: Dialect, builder: SeriesBuilder, o: SeriesQueryOptions, minuteRange: number[]): Promise<void> {
  // `add` watches only records with a (non-empty) trace id.
  const inRange = `started_at >= ${d.at(1)} AND started_at < ${d.at(2)} AND trace_id IS NOT NULL AND trace_id <> ''`;
  const rows = await sql.query(
    `SELECT trace_id, ${d.t} AS t, coalesce(cost_total, 0) AS cost, ${TOKENS} AS tokens, CASE WHEN status = 'error' THEN 1 ELSE 0 END AS errors FROM ledger
     WHERE ${inRange} AND trace_id IN (SELECT trace_id FROM ledger WHERE ${inRange} GROUP BY trace_id HAVING count(*) >= $3)
     ORDER BY started_at, id`,
    [...minuteRange, o.traceWatchRequests],
  );
  for (const r of rows) builder.addTraceCall(String(r.trace_id), num(r.t), { cost: num(r.cost), requests: 1, tokens: num(r.tokens), errors: num(r.errors) });
}

/** First sightings of each (scope, source, value), with the scope's own first spend and the pair's first-hour cost. */
async function loadSightings(sql: SqlClient, d: Dialect, builder: SeriesBuilder, o: SeriesQueryOptions, range: number[]): Promise<void> {
  const pairs: { k: number; sd: string; src: string }[] = [];
  for (const sd of o.newSourceScopes) for (const src of o.newSourceDimensions) if (src !== sd) pairs.push({ k: pairs.length, sd, src });
  if (pairs.length === 0) return;
  const inRange = `started_at >= ${d.at(1)} AND started_at < ${d.at(2)}`;
  const long = pairs
    .map(({ k, sd, src }) => {
      const sv = sd === '' ? "''" : dimensionSql(sd, d);
      const v = dimensionSql(src, d);
      return `SELECT ${k} AS k, ${sv} AS sv, ${v} AS v, ${d.t} AS t, coalesce(cost_total, 0) AS cost FROM ledger WHERE ${inRange} AND ${sv} IS NOT NULL AND ${v} IS NOT NULL`;
    })
    .join(' UNION ALL ');
  const rows = await sql.query(
    `WITH p AS (${long}), f AS (SELECT k, sv, v, min(t) AS first FROM p GROUP BY k, sv, v)
     SELECT f.k, f.sv, f.v, f.first, sum(p.cost) AS cost FROM f JOIN p ON p.k = f.k AND p.sv = f.sv AND p.v = f.v AND p.t < floor(f.first / ${MINUTE_MS}) * ${MINUTE_MS} + ${HOUR_MS}
     GROUP BY f.k, f.sv, f.v, f.first`,
    range,
  );
  // When each scope first had spend: its first record with the scope's dimension set.
  const scopeDims = [...new Set(o.newSourceScopes)];
  const seen = await sql.query(
    scopeDims
      .map((sd, i) => {
        const sv = sd === '' ? "''" : dimensionSql(sd, d);
        return `SELECT ${i} AS i, ${sv} AS sv, min(${d.t}) AS first FROM ledger WHERE ${inRange} AND ${sv} IS NOT NULL${sd === '' ? '' : ` GROUP BY ${sv}`}`;
      })
      .join(' UNION ALL '),
    range,
  );
  const scopeFirst = new Map(seen.map((r) => [`${num(r.i)}|${str(r.sv)}`, num(r.first)]));
  const sightings = rows
    .map((r) => {
      const p = pairs[num(r.k)]!;
      const sv = str(r.sv) ?? '';
      const firstT = num(r.first);
      return {
        order: [firstT, p.k] as const,
        s: {
          scope: p.sd === '' ? {} : { [p.sd]: sv },
          source: p.src,
          value: String(r.v),
          first_seen: floorTo(firstT, MINUTE_MS),
          scope_first_seen: scopeFirst.get(`${scopeDims.indexOf(p.sd)}|${sv}`) ?? firstT,
          first_hour_cost: num(r.cost),
        },
      };
    })
    .sort((a, b) => a.order[0] - b.order[0] || a.order[1] - b.order[1]);
  for (const x of sightings) builder.addSighting(x.s);
}
