import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DuckDbStore } from '../../src/store/embedded/duckdb-store.js';
import { makeRecord } from './ledger-fixtures.js';
import { storeConformance } from './store.case.js';

const tempDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'costrail-store-'));

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
    ]);
    conn.closeSync();
    inst.closeSync();
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
