/**
 * The backtest's series summed in the store (ledger-series-query.ts) must be what one
 * SeriesBuilder.add per record builds: the same scopes in the same order, the same hour and minute
 * buckets, the same watched traces and source sightings (costs agree to float rounding: the store
 * sums exact decimals, `add` sums floats).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { loadSeriesFromStore } from '../../src/alerts/ledger-series-query.js';
import type { BucketSeries } from '../../src/alerts/scope-series.js';
import { SeriesBuilder, type SeriesBuilderOptions } from '../../src/alerts/series-builder.js';
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import { seededRandom } from '../../src/simulator/seeded-random.js';
import { DuckDbStore } from '../../src/store/embedded/duckdb-store.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { Store } from '../../src/store/store.js';
import { dropSchemas, PG_URL, postgresAvailable } from '../helpers/postgres.js';
import { tempDir } from '../helpers/temp-dir.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const END = Date.UTC(2026, 9, 20);

function records(): LedgerRecord[] {
  const random = seededRandom(11);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const out: LedgerRecord[] = [];
  for (let i = 0; i < 4000; i++) {
    const t = END - 10 * DAY + Math.floor(random() * 10 * DAY);
    const priced = random() > 0.05;
    const usage = random() > 0.03 ? { input_tokens: 100 + i, cache_read_tokens: 7, cache_write_tokens: 0, cache_write_1h_tokens: 3, output_tokens: 20, reasoning_tokens: 1, audio_input_tokens: 0, audio_cache_read_tokens: 0, audio_output_tokens: 0, image_input_tokens: 0, web_search_calls: 0 } : null;
    out.push(record(`r-${i}`, t, {
      model: random() < 0.1 ? null : pick(['gpt-4o-mini', 'claude-haiku-4-5', 'gemini-2.5-flash']),
      status: random() < 0.05 ? 'error' : 'ok',
      usage,
      cost: usage && priced ? `0.00${1 + Math.floor(random() * 9000)}` : null,
      team: random() < 0.1 ? null : pick(['search', 'ads', 'growth']),
      feature: pick(['answer', 'rerank', '']),
      key_id: random() < 0.5 ? null : pick(['k1', 'k2', 'k3']),
      tag: random() < 0.3 ? null : pick(['a', 'b']),
      trace: `tr-${Math.floor(i / 3)}`,
    }));
  }
  // A storm: one trace making 40 calls in four minutes, and a late new key for team ads.
  for (let i = 0; i < 40; i++) out.push(record(`storm-${i}`, END - DAY + i * 6000, { model: 'gpt-4o-mini', status: 'ok', usage: null, cost: '0.5', team: 'ads', feature: 'answer', key_id: 'k-new', tag: 'a', trace: 'storm' }));
  return out;
}

function record(id: string, t: number, f: { model: string | null; status: 'ok' | 'error'; usage: LedgerRecord['usage']; cost: string | null; team: string | null; feature: string; key_id: string | null; tag: string | null; trace: string }): LedgerRecord {
  return {
    id,
    source: 'import',
    started_at: new Date(t).toISOString(),
    ended_at: null,
    duration_ms: null,
    ttft_ms: null,
    provider: f.model?.startsWith('claude') ? 'anthropic' : 'openai',
    api: null,
    model_requested: 'requested-model',
    model: f.model,
    status: f.status,
    http_status: null,
    stream: false,
    usage: f.usage,
    usage_source: f.usage ? 'provider' : null,
    cost: f.cost ? { total: f.cost, input: '0', cache_read: '0', cache_write: '0', output: '0', reasoning: '0', audio: '0', image: '0', tools: '0', other: f.cost, currency: 'USD', source: 'provider' } : null,
    priced: f.cost !== null,
    price_version: null,
    attribution: { team: f.team, project: null, feature: f.feature, customer: null, user: null, env: null, agent: null, prompt_version: null, priority: null },
    tags: f.tag ? { exp: f.tag } : {},
    key_id: f.key_id,
    trace_id: f.trace,
    span_id: null,
    error: null,
    unpriced_reason: null,
  };
}

const options = (): SeriesBuilderOptions => ({
  dimensions: ['provider', 'model', 'team', 'feature', 'key_id', 'tag:exp'],
  fromMs: END - 9 * DAY - 1234,
  minuteFromMs: END - 3 * DAY - 56_789,
  toMs: END - 30_000,
  topK: 4,
  traceWatchRequests: 20,
  newSourceScopes: ['', 'team', 'feature', 'key_id'],
  newSourceDimensions: ['provider', 'model', 'key_id'],
  extraScopes: [{ team: 'ads', feature: 'answer' }, { team: 'search' }],
});

function assertSeriesClose(a: BucketSeries, b: BucketSeries, what: string): void {
  assert.deepEqual([a.start, a.step, a.length], [b.start, b.step, b.length], what);
  for (const f of ['requests', 'tokens', 'errors'] as const) assert.deepEqual([...a.data[f]], [...b.data[f]], `${what} ${f}`);
  a.data.cost.forEach((v, i) => assert.ok(Math.abs(v - (b.data.cost[i] ?? 0)) <= 1e-9 * Math.max(1, Math.abs(v)), `${what} cost[${i}] ${v} vs ${b.data.cost[i]}`));
}

async function compare(store: Store): Promise<void> {
  await store.insertRecords(records());
  const o = options();
  const scanned = new SeriesBuilder(o);
  for await (const batch of store.scanRecords({})) for (const r of batch) scanned.add(r);
  const summed = new SeriesBuilder(o);
  const n = await loadSeriesFromStore(store.sql, summed, { ...o, extraScopes: o.extraScopes ?? [] });
  const a = scanned.build();
  const b = summed.build();
  assert.ok(n > 3000);
  assert.deepEqual(b.scopes.map((s) => [s.dimension, s.scope]), a.scopes.map((s) => [s.dimension, s.scope]), 'the same scopes, in the same order');
  a.scopes.forEach((s, i) => {
    assertSeriesClose(b.scopes[i]!.hours, s.hours, `${JSON.stringify(s.scope)} hours`);
    assertSeriesClose(b.scopes[i]!.minutes, s.minutes, `${JSON.stringify(s.scope)} minutes`);
  });
  assert.deepEqual([...(b.traces?.keys() ?? [])], [...(a.traces?.keys() ?? [])]);
  assert.ok(a.traces?.has('storm'), 'the storm trace is watched');
  for (const [id, s] of a.traces ?? []) assertSeriesClose(b.traces!.get(id)!, s, `trace ${id}`);
  const round = (xs: typeof a.sightings): unknown => xs?.map((s) => ({ ...s, first_hour_cost: Math.round(s.first_hour_cost * 1e9) }));
  assert.deepEqual(round(b.sightings), round(a.sightings));
  assert.ok(a.sightings?.some((s) => s.value === 'k-new' && s.scope['team'] === 'ads'));
}

test('embedded: series summed by DuckDB equal one SeriesBuilder.add per record', async () => {
  const store = await DuckDbStore.open(path.join(tempDir('costrail-series-query-'), 'data'));
  try {
    await compare(store);
  } finally {
    await store.close();
  }
});

test('PostgreSQL: series summed by the server equal one SeriesBuilder.add per record', async (t) => {
  if (!(await postgresAvailable('backtest series from PostgreSQL'))) return t.skip('PostgreSQL is not reachable');
  const schema = `costrail_series_query_${process.pid}`;
  const store = await PostgresStore.open(PG_URL, { schema });
  try {
    await compare(store);
  } finally {
    await store.close();
    await dropSchemas([schema]);
  }
});
