/**
 * `costrail anomalies` (the backtest) over a large ledger, timed in its two halves: reading the
 * ledger into scope series (ledger-backtest-source.ts, aggregated in the store) and the
 * minute-by-minute replay of the detectors (backtest.ts). Issue 15 target: 14 days of 1M records
 * in ≤ 30 s.
 *
 *   npm run build && node dist/bench/backtest.bench.js [--records N] [--days D] [--eval-days E] [--backend duckdb|postgres]
 *
 * Writes N synthetic records (bench/synthetic-ledger.ts) spread over the D days before the end,
 * into a fresh embedded store (or PostgreSQL schema, COSTRAIL_BENCH_DATABASE_URL), then backtests
 * the last E days (the days before them are the baseline). Figures belong in bench/README.md only
 * from a quiet machine.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { runBacktest } from '../src/alerts/backtest.js';
import { loadBacktestInput } from '../src/alerts/ledger-backtest-source.js';
import { DuckDbStore } from '../src/store/embedded/duckdb-store.js';
import { PostgresStore } from '../src/store/postgres/postgres-store.js';
import type { Store } from '../src/store/store.js';
import { insertSynthetic } from './synthetic-ledger.js';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const N = Number(arg('records', '1000000'));
const DAYS = Number(arg('days', '14'));
const EVAL_DAYS = Number(arg('eval-days', '14'));
const BACKEND = arg('backend', 'duckdb');
const PG_URL = process.env.COSTRAIL_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const DAY = 86_400_000;
const END = Date.UTC(2026, 10, 1);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'costrail-backtest-bench-'));
const schema = `costrail_backtest_bench_${process.pid}`;
let store: Store | undefined;
try {
  store = BACKEND === 'postgres' ? await PostgresStore.open(PG_URL, { schema }) : await DuckDbStore.open(dir);
  const tLoad = performance.now();
  await insertSynthetic(store, { count: N, days: DAYS, end: END, batch: 50_000 });
  console.log(`records: ${N} over ${DAYS} days (${store.kind}), written in ${((performance.now() - tLoad) / 1000).toFixed(1)} s`);
  const fromMs = END - EVAL_DAYS * DAY;
  const t0 = performance.now();
  const input = await loadBacktestInput(store, { fromMs, toMs: END, annotations: [] });
  const t1 = performance.now();
  const alerts = await runBacktest(input, { fromMs, toMs: END });
  const t2 = performance.now();
  console.log(`backtest of ${EVAL_DAYS} days: ledger → series ${((t1 - t0) / 1000).toFixed(2)} s (${input.scopes.length} scopes, ${input.traces?.size ?? 0} traces, ${input.sightings?.length ?? 0} sightings), replay ${((t2 - t1) / 1000).toFixed(2)} s, total ${((t2 - t0) / 1000).toFixed(2)} s, ${alerts.length} alerts`);
} finally {
  await store?.close();
  fs.rmSync(dir, { recursive: true, force: true });
  if (BACKEND === 'postgres') {
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await c.end();
  }
}
