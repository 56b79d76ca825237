/**
 * PostgreSQL SQL for spend queries, from the hourly rollup when the query allows it, else from
 * the raw ledger.
 *
 * The rollups answer when every grouped and filtered dimension is a rollup dimension, the bounds
 * fall on whole UTC hours and, for zone-aware buckets, the zone's offset is a whole number of
 * hours over the range (Kolkata's +5:30 days start mid-hour, so they need raw records). UTC
 * queries on whole days with day or coarser buckets read the daily rollup.
 *
 * Bucket starts are computed like the embedded store: minute and hour buckets subtract the local
 * minutes past the unit from the instant (exact even in a repeated DST hour); day, week and month
 * buckets convert the local start back to an instant.
 */
import { ROLLUP_DIMENSIONS } from '../migrations/postgres/001-ledger.js';
import { HOUR_US, zoneIsHourAligned, type ResolvedDimension, type ResolvedFilter, type ResolvedSpendQuery } from '../spend-query.js';

export { zoneIsHourAligned };

export type PgParam = string | number | boolean | null | string[];

export class Params {
  readonly values: PgParam[] = [];
  add(v: PgParam): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

export function pgDimension(d: ResolvedDimension, p: Params): string {
  return d.kind === 'tag' ? `(tags ->> ${p.add(d.name)}::text)` : `"${d.name}"`;
}

/** Instant bound as a timestamptz expression from epoch microseconds. */
export const pgInstant = (us: bigint, p: Params): string => `('epoch'::timestamptz + ${p.add(us.toString())}::int8 * interval '1 microsecond')`;

export function pgWhere(timeColumn: string, fromUs: bigint | undefined, toUs: bigint | undefined, filters: readonly ResolvedFilter[], p: Params): string[] {
  const w: string[] = [];
  if (fromUs !== undefined) w.push(`${timeColumn} >= ${pgInstant(fromUs, p)}`);
  if (toUs !== undefined) w.push(`${timeColumn} < ${pgInstant(toUs, p)}`);
  for (const f of filters) {
    const col = pgDimension(f.dim, p);
    w.push(f.value === null ? `${col} IS NULL` : `${col} = ${p.add(f.value)}::text`);
  }
  return w;
}

export function rollupEligible(q: ResolvedSpendQuery): boolean {
  const dims = ROLLUP_DIMENSIONS as readonly string[];
  const inRollup = (d: ResolvedDimension): boolean => d.kind === 'column' && dims.includes(d.name);
  if (!q.groupBy.every((g) => inRollup(g.dim)) || !q.filters.every((f) => inRollup(f.dim))) return false;
  if (q.granularity === 'minute') return false;
  if ((q.fromUs !== undefined && q.fromUs % HOUR_US !== 0n) || (q.toUs !== undefined && q.toUs % HOUR_US !== 0n)) return false;
  return q.granularity === 'none' || zoneIsHourAligned(q.tz, q.fromUs, q.toUs);
}

const epochUs = (ts: string): string => `(extract(epoch from ${ts}) * 1000000)::int8`;

function bucketUs(granularity: string, tz: string, ts: string, p: Params): string {
  if (granularity === 'none') return 'NULL::int8';
  const zone = `${p.add(tz)}::text`;
  const local = `(${ts} AT TIME ZONE ${zone})`;
  if (granularity === 'minute' || granularity === 'hour') return `(${epochUs(ts)} - (extract(epoch from ${local} - date_trunc('${granularity}', ${local})) * 1000000)::int8)`;
  return epochUs(`(date_trunc('${granularity}', ${local}) AT TIME ZONE ${zone})`);
}

const rawSums = (money: MoneyColumn): string[] => [
  `sum(${money}) AS cost`,
  'count(*) AS requests',
  'count(*) FILTER (WHERE cost_total IS NULL AND input_tokens IS NOT NULL) AS unpriced',
  'sum(input_tokens) AS input',
  'sum(output_tokens) AS output',
  'sum(cache_read_tokens) AS cache_read',
  'sum(cache_write_tokens) AS cache_write',
  'sum(reasoning_tokens) AS reasoning',
];
const ROLLUP_SUMS = [
  'sum(cost) AS cost',
  'sum(requests) AS requests',
  'sum(unpriced) AS unpriced',
  'sum(input_tokens) AS input',
  'sum(output_tokens) AS output',
  'sum(cache_read_tokens) AS cache_read',
  'sum(cache_write_tokens) AS cache_write',
  'sum(reasoning_tokens) AS reasoning',
];

const DAY_US = 86_400_000_000n;

/** The daily rollup serves UTC day/week/month/total queries on whole-day bounds. */
function dailyEligible(q: ResolvedSpendQuery): boolean {
  return q.tz === 'UTC' && ['day', 'week', 'month', 'none'].includes(q.granularity) && (q.fromUs === undefined || q.fromUs % DAY_US === 0n) && (q.toUs === undefined || q.toUs % DAY_US === 0n);
}

export type SpendSource = 'ledger' | 'ledger_rollup_hourly' | 'ledger_rollup_daily';

/** The ledger column summed as `cost`: the cost, or (the savings side of a with_saved query) `saved`. */
export type MoneyColumn = 'cost_total' | 'saved';

export function pgSpendSql(q: ResolvedSpendQuery, useRollup: boolean, money: MoneyColumn = 'cost_total'): { sql: string; params: PgParam[]; source: SpendSource } {
  const p = new Params();
  const source: SpendSource = !useRollup || !rollupEligible(q) ? 'ledger' : dailyEligible(q) ? 'ledger_rollup_daily' : 'ledger_rollup_hourly';
  const rollup = source !== 'ledger';
  const time = source === 'ledger_rollup_daily' ? 'day' : rollup ? 'hour' : 'started_at';
  const period = `${bucketUs(q.granularity, q.tz, time, p)} AS period_us`;
  const groups = q.groupBy.map((g, i) => `${pgDimension(g.dim, p)} AS g${i}`);
  const where = pgWhere(time, q.fromUs, q.toUs, q.filters, p);
  const groupBy = ['period_us', ...q.groupBy.map((_g, i) => `g${i}`)];
  const order = ['period_us NULLS FIRST', 'cost DESC NULLS LAST', ...q.groupBy.map((_g, i) => `g${i} COLLATE "C" NULLS LAST`)];
  const sql =
    `SELECT * FROM (SELECT ${[period, ...groups, ...(rollup ? ROLLUP_SUMS : rawSums(money))].join(', ')} FROM ${source}` +
    `${where.length ? ` WHERE ${where.join(' AND ')}` : ''} GROUP BY ${groupBy.join(', ')} HAVING ${rollup ? 'sum(requests)' : 'count(*)'} > 0) s ORDER BY ${order.join(', ')}`;
  return { sql, params: p.values, source };
}
