/**
 * The two write statements of the PostgreSQL ledger, each one round trip that keeps the id guard,
 * the ledger and the hourly rollup consistent with each other (see migration 001):
 * - insert: ids first (ON CONFLICT DO NOTHING), only ids that went in reach the ledger, and the
 *   ledger rows that went in are summed into the rollup;
 * - re-price: old figures into ledger_cost_history, new ones into the ledger, the difference
 *   into the rollup.
 * Rollup upserts are ordered by key so concurrent writers lock rollup rows in the same order.
 */
import { COST_COLUMNS as LEDGER_COST_COLUMNS } from '../../ledger/ledger-schema.js';
import { ROLLUP_DIMENSIONS } from '../migrations/postgres/001-ledger.js';
import { STAGING_TABLE } from './pg-copy.js';
import { PG_COLUMNS, quote, unnestSelect, unnestSource, type PgColumn } from './pg-records.js';

const DIMS = ROLLUP_DIMENSIONS.map(quote);
const TOKENS = ['input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens', 'reasoning_tokens'];
const ROLLUPS = [
  { table: 'ledger_rollup_hourly', time: 'hour', unit: 'hour' },
  { table: 'ledger_rollup_daily', time: 'day', unit: 'day' },
] as const;

/**
 * Upserts sums from CTE `source` (started_at, the dimensions, and the given sum expressions) into
 * each rollup, in key order so concurrent writers lock rollup rows in the same order.
 */
function rollupUpserts(source: string, sums: Record<string, string>, added: readonly string[]): string[] {
  return ROLLUPS.map(({ table, time, unit }, i) => {
    const bucket = `date_trunc('${unit}', started_at)`;
    const cols = Object.keys(sums);
    return `roll${i} AS (
  INSERT INTO ${table} (${time}, ${DIMS.join(', ')}, ${cols.join(', ')})
  SELECT ${bucket}, ${DIMS.join(', ')}, ${cols.map((c) => sums[c]).join(', ')}
  FROM ${source} GROUP BY ${bucket}, ${DIMS.join(', ')} ORDER BY 1, ${DIMS.map((_d, j) => `${j + 2}`).join(', ')}
  ON CONFLICT (${time}, ${DIMS.join(', ')}) DO UPDATE SET ${added.map((c) => `${c} = ${table}.${c} + EXCLUDED.${c}`).join(', ')}
)`;
  });
}

const INGEST_SUMS: Record<string, string> = {
  cost: 'coalesce(sum(cost_total), 0)',
  requests: 'count(*)',
  unpriced: 'count(*) FILTER (WHERE cost_total IS NULL AND input_tokens IS NOT NULL)',
  ...Object.fromEntries(TOKENS.map((c) => [c, `coalesce(sum(${c}), 0)`])),
};

/**
 * The insert statement reading the batch from `source` (a FROM item aliased or named `t`).
 *
 * With `calls`, a record with a response id first claims its call key in `ledger_calls` (migration
 * 009); only a record that claimed it, or has none, goes on to the id guard and the ledger. A
 * record whose key another record holds (committed, or committed by a concurrent writer this
 * statement waited for) is left out and its id returned in `clashed`: the store then merges it
 * into the holder (pg-call-merge.ts). Without `calls` (that merge writing its result), keys are
 * left alone.
 */
function insertFrom(source: string, calls = true): string {
  const claim = calls
    ? `calls AS (INSERT INTO ledger_calls (provider, response_id, id, started_at) SELECT provider, response_id, id, started_at FROM t WHERE response_id IS NOT NULL ORDER BY provider, response_id ON CONFLICT DO NOTHING RETURNING id),
ids AS (INSERT INTO ledger_ids (id, started_at) SELECT id, started_at FROM t WHERE response_id IS NULL OR id IN (SELECT id FROM calls) ORDER BY id ON CONFLICT (id) DO NOTHING RETURNING id),`
    : `ids AS (INSERT INTO ledger_ids (id, started_at) SELECT id, started_at FROM t ORDER BY id ON CONFLICT (id) DO NOTHING RETURNING id),`;
  const clashed = calls ? `(SELECT coalesce(array_agg(t.id), '{}') FROM t WHERE t.response_id IS NOT NULL AND t.id NOT IN (SELECT id FROM calls))` : `'{}'::text[]`;
  return `
WITH t AS (SELECT * FROM ${source}),
${claim}
ins AS (
  INSERT INTO ledger (${PG_COLUMNS.map((c) => quote(c.name)).join(', ')})
  SELECT ${PG_COLUMNS.map((c) => `t.${quote(c.name)}`).join(', ')} FROM t WHERE t.id IN (SELECT id FROM ids)
  RETURNING started_at, ${DIMS.join(', ')}, cost_total, ${TOKENS.join(', ')}
),
${rollupUpserts('ins', INGEST_SUMS, Object.keys(INGEST_SUMS)).join(',\n')}
SELECT (SELECT count(*)::int FROM ins) AS inserted, ${clashed} AS clashed`;
}

/** Insert from one array parameter per column (small batches: one round trip, no staging table). */
export const INSERT_SQL = insertFrom(`(SELECT ${unnestSelect(PG_COLUMNS)} FROM ${unnestSource(PG_COLUMNS)}) t`);
/** The same for the merged record of a call whose key row the merge holds (pg-call-merge.ts). */
export const INSERT_MERGED_SQL = insertFrom(`(SELECT ${unnestSelect(PG_COLUMNS)} FROM ${unnestSource(PG_COLUMNS)}) t`, false);

/**
 * Takes records out of the ledger by id, with their sums out of the rollups (a merge replaces the
 * stored record of a call by the merged one). `$1` is the ids. Leaves ledger_calls alone: the
 * merge re-points the key row it holds.
 */
export const DELETE_RECORDS_SQL = `
WITH gone AS (DELETE FROM ledger_ids WHERE id = ANY($1::text[]) RETURNING id, started_at),
d AS (DELETE FROM ledger l USING gone g WHERE l.started_at = g.started_at AND l.id = g.id RETURNING l.started_at, ${DIMS.map((d) => `l.${d}`).join(', ')}, l.cost_total, ${TOKENS.map((c) => `l.${c}`).join(', ')}),
${rollupUpserts('d', Object.fromEntries(Object.entries(INGEST_SUMS).map(([k, v]) => [k, `-(${v})`])), Object.keys(INGEST_SUMS)).join(',\n')}
SELECT count(*)::int AS deleted FROM d`;

/** Rollup rows a removal left without calls, in the hours given (epoch µs in $1). */
export const DROP_EMPTY_ROLLUPS_SQL: readonly string[] = ROLLUPS.map(
  ({ table, time, unit }) => `DELETE FROM ${table} WHERE requests = 0 AND ${time} IN (SELECT date_trunc('${unit}', 'epoch'::timestamptz + h * interval '1 microsecond') FROM unnest($1::int8[]) AS h)`,
);
/** Insert from the COPY staging table (pg-copy.ts). */
export const INSERT_STAGED_SQL = insertFrom(STAGING_TABLE);

/** Columns a re-pricing replaces: everything the price book decides about a record. */
export const COST_COLUMNS: readonly PgColumn[] = PG_COLUMNS.filter((c) => LEDGER_COST_COLUMNS.some((k) => k.name === c.name));
const ID_COLUMN = PG_COLUMNS.find((c) => c.name === 'id')!;

const differs = COST_COLUMNS.map((c) => `l.${quote(c.name)} IS DISTINCT FROM u.${quote(c.name)}`).join(' OR ');
const n = (c: PgColumn): string => quote(`n_${c.name}`);
const updateCols = [ID_COLUMN, ...COST_COLUMNS];
const CHANGED_AT = `$${updateCols.length + 1}`;
const REASON = `$${updateCols.length + 2}`;

export const UPDATE_COSTS_SQL = `
WITH u AS (SELECT ${unnestSelect(updateCols)} FROM ${unnestSource(updateCols)}),
chg AS (
  SELECT l.started_at, l.id, ${DIMS.map((d) => `l.${d}`).join(', ')}, l.cost_total AS old_total, l.input_tokens AS old_input, l.priced AS old_priced, l.price_version AS old_pv,
    ${COST_COLUMNS.map((c) => `u.${quote(c.name)} AS ${n(c)}`).join(', ')}
  FROM u JOIN ledger_ids i ON i.id = u.id JOIN ledger l ON l.started_at = i.started_at AND l.id = i.id
  WHERE ${differs}
  FOR UPDATE OF l
),
hist AS (
  INSERT INTO ledger_cost_history (record_id, started_at, changed_at, reason, old_cost_total, old_priced, old_price_version, new_cost_total, new_priced, new_price_version)
  SELECT id, (extract(epoch from started_at) * 1000)::int8, ${CHANGED_AT}::int8, ${REASON}::text, old_total, old_priced, old_pv, "n_cost_total", "n_priced", "n_price_version" FROM chg
),
upd AS (
  UPDATE ledger l SET ${COST_COLUMNS.map((c) => `${quote(c.name)} = chg.${n(c)}`).join(', ')}
  FROM chg WHERE l.started_at = chg.started_at AND l.id = chg.id
  RETURNING 1
),
${rollupUpserts(
  'chg',
  {
    cost: 'sum(coalesce("n_cost_total", 0) - coalesce(old_total, 0))',
    requests: '0',
    // A call without tokens is never unpriced (nothing to price), whatever its cost says.
    unpriced: 'sum(("n_cost_total" IS NULL AND old_input IS NOT NULL)::int - (old_total IS NULL AND old_input IS NOT NULL)::int)',
    ...Object.fromEntries(TOKENS.map((c) => [c, '0'])),
  },
  ['cost', 'unpriced'],
).join(',\n')}
SELECT count(*)::int AS changed FROM upd`;

export const UPDATE_COLUMNS = updateCols;

/**
 * Retention keeps the rollups equal to what is left of the ledger (issue 15): rollup rows of whole
 * hours (days) before the cutoff go, and the records of the cutoff's own hour (day) before it are
 * subtracted. `$1` is the cutoff in epoch microseconds; run before the ledger rows are deleted.
 */
export const RETAIN_ROLLUPS_SQL: readonly string[] = ROLLUPS.flatMap(({ table, time, unit }) => {
  const cut = `('epoch'::timestamptz + $1::int8 * interval '1 microsecond')`;
  const start = `date_trunc('${unit}', ${cut})`;
  const sums = Object.keys(INGEST_SUMS);
  return [
    `DELETE FROM ${table} WHERE ${time} < ${start}`,
    `UPDATE ${table} r SET ${sums.map((c) => `${c} = r.${c} - d.${c}`).join(', ')}
FROM (SELECT ${start} AS ${time}, ${DIMS.join(', ')}, ${sums.map((c) => `${INGEST_SUMS[c]} AS ${c}`).join(', ')}
      FROM ledger WHERE started_at >= ${start} AND started_at < ${cut} GROUP BY ${DIMS.join(', ')}) d
WHERE r.${time} = d.${time} AND ${DIMS.map((d) => `r.${d} IS NOT DISTINCT FROM d.${d}`).join(' AND ')}`,
    `DELETE FROM ${table} WHERE ${time} = ${start} AND requests = 0`,
  ];
});
