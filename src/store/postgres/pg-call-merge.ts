/**
 * PostgreSQL's side of "one call, one record" (src/ledger/call-merge.ts): records the insert left
 * out because another record holds their call key (`clashed`, pg-ledger-sql.ts) are folded into
 * that record here, inside the caller's transaction.
 *
 * The key row in `ledger_calls` is locked FOR UPDATE first, so merges of one call from several
 * writers (replicas, the gateway's writer and an import racing) run one after the other, each on
 * the record the previous one left. The merged record replaces the stored one (delete with its
 * rollup sums, insert the merged one with its sums) and the key row is re-pointed, never deleted:
 * a merge waiting on the lock then finds the row, and the record it now names.
 */
import type pg from 'pg';
import type { LedgerRecord } from '../../ledger/ledger-record.js';
import { mergeCallRecords, sameRecord } from '../../ledger/call-merge.js';
import { DELETE_RECORDS_SQL, DROP_EMPTY_ROLLUPS_SQL, INSERT_MERGED_SQL, INSERT_SQL } from './pg-ledger-sql.js';
import { columnArrays, PG_COLUMNS, pgRowToRecord, RECORD_SELECT } from './pg-records.js';

type Client = Pick<pg.PoolClient, 'query'>;

/** Folds each record into the stored record of its call; returns how many became new records. */
export async function mergeClashedCalls(client: Client, incoming: readonly LedgerRecord[]): Promise<number> {
  let inserted = 0;
  // Keys locked in one order, so two merging writers cannot deadlock.
  const sorted = [...incoming].sort((a, b) => cmp(a.provider, b.provider) || cmp(a.response_id ?? '', b.response_id ?? ''));
  for (const rec of sorted) {
    const held = await client.query<{ id: string }>('SELECT id FROM ledger_calls WHERE provider = $1 AND response_id = $2 FOR UPDATE', [rec.provider, rec.response_id]);
    const holderId = held.rows[0]?.id;
    if (holderId === undefined) {
      // The holder left (retention) between the insert and this lock: the record is new again.
      const { rows } = await client.query<{ inserted: number }>(INSERT_SQL, columnArrays(PG_COLUMNS, [rec]));
      inserted += rows[0]?.inserted ?? 0;
      continue;
    }
    const found = await client.query<Record<string, unknown>>(`SELECT ${RECORD_SELECT} FROM ledger l WHERE (l.started_at, l.id) IN (SELECT started_at, id FROM ledger_ids WHERE id = $1)`, [holderId]);
    const stored = found.rows[0] ? pgRowToRecord(found.rows[0]) : undefined;
    const merged = stored ? mergeCallRecords([stored, rec]) : rec;
    if (stored && sameRecord(merged, stored)) continue;
    if (stored) {
      await client.query(DELETE_RECORDS_SQL, [[stored.id]]);
      await client.query(DROP_EMPTY_ROLLUPS_SQL[0]!, [[hourUs(stored.started_at)]]);
      await client.query(DROP_EMPTY_ROLLUPS_SQL[1]!, [[hourUs(stored.started_at)]]);
    }
    const { rows } = await client.query<{ inserted: number }>(INSERT_MERGED_SQL, columnArrays(PG_COLUMNS, [merged]));
    if (!stored) inserted += rows[0]?.inserted ?? 0;
    await client.query('UPDATE ledger_calls SET id = $3, started_at = $4 WHERE provider = $1 AND response_id = $2', [rec.provider, rec.response_id, merged.id, merged.started_at]);
  }
  return inserted;
}

/** Incoming rows the insert left out, read back from the COPY staging table (CSV imports). */
export async function stagedRecords(client: Client, staging: string, ids: readonly string[]): Promise<LedgerRecord[]> {
  if (ids.length === 0) return [];
  const { rows } = await client.query<Record<string, unknown>>(`SELECT DISTINCT ON (id) ${RECORD_SELECT} FROM ${staging} WHERE id = ANY($1::text[]) ORDER BY id`, [ids]);
  return rows.map(pgRowToRecord);
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const hourUs = (iso: string): string => String(Date.parse(iso) * 1000);
