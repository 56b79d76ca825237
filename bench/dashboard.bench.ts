/**
 * Overview load time in headless Chromium against a large embedded store.
 *
 *   node dist/bench/dashboard.bench.js [--records 1000000] [--base 200000] [--days 35] [--runs 5] [--data DIR]
 *
 * Fills a store with `--base` synthetic records through Store.insertRecords, then copies them in
 * SQL (new ids, timestamps shifted by microseconds) up to `--records`: inserting 10 million through
 * the ledger path would take an hour here, and the copy has the same shape. Reuses `--data DIR` if
 * it already holds enough. With COSTRAIL_DATABASE_URL (and COSTRAIL_DATABASE_SCHEMA) it measures
 * PostgreSQL instead, inserting every record through the ledger path (`--base` = `--records`). Starts
 * Costrail on it, signs in, then loads the overview `--runs` times from a cold page: the time is
 * from navigation start until every API request is answered and the chart has drawn.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startCostrail } from '../src/server/costrail-runtime.js';
import { signInLink } from '../src/server/dashboard-assets.js';
import { openBrowser } from '../test/web/browser.js';
import { insertSynthetic } from './synthetic-ledger.js';
import { DuckDbStore } from '../src/store/embedded/duckdb-store.js';

const { values } = parseArgs({ options: { records: { type: 'string', default: '1000000' }, base: { type: 'string', default: '200000' }, days: { type: 'string', default: '35' }, runs: { type: 'string', default: '5' }, data: { type: 'string' } } });
const records = Number(values.records);
const days = Number(values.days);
const runs = Number(values.runs);
const dataDir = values.data ?? fs.mkdtempSync(path.join(os.tmpdir(), 'costrail-dash-bench-'));
const keep = values.data !== undefined;

const rt = await startCostrail({ port: 0, dataDir, quiet: true, upstreams: {} });
try {
  const base = Math.min(records, Number(values.base));
  const have = await rt.store.countRecords();
  if (have < base) {
    const t0 = performance.now();
    let last = 0;
    await insertSynthetic(rt.store, {
      count: base - have,
      days,
      seed: have + 1,
      idPrefix: `bench${have}`,
      batch: 50_000,
      onProgress: (n) => {
        if (n - last >= 100_000 || n === base - have) {
          last = n;
          process.stderr.write(`  inserted ${have + n} / ${base} base records (${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);
        }
      },
    });
  }
  let total = await rt.store.countRecords();
  if (total < records && rt.store.kind !== 'embedded') throw new Error('copying records is DuckDB SQL: with COSTRAIL_DATABASE_URL give --base equal to --records');
  if (total < records) {
    // Each base record becomes `copies` records (new ids, started_at + k µs), written one day at a
    // time in time order, as a live ledger is: DuckDB's zone maps then skip days outside a range.
    const copies = Math.ceil(records / total);
    const t0 = performance.now();
    const exec = (sql: string) => rt.store.sql.execute(sql);
    await exec('DROP TABLE IF EXISTS bench_base');
    await exec('CREATE TABLE bench_base AS SELECT * FROM ledger');
    await exec('DELETE FROM ledger');
    const [range] = await rt.store.sql.query('SELECT epoch_us(min(started_at)) AS lo, epoch_us(max(started_at)) AS hi FROM bench_base');
    const lo = Number(range?.['lo']);
    const hi = Number(range?.['hi']);
    const DAY_US = 86_400_000_000;
    for (let d = lo; d <= hi; d += DAY_US) {
      await exec(`INSERT INTO ledger SELECT b.* REPLACE (b.id || '-c' || r.k AS id, b.started_at + to_microseconds(r.k) AS started_at) FROM bench_base AS b, range(${copies}) AS r(k) WHERE b.started_at >= make_timestamp(${d}) AND b.started_at < make_timestamp(${d + DAY_US}) ORDER BY 3`);
      process.stderr.write(`  copied day ${Math.round((d - lo) / DAY_US) + 1} (${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);
    }
    await exec('DROP TABLE bench_base');
    // The copy went around the store's writes, which keep the hourly rollup current: rebuild it.
    if (rt.store instanceof DuckDbStore) await rt.store.rebuildRollups();
    await exec('CHECKPOINT');
    total = await rt.store.countRecords();
  }
  const browser = await openBrowser();
  try {
    const page = browser.page;
    page.setDefaultTimeout(120_000);
    await page.goto(signInLink(rt.url, rt.adminToken));
    await page.locator('[data-testid="who"]').waitFor();
    const times: number[] = [];
    const apiTimes: number[] = [];
    for (let i = 0; i <= runs; i++) {
      await page.goto(`${rt.url}/#/overview`, { waitUntil: 'commit' });
      await page.reload({ waitUntil: 'commit' });
      await page.locator('[data-testid="spend-chart"][data-rendered="true"]').waitFor();
      await page.locator('[data-testid="overview"][data-loading="false"]').waitFor();
      const m = (await page.evaluate(`(() => {
        const done = performance.now();
        const api = performance.getEntriesByType('resource').filter((e) => e.name.includes('/api/spend') || e.name.includes('/api/overview'));
        return { done, slowestApi: Math.max(...api.map((e) => e.duration)), apiCount: api.length, apiMs: api.map((e) => Math.round(e.duration)) };
      })()`)) as { done: number; slowestApi: number; apiCount: number; apiMs: number[] };
      process.stderr.write(`  run ${i}: ${m.done.toFixed(0)} ms; /api/overview and /api/spend durations ${m.apiMs.join(', ')} ms\n`);
      // The first load warms DuckDB's caches and the browser's; it is reported apart.
      if (i === 0) process.stderr.write(`  cold first load: ${m.done.toFixed(0)} ms (${m.apiCount} /api/overview and /api/spend requests, slowest ${m.slowestApi.toFixed(0)} ms)\n`);
      else {
        times.push(m.done);
        apiTimes.push(m.slowestApi);
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
    const result = { records: total, days, runs, load_average_1m: Number(os.loadavg()[0]?.toFixed(1)), cpus: os.cpus().length, overview_load_ms_median: Math.round(median(times)), overview_load_ms_max: Math.round(Math.max(...times)), slowest_api_ms_median: Math.round(median(apiTimes)), target_ms: 1500 };
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await browser.close();
  }
} finally {
  await rt.close();
  if (!keep) fs.rmSync(dataDir, { recursive: true, force: true });
}
