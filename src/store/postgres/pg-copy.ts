/**
 * Bulk ledger ingest on PostgreSQL: the batch is streamed with `COPY … FROM STDIN` (text format,
 * pg-copy-streams) into a session-local staging table, then one statement moves it into the id
 * guard, the ledger and the rollups (pg-ledger-sql.ts). COPY parses rows in the server's C code
 * with no bind parameters; the unnest() insert it replaces built one array parameter per column.
 */
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { LedgerRecord } from '../../ledger/ledger-record.js';
import { PG_COLUMNS, quote } from './pg-records.js';

/** Session-local, emptied at commit: each batch sees only its own rows. */
export const STAGING_TABLE = 'ledger_incoming';
export const CREATE_STAGING = `CREATE TEMP TABLE IF NOT EXISTS ${STAGING_TABLE} (LIKE ledger) ON COMMIT DELETE ROWS`;
const COPY_SQL = `COPY ${STAGING_TABLE} (${PG_COLUMNS.map((c) => quote(c.name)).join(', ')}) FROM STDIN`;

/** COPY text format: backslash, tab, newline and carriage return escaped; NULL as \N. */
function field(v: string | number | boolean | null): string {
  if (v === null) return '\\N';
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '\\N';
  return /[\\\t\n\r]/.test(v) ? v.replace(/[\\\t\n\r]/g, (ch) => (ch === '\\' ? '\\\\' : ch === '\t' ? '\\t' : ch === '\n' ? '\\n' : '\\r')) : v;
}

/** The batch in COPY text format, one line per record in column order. */
export function copyText(records: readonly LedgerRecord[]): string {
  const lines = new Array<string>(records.length);
  for (let j = 0; j < records.length; j++) {
    const r = records[j]!;
    let line = '';
    for (let i = 0; i < PG_COLUMNS.length; i++) {
      if (i > 0) line += '\t';
      line += field(PG_COLUMNS[i]!.value(r));
    }
    lines[j] = line;
  }
  return lines.join('\n') + '\n';
}

/** Streams the batch into the staging table on `client` (inside the caller's transaction). */
export async function copyIntoStaging(client: pg.PoolClient, records: readonly LedgerRecord[]): Promise<void> {
  await client.query(CREATE_STAGING);
  const stream = client.query(copyFrom(COPY_SQL));
  await pipeline(Readable.from([copyText(records)]), stream);
}

const COPY_CSV_SQL = `COPY ${STAGING_TABLE} (${PG_COLUMNS.map((c) => quote(c.name)).join(', ')}) FROM STDIN WITH (FORMAT csv)`;

/** Streams CSV rows (ledger columns in table order, as DuckDB writes them) into the staging table on `client`. */
export async function copyCsvIntoStaging(client: pg.PoolClient, csv: Readable): Promise<void> {
  await client.query(CREATE_STAGING);
  await pipeline(csv, client.query(copyFrom(COPY_CSV_SQL)));
}
