/**
 * `costrail import billing` of an AWS CUR 2.0 CSV (issue 16: a 5M-line CUR must import in well
 * under a minute), against DuckDB's own plain load of the same file, in one run.
 *
 *   npm run build && node dist/bench/billing-import.bench.js [--lines N[,N…]] [--bedrock 0.5] [--backend duckdb|postgres|both] [--keep DIR]
 *
 * Default: 1M and 5M lines, half of them Bedrock (the rest EC2/S3 lines the import skips), the
 * embedded store. For each size it writes the CUR (Bedrock usage types of several models and token
 * classes, `1K tokens` units, a Tax and a Credit line per thousand, tags on some lines), then
 * times: DuckDB loading the file into a table with read_csv (the reference), and importBillingFile
 * as the CLI runs it without a server into a fresh store (embedded, and/or a fresh PostgreSQL
 * schema from COSTRAIL_BENCH_DATABASE_URL, default the local test server, dropped afterwards).
 * Figures belong in bench/README.md only from a quiet machine.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import pg from 'pg';
import { importBillingFile } from '../src/billing/billing-import.js';
import { DuckDbStore } from '../src/store/embedded/duckdb-store.js';
import { PostgresStore } from '../src/store/postgres/postgres-store.js';
import type { Store } from '../src/store/store.js';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const SIZES = arg('lines', '1000000,5000000').split(',').map(Number);
const BEDROCK_SHARE = Number(arg('bedrock', '0.5'));
const BACKEND = arg('backend', 'duckdb');
const KEEP = arg('keep', '');
const PG_URL = process.env.COSTRAIL_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const dir = KEEP || fs.mkdtempSync(path.join(os.tmpdir(), 'costrail-billing-bench-'));
fs.mkdirSync(dir, { recursive: true });

const HEADER = 'bill_payer_account_id,bill_billing_period_start_date,line_item_usage_account_id,line_item_iam_principal,line_item_line_item_type,line_item_usage_start_date,line_item_usage_end_date,line_item_product_code,line_item_usage_type,line_item_usage_amount,pricing_unit,line_item_unblended_cost,line_item_currency_code,line_item_line_item_description,resource_tags';
const USAGE_TYPES = ['USE1-Claude4.6Sonnet-input-tokens', 'USE1-Claude4.6Sonnet-output-tokens', 'USW2-anthropic.claude-opus-4-8-mantle-cache-write-tokens-standard', 'USE1-NovaLite-input-tokens', 'APS1-Llama3-70B-cache-read-input-token-count'];
const TEAMS = ['', '', 'search', '{"user_team":"ads"}'];

/** A deterministic CUR of `n` lines; about `BEDROCK_SHARE` of them Bedrock. */
function writeCur(file: string, n: number): void {
  const fd = fs.openSync(file, 'w');
  let buf: string[] = [HEADER];
  let seed = 42;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let i = 0; i < n; i++) {
    const day = 1 + (i % 28);
    const hour = i % 24;
    const start = `2026-08-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00Z`;
    const end = hour === 23 ? `2026-08-${String(day + 1).padStart(2, '0')}T00:00:00Z` : `2026-08-${String(day).padStart(2, '0')}T${String(hour + 1).padStart(2, '0')}:00:00Z`;
    const bedrock = rnd() < BEDROCK_SHARE;
    const type = bedrock && i % 1000 === 0 ? 'Tax' : bedrock && i % 1000 === 1 ? 'Credit' : 'Usage';
    const product = bedrock ? 'AmazonBedrock' : i % 2 ? 'AmazonEC2' : 'AmazonS3';
    const usage = bedrock ? USAGE_TYPES[i % USAGE_TYPES.length]! : 'BoxUsage:m5.large';
    const amount = (rnd() * 5000).toFixed(3);
    const cost = type === 'Credit' ? `-${(rnd() * 10).toFixed(2)}` : (rnd() * 20).toFixed(6);
    const tags = TEAMS[i % TEAMS.length]!;
    buf.push(
      `111111111111,2026-08-01T00:00:00Z,123456789012,arn:aws:sts::123456789012:assumed-role/App${i % 50}/s,${type},${start},${end},${product},${usage},${type === 'Usage' ? amount : ''},${bedrock ? '1K tokens' : 'Hrs'},${cost},USD,,${tags.includes(',') || tags.includes('"') ? `"${tags.replace(/"/g, '""')}"` : tags}`,
    );
    if (buf.length >= 50_000) {
      fs.writeSync(fd, buf.join('\n') + '\n');
      buf = [];
    }
  }
  if (buf.length) fs.writeSync(fd, buf.join('\n') + '\n');
  fs.closeSync(fd);
}

async function duckdbOwnLoad(file: string): Promise<number> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  const t0 = performance.now();
  await conn.run(`CREATE TABLE cur AS SELECT * FROM read_csv('${file}', header = true, all_varchar = true)`);
  const ms = performance.now() - t0;
  conn.closeSync();
  instance.closeSync();
  return ms;
}

async function timeImport(store: Store, file: string): Promise<{ ms: number; lines: number; skipped: number }> {
  const t0 = performance.now();
  const r = await importBillingFile(store, file);
  const ms = performance.now() - t0;
  if (r.status !== 'imported') throw new Error(`import ${r.status}: ${JSON.stringify(r.invalid.slice(0, 3))}`);
  return { ms, lines: r.lines, skipped: r.skipped };
}

const fmt = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const rate = (n: number, ms: number): string => `${Math.round(n / (ms / 1000)).toLocaleString('en-US')} lines/s`;

try {
  for (const n of SIZES) {
    const file = path.join(dir, `cur-${n}.csv`);
    writeCur(file, n);
    const ref = await duckdbOwnLoad(file);
    console.log(`${n.toLocaleString('en-US')} CUR lines (${(fs.statSync(file).size / 1e6).toFixed(0)} MB): DuckDB read_csv into a table ${fmt(ref)}`);
    if (BACKEND === 'duckdb' || BACKEND === 'both') {
      const storeDir = path.join(dir, `store-${n}`);
      const store = await DuckDbStore.open(storeDir);
      try {
        const r = await timeImport(store, file);
        console.log(`  embedded: ${fmt(r.ms)} (${rate(n, r.ms)}; ${r.lines.toLocaleString('en-US')} billed lines, ${r.skipped.toLocaleString('en-US')} skipped; ${(r.ms / ref).toFixed(2)}x the reference)`);
      } finally {
        await store.close();
        fs.rmSync(storeDir, { recursive: true, force: true });
      }
    }
    if (BACKEND === 'postgres' || BACKEND === 'both') {
      const schema = `costrail_billing_bench_${process.pid}`;
      const store = await PostgresStore.open(PG_URL, { schema });
      try {
        const r = await timeImport(store, file);
        console.log(`  PostgreSQL: ${fmt(r.ms)} (${rate(n, r.ms)}; ${r.lines.toLocaleString('en-US')} billed lines; ${(r.ms / ref).toFixed(2)}x the reference)`);
      } finally {
        await store.close();
        const client = new pg.Client({ connectionString: PG_URL });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await client.end();
      }
    }
    if (!KEEP) fs.rmSync(file, { force: true });
  }
} finally {
  if (!KEEP) fs.rmSync(dir, { recursive: true, force: true });
}
