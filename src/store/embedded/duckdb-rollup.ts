/**
 * The embedded store's hourly rollup (migration 005): keeping it equal to the raw ledger, and
 * reading spend from it.
 *
 * Maintenance: every ledger write computes a delta (sums per hour and rollup key) and merges it
 * into the rollup in the same transaction. Ingest appends (a lookup-and-update per batch measured
 * ~12 ms per 500 records, halving the insert rate), and the store compacts the hours it dirtied
 * once enough rows piled up (and on close). The rollup has no unique index: DuckDB's indexes treat
 * NULL keys as distinct, and unattributed calls are exactly the NULL keys.
 *
 * Reading: a query the rollup covers (rollup dimensions only, no minute buckets, a zone whose
 * offsets are whole hours) reads whole hours from the rollup and the partial hours at its edges
 * from the raw ledger, as one source of pre-summed rows shaped like the rollup with the instant
 * in `started_at`. So any bounds are exact, and a 30-day report reads a few raw hours at most.
 */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { ROLLUP_DIMENSIONS, ROLLUP_INGEST_SUMS, ROLLUP_TOKENS } from '../migrations/embedded/005-ledger-rollup-hourly.js';
import { HOUR_US, zoneIsHourAligned, type ResolvedDimension, type ResolvedSpendQuery } from '../spend-query.js';

export const ROLLUP_TABLE = 'ledger_rollup_hourly';
const DIMS = ROLLUP_DIMENSIONS.map((d) => `"${d}"`);
const SUM_COLUMNS = ['cost', 'requests', 'unpriced', ...ROLLUP_TOKENS];

/** A delta: `SELECT hour, <dims>, <sums>` over some rows, aggregated per key (see the builders below). */
export interface RollupDelta {
  sql: string;
  params: DuckDBValue[];
}

/** Sums of the ledger rows `source` yields (an insert, an import batch) as a delta to add. */
export function ingestDelta(source: string, params: DuckDBValue[] = []): RollupDelta {
  return { sql: `SELECT date_trunc('hour', started_at) AS hour, ${DIMS.join(', ')}, ${ROLLUP_INGEST_SUMS.join(', ')} FROM ${source} GROUP BY ALL`, params };
}

/** The same sums negated: what deleting the rows `source` yields takes away. */
export function removalDelta(source: string, params: DuckDBValue[] = []): RollupDelta {
  return { sql: `SELECT hour, ${DIMS.join(', ')}, ${SUM_COLUMNS.map((c) => `-${c} AS ${c}`).join(', ')} FROM (${ingestDelta(source).sql})`, params };
}

/**
 * Re-pricing: `joined` yields the ledger row as `l` and its new cost as `u` (cost_total), only for
 * rows whose cost changes. Calls and tokens stay; cost and the unpriced count move.
 */
export function repriceDelta(joined: string, params: DuckDBValue[] = []): RollupDelta {
  const unpriced = (cost: string): string => `(${cost} IS NULL AND l.input_tokens IS NOT NULL)::BIGINT`;
  return {
    sql:
      `SELECT date_trunc('hour', l.started_at) AS hour, ${DIMS.map((d) => `l.${d}`).join(', ')}, ` +
      `sum(coalesce(u.cost_total, 0) - coalesce(l.cost_total, 0))::DECIMAL(38,18) AS cost, 0::BIGINT AS requests, ` +
      `sum(${unpriced('u.cost_total')} - ${unpriced('l.cost_total')})::BIGINT AS unpriced, ${ROLLUP_TOKENS.map((c) => `0::BIGINT AS ${c}`).join(', ')} ` +
      `FROM ${joined} GROUP BY ALL`,
    params,
  };
}

/**
 * Adds a delta to the rollup by appending its rows: a key may then have several rows, which every
 * reader sums anyway (sums of sums are exact), so ingest never looks rows up. `compactRollup`
 * folds them back into one row per key. Must run inside the transaction of the ledger write it
 * mirrors. Returns the rows appended.
 */
export async function appendRollupDelta(conn: DuckDBConnection, delta: RollupDelta): Promise<number> {
  return Number((await conn.run(`INSERT INTO ${ROLLUP_TABLE} ${delta.sql}`, delta.params)).rowsChanged);
}

/** Appends a rare, bulk delta (re-pricing, retention) and compacts the hours it touched at once. */
export async function mergeRollupDelta(conn: DuckDBConnection, delta: RollupDelta): Promise<void> {
  await conn.run('DROP TABLE IF EXISTS temp.rollup_delta');
  await conn.run(`CREATE TEMP TABLE rollup_delta AS ${delta.sql}`, delta.params);
  try {
    await conn.run(`INSERT INTO ${ROLLUP_TABLE} SELECT * FROM rollup_delta`);
    await compactRollup(conn, 'SELECT DISTINCT hour FROM rollup_delta');
  } finally {
    await conn.run('DROP TABLE IF EXISTS temp.rollup_delta');
  }
}

/**
 * One row per key again in the hours `hours` (a query yielding `hour` TIMESTAMPs, or epoch-µs
 * hour starts), dropping keys left with no calls. Exact: the rows are summed, not recomputed.
 */
export async function compactRollup(conn: DuckDBConnection, hours: string | readonly bigint[]): Promise<void> {
  if (typeof hours !== 'string' && hours.length === 0) return;
  const inHours = typeof hours === 'string' ? `hour IN (${hours})` : `hour IN (${hours.map((h) => `make_timestamp(${h}::BIGINT)`).join(', ')})`;
  const summed = SUM_COLUMNS.map((c) => `sum(${c})::${c === 'cost' ? 'DECIMAL(38,18)' : 'BIGINT'} AS ${c}`).join(', ');
  await conn.run('DROP TABLE IF EXISTS temp.rollup_compacted');
  await conn.run(`CREATE TEMP TABLE rollup_compacted AS SELECT hour, ${DIMS.join(', ')}, ${summed} FROM ${ROLLUP_TABLE} WHERE ${inHours} GROUP BY ALL HAVING sum(requests) <> 0`);
  try {
    await conn.run(`DELETE FROM ${ROLLUP_TABLE} WHERE ${inHours}`);
    await conn.run(`INSERT INTO ${ROLLUP_TABLE} SELECT * FROM rollup_compacted ORDER BY hour`);
  } finally {
    await conn.run('DROP TABLE IF EXISTS temp.rollup_compacted');
  }
}

/** Retention below `cutoffUs`: whole hours leave the rollup outright, the partial hour by delta. */
export async function retainRollupFrom(conn: DuckDBConnection, cutoffUs: bigint): Promise<void> {
  const hourStart = floorHour(cutoffUs);
  await conn.run(`DELETE FROM ${ROLLUP_TABLE} WHERE hour < make_timestamp(?::BIGINT)`, [hourStart]);
  if (hourStart !== cutoffUs) {
    await mergeRollupDelta(conn, removalDelta('ledger WHERE started_at >= make_timestamp(?::BIGINT) AND started_at < make_timestamp(?::BIGINT)', [hourStart, cutoffUs]));
  }
}

export const floorHour = (us: bigint): bigint => us - (((us % HOUR_US) + HOUR_US) % HOUR_US);

/** True when the rollup holds every dimension the query groups or filters by, at a usable grain. */
export function rollupCovers(q: Pick<ResolvedSpendQuery, 'groupBy' | 'filters' | 'granularity' | 'tz' | 'fromUs' | 'toUs'>): boolean {
  const inRollup = (d: ResolvedDimension): boolean => d.kind === 'column' && (ROLLUP_DIMENSIONS as readonly string[]).includes(d.name);
  if (!q.groupBy.every((g) => inRollup(g.dim)) || !q.filters.every((f) => inRollup(f.dim))) return false;
  if (q.granularity === 'minute') return false;
  return q.granularity === 'none' || zoneIsHourAligned(q.tz, q.fromUs, q.toUs);
}

/**
 * Pre-summed rows over [lo, hi) shaped like the rollup (instant in `started_at`): whole hours from
 * the rollup, and raw rows for every hour that holds a bound not on the hour (`bounds`: all the
 * instants the caller will compare `started_at` with). Comparing a rollup row's hour with a bound
 * on the hour is exact, so callers filter this source as if it were the ledger.
 */
export function rollupSource(lo: bigint | undefined, hi: bigint | undefined, bounds: readonly bigint[]): RollupDelta {
  const edges = [...new Set([lo, hi, ...bounds].filter((b): b is bigint => b !== undefined && b % HOUR_US !== 0n).map(floorHour))].sort((a, b) => (a < b ? -1 : 1));
  const params: DuckDBValue[] = [];
  const ts = (us: bigint): string => {
    params.push(us);
    return 'make_timestamp(?::BIGINT)';
  };
  const rollWhere: string[] = [];
  if (lo !== undefined) rollWhere.push(`hour >= ${ts(floorHour(lo))}`);
  if (hi !== undefined) rollWhere.push(`hour < ${ts(hi)}`);
  for (const e of edges) rollWhere.push(`hour <> ${ts(e)}`);
  const rolled = `SELECT hour AS started_at, ${DIMS.join(', ')}, ${SUM_COLUMNS.join(', ')} FROM ${ROLLUP_TABLE}${rollWhere.length ? ` WHERE ${rollWhere.join(' AND ')}` : ''}`;
  if (edges.length === 0) return { sql: rolled, params };
  const rawWhere: string[] = [];
  if (lo !== undefined) rawWhere.push(`started_at >= ${ts(lo)}`);
  if (hi !== undefined) rawWhere.push(`started_at < ${ts(hi)}`);
  rawWhere.push(`(${edges.map((e) => `(started_at >= ${ts(e)} AND started_at < ${ts(e + HOUR_US)})`).join(' OR ')})`);
  const raw =
    `SELECT started_at, ${DIMS.join(', ')}, coalesce(cost_total, 0)::DECIMAL(38,18) AS cost, 1::BIGINT AS requests, ` +
    `(cost_total IS NULL AND input_tokens IS NOT NULL)::BIGINT AS unpriced, ${ROLLUP_TOKENS.map((c) => `coalesce(${c}, 0)::BIGINT AS ${c}`).join(', ')} ` +
    `FROM ledger WHERE ${rawWhere.join(' AND ')}`;
  return { sql: `${rolled} UNION ALL ${raw}`, params };
}
