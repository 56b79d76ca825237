/**
 * The embedded store's side of "one call, one record" (src/ledger/call-merge.ts). DuckDB has one
 * writer (the process that owns the file) and its writes are serialized in one transaction each,
 * so the check and the write below cannot interleave with another ingest: no unique index is
 * needed, and none is kept (an ART index per record is what migration 003 took off the hot path).
 *
 * Inside a batch's transaction, once its new rows (by id) sit in the fresh table: the call keys
 * (provider, response_id) that occur twice among them, or that a ledger row started within
 * CALL_MATCH_MARGIN of the batch already holds, are the clashes. Their stored rows leave the
 * ledger (with their rollup sums), their fresh rows leave the fresh table, and one merged row per
 * key goes back into the fresh table, which the batch then inserts as usual. A batch without a
 * clash pays one query, pruned by started_at zone maps to the batch's own window.
 */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { LedgerRecord } from '../../ledger/ledger-record.js';
import { callKey, mergeCallRecords } from '../../ledger/call-merge.js';
import { appendRollupDelta, floorHour, removalDelta } from './duckdb-rollup.js';

/**
 * Records of one call from different sources start within network latency and clock skew of each
 * other: a stored record is matched when it started within this margin of the batch's window.
 */
export const CALL_MATCH_MARGIN_US = 5n * 60n * 1_000_000n;

const CLASH_TABLE = 'call_clash';
const inClash = (alias: string): string => `EXISTS (SELECT 1 FROM ${CLASH_TABLE} c WHERE c.provider = ${alias}.provider AND c.response_id = ${alias}.response_id)`;
const WINDOW = 'started_at BETWEEN make_timestamp(?::BIGINT) AND make_timestamp(?::BIGINT)';

function clashSql(fresh: string): string {
  return (
    `SELECT provider, response_id FROM ${fresh} WHERE response_id IS NOT NULL GROUP BY ALL HAVING count(*) > 1 ` +
    `UNION SELECT f.provider, f.response_id FROM ${fresh} f JOIN (SELECT provider, response_id FROM ledger WHERE response_id IS NOT NULL AND ${WINDOW}) l ` +
    `ON l.provider = f.provider AND l.response_id = f.response_id`
  );
}

export interface CallMergeHost {
  writer: DuckDBConnection;
  /** Ledger-typed table of the batch's new rows (by id). */
  fresh: string;
  /** Rows as records (instants selected as epoch µs). */
  toRecord(row: Record<string, DuckDBValue>): LedgerRecord;
  /** Appends records to the fresh table, converted like the batch's own rows. */
  addFresh(records: readonly LedgerRecord[]): Promise<void>;
}

export interface CallMergeResult {
  /** Stored rows replaced by a merged row (the batch's insert count includes them again). */
  replaced: number;
  /** Rollup rows appended (the removal delta), and the hours they fall in. */
  rollupRows: number;
  hours: bigint[];
}

const NONE: CallMergeResult = { replaced: 0, rollupRows: 0, hours: [] };

/** Folds the batch's clashing records into one per call; inside the batch's transaction. */
export async function mergeSameCalls(host: CallMergeHost, loUs: bigint, hiUs: bigint): Promise<CallMergeResult> {
  const { writer, fresh } = host;
  const win: DuckDBValue[] = [loUs - CALL_MATCH_MARGIN_US, hiUs + CALL_MATCH_MARGIN_US];
  const probe = await writer.runAndReadAll(`${clashSql(fresh)} LIMIT 1`, win);
  if (probe.currentRowCount === 0) return NONE;
  await writer.run(`DROP TABLE IF EXISTS temp.${CLASH_TABLE}`);
  await writer.run(`CREATE TEMP TABLE ${CLASH_TABLE} AS ${clashSql(fresh)}`, win);
  try {
    const select = (from: string, where: string): string => `SELECT * REPLACE (epoch_us(started_at) AS started_at, epoch_us(ended_at) AS ended_at) FROM ${from} t WHERE ${where} ORDER BY started_at, id`;
    const storedWhere = `${WINDOW} AND response_id IS NOT NULL AND ${inClash('ledger')}`;
    const stored = (await writer.runAndReadAll(select('ledger', `t.${WINDOW} AND ${inClash('t')}`), win)).getRowObjects().map((r) => host.toRecord(r));
    const incoming = (await writer.runAndReadAll(select(fresh, inClash('t')))).getRowObjects().map((r) => host.toRecord(r));
    let rollupRows = 0;
    if (stored.length > 0) {
      rollupRows = await appendRollupDelta(writer, removalDelta(`ledger WHERE ${storedWhere}`, win));
      await writer.run(`DELETE FROM ledger WHERE ${storedWhere}`, win);
    }
    await writer.run(`DELETE FROM ${fresh} t WHERE ${inClash('t')}`);
    const byKey = new Map<string, LedgerRecord[]>();
    for (const r of [...stored, ...incoming]) {
      const k = callKey(r)!;
      const list = byKey.get(k);
      if (list) list.push(r);
      else byKey.set(k, [r]);
    }
    await host.addFresh([...byKey.values()].map((list) => mergeCallRecords(list)));
    const hours = [...new Set(stored.map((r) => floorHour(BigInt(Date.parse(r.started_at)) * 1000n)))];
    return { replaced: stored.length, rollupRows, hours };
  } finally {
    await writer.run(`DROP TABLE IF EXISTS temp.${CLASH_TABLE}`);
  }
}
