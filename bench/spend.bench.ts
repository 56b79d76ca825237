/**
 * `/api/spend` (team × day, 30 days) and `/api/overview` at scale, embedded and PostgreSQL, against
 * DuckDB's own raw GROUP BY of the same records (issue 15 targets: 10M records, spend ≤ 100 ms
 * embedded / ≤ 300 ms PostgreSQL, overview ≤ 1 s).
 *
 *   node dist/bench/spend.bench.js [--records 10000000] [--base 50000] [--days 35] [--runs 7] [--settle 10] [--data DIR]
 *
 * Fills `<data>` (a temp folder unless --data, which is reused when it already holds enough) with
 * `--base` synthetic records through Store.insertRecords, then copies them in SQL up to `--records`
 * (new ids, started_at + k µs, one day at a time in time order, as a live ledger is written) and
 * rebuilds the rollups, since the SQL copy goes around the store. With COSTRAIL_DATABASE_URL (and
 * COSTRAIL_DATABASE_SCHEMA) the same records are built in PostgreSQL the same way and measured too.
 * Each figure is the median of `--runs` HTTP requests after one warm-up, `--settle` seconds after the
 * server started (its first alert evaluation shares the process); the ratio column divides
 * it by the median of DuckDB's raw team × day GROUP BY over the same 30 days.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startCostrail, type CostrailRuntime } from '../src/server/costrail-runtime.js';
import { DuckDbStore } from '../src/store/embedded/duckdb-store.js';
import { PostgresStore } from '../src/store/postgres/postgres-store.js';
import { ROLLUP_DIMENSIONS as PG_ROLLUP_DIMENSIONS } from '../src/store/migrations/postgres/001-ledger.js';
import { insertSynthetic } from './synthetic-ledger.js';

const { values } = parseArgs({ options: { records: { type: 'string', default: '10000000' }, base: { type: 'string', default: '50000' }, days: { type: 'string', default: '35' }, runs: { type: 'string', default: '7' }, settle: { type: 'string', default: '10' }, data: { type: 'string' } } });
const records = Number(values.records);
const baseCount = Math.min(records, Number(values.base));
const days = Number(values.days);
const runs = Number(values.runs);
const dataDir = values.data ?? fs.mkdtempSync(path.join(os.tmpdir(), 'costrail-spend-bench-'));
const keep = values.data !== undefined;
const pgUrl = process.env['COSTRAIL_DATABASE_URL'];
const pgSchema = process.env['COSTRAIL_DATABASE_SCHEMA'];
const DAY_MS = 86_400_000;
// Records end at the last whole hour before the run; the queries use the same "now".
const END = Math.floor(Date.now() / 3_600_000) * 3_600_000;
const log = (s: string): void => void process.stderr.write(`  ${s}\n`);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/**
 * Copies redraw team, feature and customer (costs in the synthetic ledger do not depend on them),
 * so the number of distinct (hour, dimensions) keys grows with the record count as real traffic's
 * does, instead of staying at the base's: a rollup of a copied ledger would otherwise be tiny.
 * The same deterministic choice in both engines: (base row number + 7919 × copy) picks the value.
 */
const TEAMS = ['search', 'support', 'growth', 'platform', 'research', 'billing'];
const FEATURES = ['answer', 'rerank', 'ticket-summary', 'reply-draft', 'email-personalise', 'agent-triage', 'deep-analysis', 'invoice-explain'];
const CUSTOMERS = ['acme', 'globex', 'initech', 'umbrella', 'hooli', 'stark', 'wayne', 'tyrell'];
const pick = (list: string[], seed: string, salt: number, nullPercent: number): { duck: string; pg: string } => {
  const arr = `[${list.map((v) => `'${v}'`).join(', ')}]`;
  const n = `((${seed}) * ${salt} + 13) % 1000`;
  return {
    duck: `CASE WHEN ${n} < ${nullPercent * 10} THEN NULL ELSE ${arr}[1 + (${n}) % ${list.length}] END`,
    pg: `CASE WHEN ${n} < ${nullPercent * 10} THEN NULL ELSE (ARRAY${arr})[1 + (${n}) % ${list.length}] END`,
  };
};
const SEED_DUCK = 'b.bench_row + 7919 * r.k';
const SEED_PG = 'b.bench_row + 7919 * k';
// Copy 0 keeps the base row as it is (PostgreSQL keeps the base rows and adds copies 1…).
const REDRAWN_DUCKDB = [
  `CASE WHEN r.k = 0 THEN b.team ELSE ${pick(TEAMS, SEED_DUCK, 31, 4).duck} END AS team`,
  `CASE WHEN r.k = 0 THEN b.feature ELSE ${pick(FEATURES, SEED_DUCK, 37, 0).duck} END AS feature`,
  `CASE WHEN r.k = 0 THEN b.customer ELSE ${pick(CUSTOMERS, SEED_DUCK, 41, 0).duck} END AS customer`,
].join(', ');
const REDRAWN_PG: Record<string, string> = { team: pick(TEAMS, SEED_PG, 31, 4).pg, feature: pick(FEATURES, SEED_PG, 37, 0).pg, customer: pick(CUSTOMERS, SEED_PG, 41, 0).pg };

async function timed(fn: () => Promise<unknown>): Promise<number> {
  await fn();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

async function fillEmbedded(): Promise<number> {
  const store = await DuckDbStore.open(dataDir);
  try {
    let total = await store.countRecords();
    if (total >= records) return total;
    if (total < baseCount) await insertSynthetic(store, { count: baseCount - total, days, end: END, seed: 7, idPrefix: 'base', batch: 20_000 });
    total = await store.countRecords();
    const copies = Math.ceil(records / total);
    const t0 = performance.now();
    const exec = (sql: string): Promise<number> => store.sql.execute(sql);
    await exec('CREATE OR REPLACE TABLE bench_base AS SELECT *, row_number() OVER (ORDER BY id) AS bench_row FROM ledger');
    await exec('DELETE FROM ledger');
    const [range] = await store.sql.query('SELECT epoch_us(min(started_at)) AS lo, epoch_us(max(started_at)) AS hi FROM bench_base');
    const DAY_US = 86_400_000_000;
    for (let d = Number(range?.['lo']); d <= Number(range?.['hi']); d += DAY_US) {
      await exec(`INSERT INTO ledger SELECT b.* EXCLUDE (bench_row) REPLACE (b.id || '-c' || r.k AS id, b.started_at + to_microseconds(r.k) AS started_at, ${REDRAWN_DUCKDB}) FROM bench_base AS b, range(${copies}) AS r(k) WHERE b.started_at >= make_timestamp(${d}) AND b.started_at < make_timestamp(${d + DAY_US}) ORDER BY started_at`);
    }
    await exec('DROP TABLE bench_base');
    await store.rebuildRollups();
    await exec('CHECKPOINT');
    total = await store.countRecords();
    log(`embedded: ${total} records in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    return total;
  } finally {
    await store.close();
  }
}

async function fillPostgres(url: string): Promise<number> {
  const store = await PostgresStore.open(url, pgSchema ? { schema: pgSchema } : {});
  try {
    let total = await store.countRecords();
    if (total >= records) return total;
    if (total < baseCount) await insertSynthetic(store, { count: baseCount - total, days, end: END, seed: 7, idPrefix: 'base', batch: 20_000 });
    total = await store.countRecords();
    const copies = Math.ceil(records / total);
    const t0 = performance.now();
    const q = (sql: string): Promise<unknown> => store.pool.query(sql);
    const cols = (await store.pool.query<{ column_name: string }>("SELECT column_name FROM information_schema.columns WHERE table_name = 'ledger' AND table_schema = current_schema() ORDER BY ordinal_position")).rows.map((r) => r.column_name);
    const select = cols.map((c) => (c === 'id' ? `b.id || '-c' || k` : c === 'started_at' ? `b.started_at + k * interval '1 microsecond'` : c in REDRAWN_PG ? `${REDRAWN_PG[c]} AS "${c}"` : `b."${c}"`)).join(', ');
    await q('DROP TABLE IF EXISTS bench_base');
    await q('CREATE TABLE bench_base AS SELECT *, row_number() OVER (ORDER BY id) AS bench_row FROM ledger');
    await q(`INSERT INTO ledger (${cols.map((c) => `"${c}"`).join(', ')}) SELECT ${select} FROM bench_base b, generate_series(1, ${copies - 1}) AS k ORDER BY 3`);
    await q(`INSERT INTO ledger_ids (id, started_at) SELECT b.id || '-c' || k, b.started_at + k * interval '1 microsecond' FROM bench_base b, generate_series(1, ${copies - 1}) AS k`);
    await q('DROP TABLE bench_base');
    const dims = PG_ROLLUP_DIMENSIONS.join(', ');
    const sums = "coalesce(sum(cost_total), 0), count(*), count(*) FILTER (WHERE cost_total IS NULL AND input_tokens IS NOT NULL), coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0), coalesce(sum(cache_read_tokens), 0), coalesce(sum(cache_write_tokens), 0), coalesce(sum(reasoning_tokens), 0)";
    const tokenCols = 'cost, requests, unpriced, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens';
    await q('TRUNCATE ledger_rollup_hourly, ledger_rollup_daily');
    await q(`INSERT INTO ledger_rollup_hourly (hour, ${dims}, ${tokenCols}) SELECT date_trunc('hour', started_at), ${dims}, ${sums} FROM ledger GROUP BY 1, ${dims}`);
    await q(`INSERT INTO ledger_rollup_daily (day, ${dims}, ${tokenCols}) SELECT date_trunc('day', hour), ${dims}, ${tokenCols.split(', ').map((c) => `sum(${c})`).join(', ')} FROM ledger_rollup_hourly GROUP BY 1, ${dims}`);
    await q('ANALYZE');
    total = await store.countRecords();
    log(`postgres: ${total} records in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    return total;
  } finally {
    await store.close();
  }
}

/** The page's queries, in UTC, as of END. */
function queries(): { spend: string; overview: string } {
  const now = new Date(END);
  const dayStart = (ms: number): number => Math.floor(ms / DAY_MS) * DAY_MS;
  const monthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  const weekStart = dayStart(END) - ((now.getUTCDay() + 6) % 7) * DAY_MS;
  const chartFrom = Math.min(monthStart, weekStart, dayStart(END - 29 * DAY_MS));
  const iso = (ms: number): string => new Date(ms).toISOString();
  const lastMonthFrom = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1);
  return {
    spend: `/api/spend?from=${iso(dayStart(END - 29 * DAY_MS))}&group_by=team&granularity=day`,
    overview: `/api/overview?at=${iso(END)}&chart_from=${iso(chartFrom)}&month_from=${iso(monthStart)}&last_month_from=${iso(lastMonthFrom)}&last_month_to=${iso(Math.min(monthStart, lastMonthFrom + (END - monthStart)))}&stack_by=provider`,
  };
}

interface Figures {
  spend_team_by_day_30d_ms: number;
  overview_ms: number;
  /** The same two through the Store interface, without HTTP (and without the server's background jobs' share of the event loop). */
  store_spend_ms: number;
  store_overview_ms: number;
}

async function measure(rt: CostrailRuntime): Promise<Figures> {
  // A server just started runs its first alert evaluation and retention pass: let them finish.
  await new Promise((r) => setTimeout(r, Number(values.settle) * 1000));
  const get = async (p: string): Promise<void> => {
    const res = await fetch(rt.url + p, { headers: { authorization: `Bearer ${rt.adminToken}` } });
    if (res.status !== 200) throw new Error(`${p}: ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
  };
  const q = queries();
  const params = (p: string): URLSearchParams => new URLSearchParams(p.slice(p.indexOf('?') + 1));
  const sp = params(q.spend);
  const op = params(q.overview);
  const at = Date.parse(op.get('at')!);
  const overview = {
    chart_from: op.get('chart_from')!,
    top_from: op.get('month_from')!,
    stack_by: 'provider',
    top_by: ['team', 'feature', 'customer', 'model'],
    windows: {
      last_hour: { from: new Date(at - 3_600_000).toISOString(), to: op.get('at')! },
      same_hour_last_week: { from: new Date(at - 7 * DAY_MS - 3_600_000).toISOString(), to: new Date(at - 7 * DAY_MS).toISOString() },
      same_days_last_month: { from: op.get('last_month_from')!, to: op.get('last_month_to')! },
    },
  };
  return {
    spend_team_by_day_30d_ms: round(await timed(() => get(q.spend))),
    overview_ms: round(await timed(() => get(q.overview))),
    store_spend_ms: round(await timed(() => rt.store.getSpend({ from: sp.get('from')!, group_by: ['team'], granularity: 'day' }))),
    store_overview_ms: round(await timed(() => rt.store.getOverview(overview))),
  };
}

const round = (ms: number): number => Number(ms.toFixed(1));
const withRatios = (f: Figures, raw: number): Record<string, number> => ({ ...f, spend_ratio_vs_raw: round(f.spend_team_by_day_30d_ms / raw), overview_ratio_vs_raw: round(f.overview_ms / raw) });

/** Starts Costrail on the embedded store even when COSTRAIL_DATABASE_URL is set (the runtime reads it from the environment). */
async function startEmbedded(): Promise<CostrailRuntime> {
  const saved = process.env['COSTRAIL_DATABASE_URL'];
  delete process.env['COSTRAIL_DATABASE_URL'];
  try {
    return await startCostrail({ port: 0, dataDir, quiet: true, upstreams: {} });
  } finally {
    if (saved !== undefined) process.env['COSTRAIL_DATABASE_URL'] = saved;
  }
}

try {
  const total = await fillEmbedded();
  const rt = await startEmbedded();
  let raw: number;
  let embedded: Figures;
  try {
    const from = Math.floor((END - 29 * DAY_MS) / DAY_MS) * DAY_MS * 1000;
    // DuckDB's own answer to the same question, straight SQL on the raw ledger: the yardstick.
    raw = await timed(() => rt.store.sql.query(`SELECT team, date_trunc('day', started_at) AS day, sum(cost_total) AS cost, count(*) AS requests, sum(input_tokens) AS input, sum(output_tokens) AS output FROM ledger WHERE started_at >= make_timestamp(${from}) GROUP BY ALL`));
    embedded = await measure(rt);
  } finally {
    await rt.close();
  }
  const result: Record<string, unknown> = {
    records: total,
    days,
    runs,
    load_average_1m: Number(os.loadavg()[0]?.toFixed(1)),
    cpus: os.cpus().length,
    duckdb_raw_team_by_day_ms: round(raw),
    embedded: withRatios(embedded, raw),
    targets: { embedded_spend_ms: 100, postgres_spend_ms: 300, overview_ms: 1000 },
  };
  if (pgUrl) {
    const pgTotal = await fillPostgres(pgUrl);
    const pgDir = fs.mkdtempSync(path.join(os.tmpdir(), 'costrail-spend-bench-pg-'));
    try {
      const pgRt = await startCostrail({ port: 0, dataDir: pgDir, quiet: true, upstreams: {} });
      try {
        const pg = await measure(pgRt);
        result.postgres = { records: pgTotal, ...withRatios(pg, raw) };
      } finally {
        await pgRt.close();
      }
    } finally {
      fs.rmSync(pgDir, { recursive: true, force: true });
    }
  }
  console.log(JSON.stringify(result, null, 2));
} finally {
  if (!keep) fs.rmSync(dataDir, { recursive: true, force: true });
}
