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
  let batches = 0;
  // DuckDB work is one statement at a time on this connection; a batch's COPY into PostgreSQL (a
  // separate process) may overlap the next batch's CSV.
  let duck: Promise<unknown> = Promise.resolve();
  const onDuck = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = duck.then(fn, fn);
    duck = next.catch(() => undefined);
    return next;
  };
  return {
    batchRows: 50_000,
    use: (fn) => onDuck(() => fn(conn)),
    async append(select) {
      const batchFile = path.join(dir, `batch-${++batches}.csv`);
      // The first row of each id only (the importer has removed repeats already; a window over a
      // batch that has none is cheap next to a wrong ledger row: COPY batches must not repeat an id).
      const rows = `SELECT * FROM (${select}) QUALIFY row_number() OVER (PARTITION BY id ORDER BY _line) = 1`;
      const months = await onDuck(async () => {
        const m = (await conn.runAndReadAll(`SELECT DISTINCT strftime(started_at, '%Y%m') FROM (${select})`)).getRows().map((r) => String(r[0]));
        if (m.length > 0) await conn.run(`COPY (SELECT ${LEDGER_COLUMNS.map(csvValue).join(', ')} FROM (${rows})) TO '${batchFile.replace(/'/g, "''")}' (FORMAT csv, HEADER false)`);
        return m;
      });
      if (months.length === 0) return 0;
      try {
        return await insertCsv(batchFile, months);
      } finally {
        fs.rmSync(batchFile, { force: true });
      }
    },
    async close() {
      conn.closeSync();
      instance.closeSync();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
