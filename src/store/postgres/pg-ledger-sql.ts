/**
 * The two write statements of the PostgreSQL ledger, each one round trip that keeps the id guard,
 * the ledger and the hourly rollup consistent with each other (see migration 001):
 * - insert: ids first (ON CONFLICT DO NOTHING), only ids that went in reach the ledger, and the
 *   ledger rows that went in are summed into the rollup;
 * - re-price: old figures into ledger_cost_history, new ones into the ledger, the difference
 *   into the rollup.
 * Rollup upserts are ordered by key so concurrent writers lock rollup rows in the same order.
 */
import { ROLLUP_DIMENSIONS } from '../migrations/postgres/001-ledger.js';
import { PG_COLUMNS, quote, unnestSelect, unnestSource, type PgColumn } from './pg-records.js';

const DIMS = ROLLUP_DIMENSIONS.map(quote);
const KEY = ['hour', ...DIMS].join(', ');
const TOKENS = ['input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens', 'reasoning_tokens'];
const ROLLUP_COLUMNS = `hour, ${DIMS.join(', ')}, cost, requests, unpriced, ${TOKENS.join(', ')}`;
const addUp = (cols: string[]): string => cols.map((c) => `${c} = ledger_rollup_hourly.${c} + EXCLUDED.${c}`).join(', ');

export const INSERT_SQL = `
WITH t AS (SELECT ${unnestSelect(PG_COLUMNS)} FROM ${unnestSource(PG_COLUMNS)}),
ids AS (INSERT INTO ledger_ids (id, started_at) SELECT id, started_at FROM t ON CONFLICT (id) DO NOTHING RETURNING id),
ins AS (
  INSERT INTO ledger (${PG_COLUMNS.map((c) => quote(c.name)).join(', ')})
  SELECT t.* FROM t WHERE t.id IN (SELECT id FROM ids)
  RETURNING started_at, ${DIMS.join(', ')}, cost_total, ${TOKENS.join(', ')}
),
roll AS (
  INSERT INTO ledger_rollup_hourly (${ROLLUP_COLUMNS})
  SELECT date_trunc('hour', started_at), ${DIMS.join(', ')}, coalesce(sum(cost_total), 0), count(*), count(*) FILTER (WHERE cost_total IS NULL),
    ${TOKENS.map((c) => `coalesce(sum(${c}), 0)`).join(', ')}
  FROM ins GROUP BY ${KEY.replace('hour', "date_trunc('hour', started_at)")} ORDER BY 1, ${DIMS.map((_d, i) => `${i + 2}`).join(', ')}
  ON CONFLICT (${KEY}) DO UPDATE SET ${addUp(['cost', 'requests', 'unpriced', ...TOKENS])}
  RETURNING 1
)
SELECT count(*)::int AS inserted FROM ins`;

/** Columns a re-pricing replaces: everything the price book decides about a record. */
export const COST_COLUMNS: readonly PgColumn[] = PG_COLUMNS.filter((c) => c.name.startsWith('cost_') || ['priced', 'price_version', 'unpriced_reason'].includes(c.name));
const ID_COLUMN = PG_COLUMNS.find((c) => c.name === 'id')!;

const differs = COST_COLUMNS.map((c) => `l.${quote(c.name)} IS DISTINCT FROM u.${quote(c.name)}`).join(' OR ');
const n = (c: PgColumn): string => quote(`n_${c.name}`);
const updateCols = [ID_COLUMN, ...COST_COLUMNS];
const CHANGED_AT = `$${updateCols.length + 1}`;
const REASON = `$${updateCols.length + 2}`;

export const UPDATE_COSTS_SQL = `
WITH u AS (SELECT ${unnestSelect(updateCols)} FROM ${unnestSource(updateCols)}),
chg AS (
  SELECT l.started_at, l.id, ${DIMS.map((d) => `l.${d}`).join(', ')}, l.cost_total AS old_total, l.priced AS old_priced, l.price_version AS old_pv,
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
roll AS (
  INSERT INTO ledger_rollup_hourly (${ROLLUP_COLUMNS})
  SELECT date_trunc('hour', started_at), ${DIMS.join(', ')}, sum(coalesce("n_cost_total", 0) - coalesce(old_total, 0)), 0,
    sum(("n_cost_total" IS NULL)::int - (old_total IS NULL)::int), ${TOKENS.map(() => '0').join(', ')}
  FROM chg GROUP BY ${KEY.replace('hour', "date_trunc('hour', started_at)")} ORDER BY 1, ${DIMS.map((_d, i) => `${i + 2}`).join(', ')}
  ON CONFLICT (${KEY}) DO UPDATE SET ${addUp(['cost', 'unpriced'])}
)
SELECT count(*)::int AS changed FROM upd`;

export const UPDATE_COLUMNS = updateCols;
