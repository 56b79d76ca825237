/**
 * Billed lines in bulk on PostgreSQL: an importer's Parquet file of lines is written as CSV by an
 * in-memory DuckDB (its own writer, no JavaScript per line) and streamed into billed_line with
 * `COPY … FROM STDIN` (pg-copy-streams), as pg-bulk-ingest.ts does for the ledger. Money goes as
 * DECIMAL text (exact), instants as epoch-millisecond integers, NULL as an unquoted empty field.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { DuckDBInstance } from '@duckdb/node-api';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { BILLED_PARQUET_COLUMNS } from '../billed-lines-repository.js';

const sqlString = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** Copies `file`'s lines into billed_line under `importId`/`source` on `client` (inside the caller's transaction). */
export async function copyBilledParquet(client: pg.PoolClient, importId: string, source: string, file: string): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'costrail-pg-billed-'));
  const csv = path.join(dir, 'lines.csv');
  try {
    const instance = await DuckDBInstance.create(':memory:', { temp_directory: dir });
    const conn = await instance.connect();
    try {
      const cols = BILLED_PARQUET_COLUMNS.map((c) => `"${c}"`).join(', ');
      // Blank text is NULL in the importers (never ''), so an unquoted empty field is always NULL to COPY.
      await conn.run(`COPY (SELECT ${sqlString(importId)}, ${sqlString(source)}, ${cols} FROM read_parquet(${sqlString(file)})) TO ${sqlString(csv)} (FORMAT csv, HEADER false)`);
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
    const copy = client.query(copyFrom(`COPY billed_line (import_id, source, ${BILLED_PARQUET_COLUMNS.join(', ')}) FROM STDIN WITH (FORMAT csv)`));
    await pipeline(fs.createReadStream(csv), copy);
    return Number(copy.rowCount ?? 0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
