/**
 * Store benchmark: ingest through the LedgerWriter (spool + batches) into each store, then the two
 * ledger endpoints through HTTP on a real Costrail runtime, then the data size.
 *
 *   npm run build && node dist/bench/store.bench.js [--records N] [--ingest N] [--backend duckdb|postgres|both] [--batch N]
 *
 * N defaults to COSTRAIL_BENCH_RECORDS or 1,000,000, spread over 90 days in time order (as a
 * gateway writes them). PostgreSQL: COSTRAIL_BENCH_DATABASE_URL (default the local test server),
 * in a schema of its own that is dropped afterwards.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { request } from 'undici';
import { emptyAttribution, type LedgerRecord } from '../src/ledger/ledger-record.js';
import { LedgerWriter } from '../src/ledger/ledger-writer.js';
import { Decimal } from '../src/pricing/decimal.js';
import { startCostrail } from '../src/server/costrail-runtime.js';
import { DuckDbStore } from '../src/store/embedded/duckdb-store.js';
import { PostgresStore } from '../src/store/postgres/postgres-store.js';
import type { Store } from '../src/store/store.js';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const N = Number(arg('records', process.env.COSTRAIL_BENCH_RECORDS ?? '1000000'));
const BACKEND = arg('backend', 'both');
const BATCH = Number(arg('batch', '5000'));
const PG_URL = process.env.COSTRAIL_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const END = Date.UTC(2026, 10, 1);
const SPAN_MS = 90 * 86_400_000;

// A realistic shape: each team owns a few features; customers and models spread across them.
const TEAMS = ['search', 'ads', 'support', 'growth', 'platform', 'risk', 'docs', 'mobile', 'data', 'sales'];
const MODELS: [string, string, number, number][] = [
  ['openai', 'gpt-4o-mini-2024-07-18', 15, 60],
  ['openai', 'gpt-4o-2024-08-06', 250, 1000],
  ['openai', 'o3-mini', 110, 440],
  ['anthropic', 'claude-sonnet-4-20250514', 300, 1500],
  ['anthropic', 'claude-3-5-haiku-20241022', 80, 400],
  ['gemini', 'gemini-2.5-flash', 30, 250],
  ['gemini', 'gemini-2.5-pro', 125, 1000],
  ['mistral', 'mistral-large-latest', 200, 600],
];

function syntheticRecord(i: number): LedgerRecord {
  const h = Math.imul(i + 1, 2654435761) >>> 0;
  const teamIdx = h % TEAMS.length;
  const [provider, model, inRate, outRate] = MODELS[(h >>> 4) % MODELS.length]!;
  const input = 50 + ((h >>> 8) % 4000);
  const output = 10 + ((h >>> 12) % 800);
  const cached = h % 3 === 0 ? 1024 : 0;
  // Rates are USD per 1e8 tokens here, so the cost is an exact 8-place decimal.
  const cost = Decimal.fromBigInt(BigInt(input * inRate + output * outRate + (cached * inRate) / 4), 8).toString();
  const started = END - SPAN_MS + Math.floor((i / N) * SPAN_MS);
  const unpriced = h % 97 === 0;
  return {
    id: `b-${i.toString(36).padStart(8, '0')}`,
    source: 'gateway',
    started_at: new Date(started).toISOString(),
    ended_at: new Date(started + 900).toISOString(),
    duration_ms: 900,
    ttft_ms: 200,
    provider,
    api: 'chat.completions',
    model_requested: model,
    model,
    status: h % 53 === 0 ? 'error' : 'ok',
    http_status: h % 53 === 0 ? 500 : 200,
    stream: (h & 1) === 1,
    usage: { input_tokens: input, cache_read_tokens: cached, cache_write_tokens: 0, cache_write_1h_tokens: 0, output_tokens: output, reasoning_tokens: 0, audio_input_tokens: 0, audio_cache_read_tokens: 0, audio_output_tokens: 0, image_input_tokens: 0, web_search_calls: 0 },
    usage_source: 'provider',
    cost: unpriced ? null : { total: cost, input: cost, cache_read: '0', cache_write: '0', output: '0', reasoning: '0', audio: '0', image: '0', tools: '0', currency: 'USD', source: 'price_book' },
    priced: !unpriced,
    price_version: unpriced ? null : 'pv-bench',
    attribution: { ...emptyAttribution(), team: TEAMS[teamIdx]!, feature: `${TEAMS[teamIdx]}-f${(h >>> 16) % 3}`, customer: `cust-${(h >>> 6) % 200}`, env: 'prod', priority: 'normal' },
    tags: (h >>> 20) % 4 === 0 ? { experiment: 'b' } : {},
    key_id: `key-${teamIdx}`,
    trace_id: `t-${h.toString(16)}`,
    span_id: null,
    unpriced_reason: unpriced ? 'model not in price book' : null,
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const INGEST_N = Math.min(N, Number(arg('ingest', process.env.COSTRAIL_BENCH_INGEST ?? '200000')));

interface IngestResult {
  rate: number;
  cpuUsPerRecord: number;
  fillRate: number;
}

/**
 * The first INGEST_N records go through the LedgerWriter (spool + batches) and are timed; the
 * rest fill the store through insertRecords in large batches (same SQL, no spool) so a run with
 * millions of records for the query figures does not take the machine for an hour.
 */
async function ingest(store: Store, dataDir: string): Promise<IngestResult> {
  const writer = new LedgerWriter({ dataDir, store, batchSize: BATCH, flushIntervalMs: 1000, maxBufferedRecords: BATCH * 8 });
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let lastReport = t0;
  for (let i = 0; i < INGEST_N; i += BATCH) {
    for (let j = i; j < Math.min(INGEST_N, i + BATCH); j++) writer.write(syntheticRecord(j));
    // Back-pressure: let the store keep up instead of spilling the whole run to disk.
    while (writer.stats().spoolDepth > BATCH * 4) await sleep(1);
    if (performance.now() - lastReport > 10_000) {
      lastReport = performance.now();
      process.stderr.write(`  ${i.toLocaleString()} written, ${writer.stats().flushed.toLocaleString()} committed\n`);
    }
  }
  await writer.flush();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const stats = writer.stats();
  await writer.close();
  if (stats.flushed !== INGEST_N || stats.failures) throw new Error(`ingest incomplete: ${JSON.stringify(stats)}`);
  const f0 = performance.now();
  const FILL = 20_000;
  for (let i = INGEST_N; i < N; i += FILL) {
    const batch: LedgerRecord[] = [];
    for (let j = i; j < Math.min(N, i + FILL); j++) batch.push(syntheticRecord(j));
    await store.insertRecords(batch);
    if (performance.now() - lastReport > 10_000) {
      lastReport = performance.now();
      process.stderr.write(`  fill: ${i.toLocaleString()} of ${N.toLocaleString()}\n`);
    }
  }
  const fillSeconds = (performance.now() - f0) / 1000;
  return { rate: INGEST_N / seconds, cpuUsPerRecord: (cpu.user + cpu.system) / INGEST_N, fillRate: N > INGEST_N ? (N - INGEST_N) / fillSeconds : 0 };
}

async function latency(url: string, token: string, pathAndQuery: string, runs = 15): Promise<{ median: number; p90: number; rows: number }> {
  const times: number[] = [];
  let rows = 0;
  for (let i = 0; i < runs + 2; i++) {
    const t0 = performance.now();
    const res = await request(url + pathAndQuery, { headers: { authorization: `Bearer ${token}` } });
    const body = (await res.body.json()) as { rows?: unknown[]; events?: unknown[] };
    if (res.statusCode !== 200) throw new Error(`${pathAndQuery}: HTTP ${res.statusCode} ${JSON.stringify(body)}`);
    if (i >= 2) times.push(performance.now() - t0); // two warm-up calls
    rows = (body.rows ?? body.events ?? []).length;
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)]!, p90: times[Math.floor(times.length * 0.9)]!, rows };
}

async function queries(dataDir: string, env: Record<string, string>): Promise<Record<string, string>> {
  Object.assign(process.env, env);
  const rt = await startCostrail({ port: 0, dataDir, quiet: true, upstreams: {} });
  try {
    const from = new Date(END - 30 * 86_400_000).toISOString();
    const to = new Date(END).toISOString();
    const spend = await latency(rt.url, rt.adminToken, `/api/spend?group_by=team&granularity=day&from=${from}&to=${to}`);
    const spendTz = await latency(rt.url, rt.adminToken, `/api/spend?group_by=team&granularity=day&tz=America/New_York&from=${from}&to=${to}`);
    const tag = await latency(rt.url, rt.adminToken, `/api/spend?group_by=tag:experiment,model&from=${from}&to=${to}`, 5);
    const events = await latency(rt.url, rt.adminToken, '/api/events?limit=100');
    const eventsTeam = await latency(rt.url, rt.adminToken, '/api/events?limit=100&team=docs&model=gemini-2.5-pro');
    const fmt = (l: { median: number; p90: number; rows: number }): string => `${l.median.toFixed(1)} ms (p90 ${l.p90.toFixed(1)}, ${l.rows} rows)`;
    return {
      'spend team x day, 30 days, UTC': fmt(spend),
      'spend team x day, 30 days, America/New_York': fmt(spendTz),
      'spend tag:experiment x model, 30 days (raw records)': fmt(tag),
      'events first page (100)': fmt(events),
      'events first page, team+model filter': fmt(eventsTeam),
    };
  } finally {
    await rt.close();
    for (const k of Object.keys(env)) delete process.env[k];
  }
}

function dirBytes(dir: string): number {
  return fs.readdirSync(dir, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? dirBytes(path.join(dir, e.name)) : fs.statSync(path.join(dir, e.name)).size), 0);
}

const perMillion = (bytes: number): string => `${((bytes / N) * 1e6 / 1024 / 1024).toFixed(0)} MiB per million records`;

async function benchDuckDb(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'costrail-bench-store-'));
  try {
    const store = await DuckDbStore.open(dataDir);
    const ing = await ingest(store, dataDir);
    await store.sql.execute('CHECKPOINT');
    await store.close();
    const size = dirBytes(dataDir);
    const q = await queries(dataDir, {});
    report('DuckDB (embedded)', ing, q, `${(size / 1024 / 1024).toFixed(0)} MiB data folder = ${perMillion(size)}`);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function benchPostgres(): Promise<void> {
  const schema = `costrail_bench_${process.pid}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'costrail-bench-store-'));
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  try {
    const store = await PostgresStore.open(PG_URL, { schema });
    const ing = await ingest(store, dataDir);
    await store.sql.execute('ANALYZE');
    await store.close();
    const q = await queries(dataDir, { COSTRAIL_DATABASE_URL: PG_URL, COSTRAIL_DATABASE_SCHEMA: schema });
    const { rows } = await admin.query<{ bytes: string; rollup: string }>(
      `SELECT sum(pg_total_relation_size(c.oid))::text AS bytes,
              sum(pg_total_relation_size(c.oid)) FILTER (WHERE c.relname = 'ledger_rollup_hourly')::text AS rollup
       FROM pg_class c WHERE c.relnamespace = $1::regnamespace AND c.relkind = 'r'`,
      [schema],
    );
    const size = Number(rows[0]?.bytes ?? 0);
    report('PostgreSQL', ing, q, `${(size / 1024 / 1024).toFixed(0)} MiB of tables and indexes = ${perMillion(size)} (rollup ${(Number(rows[0]?.rollup ?? 0) / 1024 / 1024).toFixed(1)} MiB)`);
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

function report(name: string, ing: IngestResult, q: Record<string, string>, size: string): void {
  console.log(`\n${name}: ${N.toLocaleString()} records over 90 days, writer batches of ${BATCH}`);
  console.log(`  ingest through LedgerWriter (${INGEST_N.toLocaleString()} records): ${Math.round(ing.rate).toLocaleString()} records/s wall, ${ing.cpuUsPerRecord.toFixed(1)} µs of this process's CPU per record`);
  if (ing.fillRate) console.log(`  fill of the rest via insertRecords(20k batches): ${Math.round(ing.fillRate).toLocaleString()} records/s`);
  for (const [k, v] of Object.entries(q)) console.log(`  ${k}: ${v}`);
  console.log(`  size: ${size}`);
}

console.log(`store benchmark on ${os.cpus().length} cores (${os.loadavg()[0]!.toFixed(2)} load average at start), Node ${process.version}`);
if (BACKEND === 'duckdb' || BACKEND === 'both') await benchDuckDb();
if (BACKEND === 'postgres' || BACKEND === 'both') await benchPostgres();
