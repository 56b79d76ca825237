/**
 * `costrail import ledger` against DuckDB's own load of the same file, in one run (issue 15:
 * target ≥ 0.25x, ≥ 300k records/s on the embedded store; ≥ 50k records/s on PostgreSQL).
 *
 *   npm run build && node dist/bench/import.bench.js [--records N[,N…]] [--backend duckdb|postgres|both] [--keep DIR]
 *
 * Default: 100k and 1M records, both backends. For each size, writes N synthetic records
 * (bench/synthetic-ledger.ts, with costs; the ~0.5% without one are priced by the book) as JSON
 * Lines, then times, in this order: DuckDB loading the file into a table with read_json (the
 * reference), and the import as the CLI runs it without a server (importLedgerFile +
 * storeImportSink: the bulk path, DuckDB validating and the store appending from SQL) into a fresh
 * embedded store and a fresh PostgreSQL schema (COSTRAIL_BENCH_DATABASE_URL, default the local
 * test server; the schema is dropped afterwards). Each import is reported with its ratio to the
 * reference of the same run. Figures belong in bench/README.md only from a quiet machine.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import pg from 'pg';
import { importLedgerFile, storeImportSink } from '../src/ledger/ledger-import-file.js';
import { loadPriceBook } from '../src/pricing/catalog-loader.js';
import { DuckDbStore } from '../src/store/embedded/duckdb-store.js';
import { PostgresStore } from '../src/store/postgres/postgres-store.js';
import type { Store } from '../src/store/store.js';
import { syntheticRecords } from './synthetic-ledger.js';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const SIZES = arg('records', process.env.COSTRAIL_BENCH_RECORDS ?? '100000,1000000').split(',').map(Number);
const BACKEND = arg('backend', 'both');
const KEEP = arg('keep', '');
const PG_URL = process.env.COSTRAIL_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const dir = KEEP || fs.mkdtempSync(path.join(os.tmpdir(), 'costrail-import-bench-'));
fs.mkdirSync(dir, { recursive: true });
const file = path.join(dir, 'ledger.jsonl');
let N = 0;

function writeFile(): void {
  const fd = fs.openSync(file, 'w');
  let buf: string[] = [];
  for (const r of syntheticRecords({ count: N, days: 30, end: Date.UTC(2026, 10, 1) })) {
    buf.push(JSON.stringify(r));
    if (buf.length === 10_000) {
      fs.writeSync(fd, buf.join('\n') + '\n');
      buf = [];
    }
  }
  if (buf.length) fs.writeSync(fd, buf.join('\n') + '\n');
  fs.closeSync(fd);
}

async function duckdbOwnLoad(): Promise<number> {
  fs.rmSync(path.join(dir, 'reference.duckdb'), { force: true });
  const instance = await DuckDBInstance.create(path.join(dir, 'reference.duckdb'));
  const conn = await instance.connect();
  const t0 = performance.now();
  await conn.run(`CREATE TABLE ledger AS SELECT * FROM read_json('${file.replace(/'/g, "''")}', format = 'newline_delimited')`);
  const ms = performance.now() - t0;
  conn.closeSync();
  instance.closeSync();
  return ms;
}

async function importInto(store: Store): Promise<{ ms: number; inserted: number }> {
  const sink = storeImportSink(store, loadPriceBook({ dataDir: dir }));
  const t0 = performance.now();
  const r = await importLedgerFile(file, { skipInvalid: false, sink });
  const ms = performance.now() - t0;
  if (r.refused || r.inserted !== N) throw new Error(`import did not insert every record: ${JSON.stringify({ ...r, invalid: r.invalid.slice(0, 3) })}`);
  return { ms, inserted: r.inserted };
}

const rate = (ms: number): number => Math.round((N / ms) * 1000);

const ratio = (refMs: number, ms: number): string => `${(refMs / ms).toFixed(3)}x DuckDB's own load`;

try {
  for (const size of SIZES) {
    N = size;
    writeFile();
    console.log(`records: ${N}, file: ${(fs.statSync(file).size / 1e6).toFixed(1)} MB`);
    const refMs = await duckdbOwnLoad();
    console.log(`  DuckDB read_json load:        ${refMs.toFixed(0)} ms (${rate(refMs)} records/s)`);
    if (BACKEND === 'duckdb' || BACKEND === 'both') {
      const embedded = path.join(dir, `embedded-${N}`);
      const store = await DuckDbStore.open(embedded);
      try {
        const { ms } = await importInto(store);
        console.log(`  import ledger (embedded):     ${ms.toFixed(0)} ms (${rate(ms)} records/s, ${ratio(refMs, ms)})`);
      } finally {
        await store.close();
        fs.rmSync(embedded, { recursive: true, force: true });
      }
    }
    if (BACKEND === 'postgres' || BACKEND === 'both') {
      const schema = `costrail_import_bench_${process.pid}_${N}`;
      const store = await PostgresStore.open(PG_URL, { schema });
      try {
        const { ms } = await importInto(store);
        console.log(`  import ledger (PostgreSQL):   ${ms.toFixed(0)} ms (${rate(ms)} records/s, ${ratio(refMs, ms)})`);
      } finally {
        await store.close();
        const c = new pg.Client({ connectionString: PG_URL });
        await c.connect();
        await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await c.end();
      }
    }
  }
} finally {
  if (!KEEP) fs.rmSync(dir, { recursive: true, force: true });
}
