/**
 * `import ledger` in bulk (DuckDB validates, the store appends from SQL) must import exactly what
 * the line-by-line zod path imports: the same records, the same refusals in the same words, the
 * same duplicates — on both stores. And ordinary lines must really take the bulk path.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { importLedgerFile, storeImportSink, type ImportFileResult, type ImportSink } from '../../src/ledger/ledger-import-file.js';
import { classifySql, readLinesSql, ROWS_TABLE } from '../../src/ledger/ledger-import-sql.js';
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import { loadPriceBook } from '../../src/pricing/catalog-loader.js';
import type { PriceBook } from '../../src/pricing/price-book.js';
import { DuckDbStore } from '../../src/store/embedded/duckdb-store.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { Store } from '../../src/store/store.js';
import { dropSchemas, PG_URL, postgresAvailable } from '../helpers/postgres.js';
import { tempDir } from '../helpers/temp-dir.js';

const base = { started_at: '2026-10-03T10:00:00Z', provider: 'openai', model: 'gpt-4o-mini' };
const j = (o: Record<string, unknown>): string => JSON.stringify(o);

/** Lines SQL takes in bulk: every field kind, defaults, and what toLedgerRecord derives. */
const BULK = [
  j({
    id: 'full',
    source: 'gateway',
    started_at: '2026-10-02T00:00:00.061Z',
    ended_at: '2026-10-02T00:00:02.125Z',
    duration_ms: 2064,
    ttft_ms: 516.25,
    provider: 'anthropic',
    api: 'messages',
    model_requested: 'claude-sonnet-4-5',
    model: 'claude-sonnet-4-5',
    status: 'ok',
    http_status: 200,
    stream: true,
    usage: { input_tokens: 3130, cache_read_tokens: 512, cache_write_tokens: 0, cache_write_1h_tokens: 0, output_tokens: 579, reasoning_tokens: 0, audio_input_tokens: 0, audio_cache_read_tokens: 0, audio_output_tokens: 0, image_input_tokens: 0, web_search_calls: 1 },
    usage_source: 'estimated',
    cost: { total: '0.0008169', input: '0.0004695', cache_read: '0', cache_write: '0', output: '0.0003474', reasoning: '0', audio: '0', image: '0', tools: '0', other: '0', currency: 'USD', source: 'price_book' },
    priced: true,
    price_version: 'v-2026-10',
    attribution: { team: 'search', project: null, feature: 'rerank', customer: 'stark', user: 'u-259', env: 'prod', agent: null, prompt_version: 'v3', priority: 'normal' },
    tags: { experiment: 'a' },
    key_id: 'key-1',
    trace_id: 'trace-0',
    span_id: null,
    unpriced_reason: null,
  }),
  j({ ...base, id: 'total-only', started_at: '2026-10-03T11:00:00+02:00', cost: { total: '0.0123' }, extra_field: 'dropped', usage_version: 9 }),
  j({ ...base, id: 'parts', cost: { total: '0.01', input: '0.004', output: '0.005' }, usage: { input_tokens: 1000, output_tokens: 20 } }),
  j({ ...base, id: 'failed', status: 'error', http_status: 502, error: { type: 'upstream', message: 'bad gateway "x"' }, unpriced_reason: '' }),
  j({ ...base, id: 'raw', cost: { total: '1000000' }, raw_usage: { prompt_tokens: 5, nested: [1, 2.5, null] } }),
  j({ ...base, id: 'raw-null', cost: { total: '0.000000000000000001' }, raw_usage: null }),
  j({ ...base, id: 'tags', cost: { total: '2' }, tags: { a: 'x', 'b.c': 'é ünï', e: '' }, attribution: { team: 'ads', priority: 'critical' } }),
  j({ ...base, id: 'micro', started_at: '2026-10-03T10:00:00.123456-05:30', ended_at: null, duration_ms: 12.5, cost: { total: '3.' }, usage: {} }),
  j({ ...base, id: 'escaped', model_requested: 'gpt "quoted" \\ \u00e9 \u2028', cost: { total: '.5' }, trace_id: 'tab\there' }),
  j({ ...base, id: 'full', cost: { total: '9' } }), // a repeat of line 1: a duplicate
  j({ ...base, id: 'blocked', status: 'blocked', stream: false, source: 'sdk' }),
  j({ ...base, id: 'priced-by-book', cost: { total: '1' } }), // a repeat of a checked line (CHECKED[0] comes first in the file)
];

/** Valid lines that go to the zod check (unusual, or priced by the book). */
const CHECKED = [
  j({ ...base, id: 'priced-by-book', usage: { input_tokens: 1000, output_tokens: 200, cache_read_tokens: 500 } }),
  j({ ...base, id: 'unknown-model', model: 'no-such-model-xyz', usage: { input_tokens: 10 } }),
  j({ ...base, id: 'scope', status: 'error', error: { type: 'budget', message: 'over', scope: { team: 'ads' } } }),
  '{"id":"float-count","started_at":"2026-10-03T10:00:00Z","provider":"openai","model":"gpt-4o-mini","usage":{"input_tokens":1.0,"output_tokens":1e3},"cost":{"total":"1"}}',
  j({ ...base, id: 'number-money', cost: { total: 0.5, input: 0.25 } }),
  j({ ...base, id: 'long-tags', cost: { total: '1' }, tags: Object.fromEntries(Array.from({ length: 12 }, (_v, i) => [`key-${i}`, `value-${i}`])) }),
  j({ ...base, id: 'tags', usage: { input_tokens: 1 } }), // repeat of a bulk line
];

/** Invalid lines: each refused with the zod wording. */
const INVALID = [
  j({ ...base, id: 'neg', usage: { input_tokens: -1 } }),
  j({ ...base, id: 'huge', usage: { input_tokens: 1e12 + 1 } }),
  j({ ...base, id: 'kind', usage: { input_tokens: 1, made_up_tokens: 3 } }),
  '{"id": "broken"',
  j({ ...base, id: 'no-start', started_at: undefined, cost: { total: '1' } }),
  j({ ...base, id: 'feb-30', started_at: '2026-02-30T10:00:00Z', cost: { total: '1' } }),
  j({ ...base, id: 'hour-24', started_at: '2026-10-03T24:00:00Z', cost: { total: '1' } }),
  j({ ...base, id: 'status-null', status: null, cost: { total: '1' } }),
  j({ ...base, id: 'leaf-null', usage: { input_tokens: null }, cost: { total: '1' } }),
  j({ ...base, id: 'attr-null', attribution: null, cost: { total: '1' } }),
  j({ ...base, id: 'money', cost: { total: 'twelve' } }),
  j({ ...base, id: 'too-much', cost: { total: '1000000.1' } }),
  j({ ...base, id: 'eur', cost: { total: '1', currency: 'EUR' } }),
  j({ ...base, id: 'parts-over', cost: { total: '1', input: '0.6', output: '0.6' } }),
  j({ ...base, id: 'empty' }),
  j({ ...base, id: 'http', http_status: 42, cost: { total: '1' } }),
  j({ ...base, id: '', cost: { total: '1' } }),
  j({ ...base, id: 'tag-number', tags: { a: 1 }, cost: { total: '1' } }),
  '{"id":"nan","started_at":"2026-10-03T10:00:00Z","provider":"openai","model":"m","duration_ms":NaN,"cost":{"total":"1"}}',
  '[1, 2]',
  '"just a string"',
];

const FILE_LINES = [...BULK.slice(0, 5), '', ...INVALID.slice(0, 10), '   ', ...CHECKED.slice(0, 4), ...BULK.slice(5), ...INVALID.slice(10), ...CHECKED.slice(4)];

function writeFile(dir: string, lines: readonly string[]): string {
  const file = path.join(dir, 'ledger.jsonl');
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/** The line-by-line path: the same store sink without its bulk capability. */
const lineByLine = (store: Store, book: PriceBook): ImportSink => ({ insert: storeImportSink(store, book).insert });

async function allRecords(store: Store): Promise<LedgerRecord[]> {
  const out: LedgerRecord[] = [];
  for await (const batch of store.scanRecords({})) out.push(...batch);
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

async function importBoth(bulkStore: Store, lineStore: Store, file: string, book: PriceBook, skipInvalid: boolean): Promise<[ImportFileResult, ImportFileResult]> {
  const sink = storeImportSink(bulkStore, book);
  assert.ok(sink.importFile, 'the store sink imports in bulk');
  return [await importLedgerFile(file, { skipInvalid, sink }), await importLedgerFile(file, { skipInvalid, sink: lineByLine(lineStore, book) })];
}

test('ordinary lines are taken in bulk by SQL; unusual, unpriced and invalid ones go to the zod check', async () => {
  const dir = tempDir('costrail-bulk-route-');
  const file = writeFile(dir, FILE_LINES);
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    await conn.run(readLinesSql(file));
    await conn.run(classifySql());
    const rows = (await conn.runAndReadAll(`SELECT line_no, route FROM ${ROWS_TABLE} ORDER BY line_no`)).getRows();
    const routeOf = new Map(rows.map(([n, r]) => [FILE_LINES[Number(n) - 1], String(r)]));
    for (const l of BULK) assert.equal(routeOf.get(l), 'bulk', l);
    for (const l of [...CHECKED, ...INVALID]) assert.equal(routeOf.get(l), 'check', l);
    assert.equal(rows.length, FILE_LINES.filter((l) => l !== '').length, 'blank lines are left out, whitespace-only ones go to the check');
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
});

describe('bulk import equals the line-by-line import (embedded store)', () => {
  let dir: string;
  let bulkStore: DuckDbStore;
  let lineStore: DuckDbStore;
  let book: PriceBook;
  before(async () => {
    dir = tempDir('costrail-bulk-import-');
    bulkStore = await DuckDbStore.open(path.join(dir, 'bulk'));
    lineStore = await DuckDbStore.open(path.join(dir, 'line'));
    book = loadPriceBook({ dataDir: dir });
  });
  after(async () => {
    await bulkStore.close();
    await lineStore.close();
  });

  test('a file with invalid lines is refused with the same reasons, and nothing is written', async () => {
    const file = writeFile(dir, FILE_LINES);
    const [bulk, line] = await importBoth(bulkStore, lineStore, file, book, false);
    assert.equal(bulk.refused, true);
    assert.deepEqual(bulk, line);
    assert.equal(bulk.invalid.length, INVALID.length);
    assert.equal(await bulkStore.countRecords(), 0);
  });

  test('--skip-invalid imports the same records, counts the same duplicates, and a replay imports nothing', async () => {
    const file = writeFile(dir, FILE_LINES);
    const [bulk, line] = await importBoth(bulkStore, lineStore, file, book, true);
    assert.deepEqual(bulk, line);
    assert.equal(bulk.duplicates, 3);
    const records = await allRecords(bulkStore);
    assert.deepEqual(records, await allRecords(lineStore));
    assert.equal(records.length, BULK.length + CHECKED.length - 3);
    assert.equal(records.find((r) => r.id === 'full')?.cost?.total, '0.0008169', 'the first line of an id wins');
    assert.equal(records.find((r) => r.id === 'parts')?.cost?.other, '0.001');
    assert.equal(records.find((r) => r.id === 'micro')?.started_at, '2026-10-03T15:30:00.123Z');

    const [again, againLine] = await importBoth(bulkStore, lineStore, file, book, true);
    assert.deepEqual(again, againLine);
    assert.equal(again.inserted, 0);
    assert.equal(await bulkStore.countRecords(), records.length);
  });
});

test('bulk import into PostgreSQL (DuckDB-written CSV through COPY) equals the line-by-line import', async (t) => {
  if (!(await postgresAvailable('bulk import into PostgreSQL'))) return t.skip('PostgreSQL is not reachable');
  const schema = `costrail_bulk_import_${process.pid}`;
  const dir = tempDir('costrail-bulk-import-pg-');
  const pgStore = await PostgresStore.open(PG_URL, { schema });
  const lineStore = await DuckDbStore.open(path.join(dir, 'line'));
  try {
    const book = loadPriceBook({ dataDir: dir });
    const file = writeFile(dir, FILE_LINES);
    const [bulk, line] = await importBoth(pgStore, lineStore, file, book, true);
    assert.deepEqual(bulk, line);
    assert.deepEqual(await allRecords(pgStore), await allRecords(lineStore));
    const [again] = await importBoth(pgStore, lineStore, file, book, true);
    assert.equal(again.inserted, 0);
  } finally {
    await pgStore.close();
    await lineStore.close();
    await dropSchemas([schema]);
  }
});
