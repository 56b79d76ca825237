/**
 * What `import ledger` refuses, line by line, and why: one absurd value must never reach the
 * store, and every refusal names its line and the field at fault.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { importLedgerFile, storeImportSink } from '../../src/ledger/ledger-import-file.js';
import { loadPriceBook } from '../../src/pricing/catalog-loader.js';
import { DuckDbStore } from '../../src/store/embedded/duckdb-store.js';

const ok = { id: 'ok-1', started_at: '2026-10-03T10:00:00Z', provider: 'openai', model: 'gpt-4o-mini', usage: { input_tokens: 10, output_tokens: 2 } };
const line = (o: Record<string, unknown>): string => JSON.stringify({ ...ok, ...o });

/** [line text, expected reason pattern or null when the line is valid] */
const CASES: [string, RegExp | null][] = [
  [line({}), null],
  [line({ id: 'neg', usage: { input_tokens: -1 } }), /^usage\.input_tokens: a token count cannot be negative/],
  [line({ id: 'frac', usage: { output_tokens: 1.5 } }), /^usage\.output_tokens: a token count must be a whole number/],
  [line({ id: 'huge', usage: { input_tokens: 1e12 + 1 } }), /^usage\.input_tokens: more than 10\^12 tokens/],
  [line({ id: 'unsafe', usage: { reasoning_tokens: 1e20 } }), /^usage\.reasoning_tokens: /],
  [line({ id: 'text-count', usage: { input_tokens: '12' } }), /^usage\.input_tokens: /],
  [line({ id: 'max', usage: { input_tokens: 1e12 } }), null],
  [line({ id: 'kind', usage: { input_tokens: 1, made_up_tokens: 3 } }), /^usage: /],
  ['{"id": "broken"', /^not valid JSON/],
  [line({ id: 'no-start', started_at: undefined }), /^started_at: /],
  [line({ id: 'status', status: 'maybe' }), /^status: /],
  [line({ id: 'money', usage: undefined, cost: { total: 'twelve' } }), /^cost\.total: amount "twelve" is not a decimal amount/],
  [line({ id: 'eur', usage: undefined, cost: { total: '1', currency: 'EUR' } }), /^cost\.currency: only USD costs are supported/],
  [line({ id: 'empty', usage: undefined }), /^usage: needs "usage" or "cost"/],
  [line({ id: 'http', http_status: 42 }), /^http_status: /],
];

test('each invalid line is refused with its line number and the field at fault; valid ones go in', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'costrail-import-validation-'));
  const file = path.join(dir, 'ledger.jsonl');
  fs.writeFileSync(file, CASES.map(([l]) => l).join('\n') + '\n');
  const store = await DuckDbStore.open(dir);
  try {
    const sink = storeImportSink(store, loadPriceBook({ dataDir: dir }));
    const refused = await importLedgerFile(file, { skipInvalid: false, sink });
    assert.equal(refused.refused, true);
    assert.equal(await store.countRecords(), 0, 'a refused import writes nothing');
    const expected = CASES.flatMap(([, why], i) => (why ? [i + 1] : []));
    assert.deepEqual(refused.invalid.map((i) => i.line), expected);
    for (const inv of refused.invalid) assert.match(inv.error, CASES[inv.line - 1]![1]!, `line ${inv.line}`);

    const skipped = await importLedgerFile(file, { skipInvalid: true, sink });
    assert.deepEqual({ read: skipped.read, inserted: skipped.inserted }, { read: CASES.length, inserted: 2 });
    const max = (await store.getEvents({ limit: 10 })).events.find((e) => e.id === 'max');
    assert.equal(max?.usage?.input_tokens, 1e12);
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
