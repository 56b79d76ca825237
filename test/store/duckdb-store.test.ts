import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DuckDbStore } from '../../src/store/embedded/duckdb-store.js';
import { makeRecord } from './ledger-fixtures.js';
import { storeConformance } from './store.case.js';
import { tempDir as removedAtExit } from '../helpers/temp-dir.js';

const tempDir = (): string => removedAtExit('costrail-store-');

storeConformance('embedded DuckDB', () => DuckDbStore.open(tempDir()));

describe('DuckDbStore', () => {
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
      [8, 'outcomes_revenue'],
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
