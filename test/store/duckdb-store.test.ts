import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DuckDbStore } from '../../src/store/embedded/duckdb-store.js';
import { makeRecord, makeRefusedRecord, makeUnpricedRecord } from './ledger-fixtures.js';
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import { storeConformance } from './store.case.js';
import { tempDir as removedAtExit } from '../helpers/temp-dir.js';

const tempDir = (): string => removedAtExit('costrail-store-');

storeConformance('embedded DuckDB', () => DuckDbStore.open(tempDir()));

describe('DuckDbStore', () => {
  it('loads a spool segment file exactly as insertRecords stores the same records, idempotently', async () => {
    // Awkward values on purpose: non-ASCII and escapes in text and JSON, exotic decimals, µs instants, absent keys.
    const records: LedgerRecord[] = [
      makeRecord(1),
      makeUnpricedRecord(2),
      makeRefusedRecord(3),
      makeRecord(4, { started_at: '2026-11-22T08:00:04.123456Z', model: 'modèle-"quoted"\\ ✓ \u2028', tags: { 'clé': 'v\nal', e: '😀' }, error: { type: 'x', message: 'ünï\tcode', scope: { team: 't' } } }),
      makeRecord(5, { cost: { ...makeRecord(5).cost!, total: '12345678901234567890.123456789012345678', output: '1e-18' }, duration_ms: 0.1 + 0.2, ttft_ms: null }),
      makeRecord(6, { raw_usage: null, error: undefined, usage_version: undefined }),
      makeRecord(1), // a replayed id: stored once
    ];
    const dir = tempDir();
    const a = await DuckDbStore.open(path.join(dir, 'a'));
    const b = await DuckDbStore.open(path.join(dir, 'b'));
    const segment = path.join(dir, 'segment.jsonl');
    fs.writeFileSync(segment, records.map((r) => JSON.stringify(r) + '\n').join(''));
    assert.deepEqual(await a.insertSpoolSegment(segment), { inserted: 6, records: 7 });
    assert.deepEqual(await a.insertSpoolSegment(segment), { inserted: 0, records: 7 }, 'a replayed segment doubles nothing');
    assert.equal((await b.insertRecords(records)).inserted, 6);
    const all = { from: '2000-01-01T00:00:00Z', limit: 100 };
    const fromSegment = (await a.getEvents(all)).events;
    assert.equal(fromSegment.length, 6);
    assert.deepEqual(fromSegment, (await b.getEvents(all)).events);
    assert.equal(fromSegment.find((r) => r.id === makeRecord(4).id)?.started_at, '2026-11-22T08:00:04.123456Z');
    // A torn line is refused as a whole, so the writer commits the segment record by record instead.
    fs.appendFileSync(segment, '{"id":"torn');
    await assert.rejects(a.insertSpoolSegment(segment), { name: 'SegmentStagingError' });
    await a.close();
    await b.close();
  });

  it('keeps one file under the data folder and applies migrations once across re-opens', async () => {
    const dir = tempDir();
    const first = await DuckDbStore.open(dir);
    await first.insertRecords([makeRecord(1)]);
    await first.close();
    assert.ok(fs.existsSync(path.join(dir, 'ledger.duckdb')));

    const second = await DuckDbStore.open(dir);
    await second.migrate();
    assert.equal(await second.countRecords(), 1);
    await second.close();

    const { DuckDBInstance } = await import('@duckdb/node-api');
    const inst = await DuckDBInstance.create(path.join(dir, 'ledger.duckdb'));
    const conn = await inst.connect();
    const rows = (await conn.runAndReadAll('SELECT version, name FROM schema_migrations ORDER BY version')).getRows();
    assert.deepEqual(rows, [
      [1, 'ledger'],
      [2, 'ledger_cost_history'],
      [3, 'ledger_without_primary_key'],
      [4, 'ledger_not_null'],
    ]);
    conn.closeSync();
    inst.closeSync();
  });

  it('stays idempotent by id without a unique index: duplicates inside a batch, replays across wide time windows', async () => {
    const store = await DuckDbStore.open(tempDir());
    try {
      // The same id twice in one batch keeps the first row only.
      const first = makeRecord(1);
      const dup = { ...makeRecord(1), model: 'other-model' };
      assert.equal((await store.insertRecords([first, dup, makeRecord(2)])).inserted, 2);
      // A replay mixed with new records spread over days still inserts only the new ones.
      const spread = [makeRecord(1), makeRecord(3, { started_at: '2026-11-01T00:00:00.000Z' }), makeRecord(2), makeRecord(4, { started_at: '2026-12-01T00:00:00.000Z' })];
      assert.equal((await store.insertRecords(spread)).inserted, 2);
      assert.equal((await store.insertRecords(spread)).inserted, 0);
      assert.equal(await store.countRecords(), 4);
      const page = await store.getEvents({ limit: 10 });
      assert.equal(page.events.find((r) => r.id === first.id)?.model, first.model);
    } finally {
      await store.close();
    }
  });

  it('inserts a large batch in one call', async () => {
    const store = await DuckDbStore.open(tempDir());
    const batch = Array.from({ length: 1200 }, (_, i) => makeRecord(i));
    assert.deepEqual(await store.insertRecords(batch), { inserted: 1200 });
    assert.deepEqual(await store.insertRecords(batch), { inserted: 0 });
    assert.equal(await store.countRecords(), 1200);
    await store.close();
  });
});
