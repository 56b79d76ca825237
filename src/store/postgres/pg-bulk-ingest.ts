/**
 * Bulk import into PostgreSQL (store/bulk-ingest.ts): the file is staged and validated in an
 * in-memory DuckDB; each batch DuckDB writes as CSV (its own multi-threaded writer, no JS per
 * record) and the store COPYs it into the session staging table and moves it into the id guard,
 * the ledger and the rollups with the same statement as any other COPY batch.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { LEDGER_COLUMNS, type LedgerColumn } from '../../ledger/ledger-schema.js';
import type { BulkIngestSession } from '../bulk-ingest.js';

/** A ledger column as PostgreSQL's COPY (CSV) reads it: instants with an explicit UTC offset, microseconds kept. */
function csvValue(c: LedgerColumn): string {
  const name = `"${c.name}"`;
  if (c.kind === 'instant') return `CAST(${name} AS VARCHAR) || '+00'`;
  return name;
}

/** Where a batch goes once written: the store's COPY of one CSV file with the months it touches. */
export type CsvBatchSink = (file: string, months: string[]) => Promise<number>;

export async function openPgBulkIngest(insertCsv: CsvBatchSink): Promise<BulkIngestSession> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'costrail-pg-import-'));
  const instance = await DuckDBInstance.create(':memory:', { temp_directory: dir });
  const conn = await instance.connect();
  const batchFile = path.join(dir, 'batch.csv');
  return {
    batchRows: 50_000,
    use: (fn) => fn(conn),
    async append(select) {
      // The first row of each id only (the importer has removed repeats already; a window over a
      // batch that has none is cheap next to a wrong ledger row: COPY batches must not repeat an id).
      const rows = `SELECT * FROM (${select}) QUALIFY row_number() OVER (PARTITION BY id ORDER BY _line) = 1`;
      const months = (await conn.runAndReadAll(`SELECT DISTINCT strftime(started_at, '%Y%m') FROM (${select})`)).getRows().map((r) => String(r[0]));
      if (months.length === 0) return 0;
      await conn.run(`COPY (SELECT ${LEDGER_COLUMNS.map(csvValue).join(', ')} FROM (${rows})) TO '${batchFile.replace(/'/g, "''")}' (FORMAT csv, HEADER false)`);
      return insertCsv(batchFile, months);
    },
    async close() {
      conn.closeSync();
      instance.closeSync();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
