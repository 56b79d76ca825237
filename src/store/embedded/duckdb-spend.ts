/**
 * DuckDB SQL for the analytics queries (spend group-bys, filters by any dimension).
 *
 * Time zones: ICU's per-row zone conversion costs ~1 µs, which over millions of rows is seconds.
 * So a zone-aware query first aggregates by 15-minute UTC slot (integer arithmetic on epoch
 * microseconds; every zone offset in use is a multiple of 15 minutes) and converts only the
 * few thousand slots to local buckets, re-aggregating exactly (DECIMAL sums of DECIMAL sums).
 * UTC queries bucket with date_trunc directly.
 */
import type { DuckDBValue } from '@duckdb/node-api';
import { TZ_SLOT_US, type ResolvedDimension, type ResolvedFilter, type ResolvedSpendQuery } from '../spend-query.js';

export const TS = 'make_timestamp(?::BIGINT)';

export function dimensionSql(d: ResolvedDimension): string {
  // Tag names are validated to [A-Za-z0-9_.-]; quoting the JSON path key keeps dots literal.
  return d.kind === 'tag' ? `json_extract_string(tags, '$."${d.name}"')` : `"${d.name}"`;
}

export interface Where {
  clauses: string[];
  params: DuckDBValue[];
}

export function whereOf(fromUs: bigint | undefined, toUs: bigint | undefined, filters: readonly ResolvedFilter[]): Where {
  const w: Where = { clauses: [], params: [] };
  if (fromUs !== undefined) {
    w.clauses.push(`started_at >= ${TS}`);
    w.params.push(fromUs);
  }
  if (toUs !== undefined) {
    w.clauses.push(`started_at < ${TS}`);
    w.params.push(toUs);
  }
  for (const f of filters) {
    if (f.value === null) {
      w.clauses.push(`${dimensionSql(f.dim)} IS NULL`);
    } else {
      w.clauses.push(`${dimensionSql(f.dim)} = ?`);
      w.params.push(f.value);
    }
  }
  return w;
}

export const whereSql = (w: Where): string => (w.clauses.length ? ` WHERE ${w.clauses.join(' AND ')}` : '');

const SUMS: readonly [alias: string, column: string][] = [
  ['input', 'input_tokens'],
  ['output', 'output_tokens'],
  ['cache_read', 'cache_read_tokens'],
  ['cache_write', 'cache_write_tokens'],
  ['reasoning', 'reasoning_tokens'],
];

/** Bucket start (TIMESTAMP, UTC) of a UTC timestamp expression, for granularities other than none. */
function utcBucket(granularity: string, ts: string): string {
  return `date_trunc('${granularity}', ${ts})`;
}

/**
 * Epoch-µs bucket start for a UTC slot timestamp `s` in zone `tz` (slots are whole minutes or
 * 15-minute slots, so minute/hour buckets are the slot minus its local minutes past the unit).
 */
export function zonedBucketUs(granularity: string, tz: string, s: string): string {
  const local = `timezone('${tz}', timezone('UTC', ${s}))`;
  if (granularity === 'minute') return `epoch_us(${s})`;
  if (granularity === 'hour') return `epoch_us(${s}) - (epoch_us(${local}) - epoch_us(date_trunc('hour', ${local})))`;
  return `epoch_us(timezone('${tz}', date_trunc('${granularity}', ${local})))`;
}

/** Pre-summed rows shaped like the rollup (src/store/embedded/duckdb-rollup.ts rollupSource). */
export interface SummedSource {
  sql: string;
  params: DuckDBValue[];
}

const rawCounts = (money: MoneyColumn): string[] => [`sum(${money}) AS cost`, 'count(*) AS requests', 'count(*) FILTER (WHERE cost_total IS NULL AND input_tokens IS NOT NULL) AS unpriced'];
const SUMMED_COUNTS = ['sum(cost) AS cost', 'sum(requests) AS requests', 'sum(unpriced) AS unpriced'];

/** The ledger column summed as `cost`: the cost, or (the savings side of a with_saved query) `saved`. */
export type MoneyColumn = 'cost_total' | 'saved';

/** The spend query over the raw ledger, or over pre-summed rows when `summed` is given. */
export function spendSql(q: ResolvedSpendQuery, summed?: SummedSource, money: MoneyColumn = 'cost_total'): { sql: string; params: DuckDBValue[] } {
  const from = summed ? `(${summed.sql})` : 'ledger';
  const counts = summed ? SUMMED_COUNTS : rawCounts(money);
  const w = whereOf(q.fromUs, q.toUs, q.filters);
  if (summed) w.params.unshift(...summed.params);
  const groups = q.groupBy.map((g, i) => `${dimensionSql(g.dim)} AS g${i}`);
  const groupAliases = q.groupBy.map((_g, i) => `g${i}`);
  const order = ['period_us NULLS FIRST', 'cost DESC NULLS LAST', ...groupAliases.map((g) => `${g} NULLS LAST`)].join(', ');
  const zoned = q.tz !== 'UTC' && q.granularity !== 'none';

  if (!zoned) {
    const period = q.granularity === 'none' ? 'NULL::BIGINT' : `epoch_us(${utcBucket(q.granularity, 'started_at')})`;
    const select = [
      `${period} AS period_us`,
      ...groups,
      ...counts,
      ...SUMS.map(([a, c]) => `sum(${c}) AS ${a}`),
    ];
    return { sql: `SELECT ${select.join(', ')} FROM ${from}${whereSql(w)} GROUP BY ALL HAVING ${summed ? 'sum(requests)' : 'count(*)'} > 0 ORDER BY ${order}`, params: w.params };
  }

  const slotUs = q.granularity === 'minute' ? 60_000_000n : TZ_SLOT_US;
  const inner = [
    `make_timestamp((epoch_us(started_at) // ${slotUs}) * ${slotUs}) AS slot`,
    ...groups,
    ...counts,
    ...SUMS.map(([a, c]) => `sum(${c}) AS ${a}`),
  ];
  const outer = [
    `${zonedBucketUs(q.granularity, q.tz, 'slot')} AS period_us`,
    ...groupAliases,
    'sum(cost) AS cost',
    'sum(requests) AS requests',
    'sum(unpriced) AS unpriced',
    ...SUMS.map(([a]) => `sum(${a}) AS ${a}`),
  ];
  const sql = `SELECT ${outer.join(', ')} FROM (SELECT ${inner.join(', ')} FROM ${from}${whereSql(w)} GROUP BY ALL) GROUP BY ALL ORDER BY ${order}`;
  return { sql, params: w.params };
}
