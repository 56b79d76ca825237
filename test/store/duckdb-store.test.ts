import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DuckDbStore } from '../../src/store/embedded/duckdb-store.js';
import { makeRecord, makeRefusedRecord, makeUnpricedRecord } from './ledger-fixtures.js';
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import { storeConformance } from './store.case.js';
import { rollupConformance } from './store-rollup.case.js';
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
    // The segment feeds the hourly rollup as insertRecords does (the spend query below is answered from it).
    const bySpend = { from: '2000-01-01T00:00:00Z', group_by: ['model', 'status'], granularity: 'hour' as const };
    const segmentSpend = await a.getSpend(bySpend);
    assert.equal(segmentSpend.total.requests, 6);
    assert.deepEqual(segmentSpend, await b.getSpend(bySpend));
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
      [5, 'ledger_rollup_hourly'],
      [6, 'billed_lines'],
      [7, 'outcomes_revenue'],
      [8, 'inventory'],
      [9, 'ledger_request_shape'],
      [10, 'inventory_usage'],
      [11, 'ledger_response_id'],
      [12, 'gpu_usage_vendor'],
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

describe('DuckDbStore hourly rollup', () => {
  // The same exactness checks with a compaction after every write (normally every 20,000 appended rows).
  rollupConformance(() => DuckDbStore.open(tempDir(), { rollupCompactAfter: 1 }));

  it('answers zone-aware and off-hour queries exactly like the raw ledger, and reads it only when it covers the query', async () => {
    const dir = tempDir();
    const rolled = await DuckDbStore.open(dir);
    try {
      const teams = ['search', 'ads', null];
      const records = Array.from({ length: 300 }, (_, i) => {
        const r = makeRecord(i, { started_at: new Date(Date.UTC(2026, 9, 24, 22) + i * 41 * 60_000 + (i % 7) * 1000).toISOString(), model: ['gpt-4o', 'claude'][i % 2]! });
        return { ...r, attribution: { ...r.attribution, team: teams[i % 3]! }, cost: i % 9 === 0 ? null : { ...r.cost!, total: `0.${String((i * 7919) % 100000).padStart(5, '0')}1` } };
      });
      await rolled.insertRecords(records);
      await rolled.close();
      const raw = await DuckDbStore.open(dir, { useRollups: false });
      const raws = await raw.getSpend({});
      await raw.close();
      assert.equal(raws.total.requests, 300);
      const queries = [
        { group_by: ['team'], granularity: 'day' as const, tz: 'America/New_York' },
        { group_by: ['model'], granularity: 'week' as const, tz: 'Europe/Berlin', from: '2026-10-25T00:00:00Z' },
        { group_by: ['team', 'model'], granularity: 'hour' as const, tz: 'Asia/Tokyo', from: '2026-10-26T04:20:00Z', to: '2026-10-29T13:45:00Z' },
        { granularity: 'month' as const, filters: { team: null } },
      ];
      const answers = async (useRollups: boolean): Promise<unknown[]> => {
        const s = await DuckDbStore.open(dir, { useRollups });
        try {
          const out: unknown[] = [];
          for (const q of queries) {
            out.push(await s.getSpend(q));
            assert.equal(s.lastSpendFromRollup, useRollups, JSON.stringify(q));
          }
          // Not covered: minute buckets, half-hour zones, dimensions outside the rollup.
          for (const q of [{ granularity: 'minute' as const }, { granularity: 'day' as const, tz: 'Asia/Kolkata' }, { group_by: ['key_id'] }]) {
            await s.getSpend(q);
            assert.equal(s.lastSpendFromRollup, false, JSON.stringify(q));
          }
          return out;
        } finally {
          await s.close();
        }
      };
      assert.deepEqual(await answers(true), await answers(false));
    } finally {
      await rolled.close();
    }
  });

  it('folds appended rollup rows back into one row per key: after enough rows, and on close', async () => {
    const dir = tempDir();
    const keys = "SELECT count(*) AS rows, count(DISTINCT (hour, team, project, feature, env, provider, model, status)) AS keys FROM ledger_rollup_hourly";
    const batch = (from: number): ReturnType<typeof makeRecord>[] => Array.from({ length: 20 }, (_v, i) => makeRecord(from + i, { started_at: new Date(Date.UTC(2026, 10, 2, 10) + i * 1000).toISOString() }));
    const eager = await DuckDbStore.open(dir, { rollupCompactAfter: 1 });
    for (let b = 0; b < 5; b++) await eager.insertRecords(batch(b * 100));
    let [c] = await eager.sql.query(keys);
    assert.equal(Number(c?.keys), 1);
    assert.equal(Number(c?.rows), 1);
    await eager.close();
    const lazy = await DuckDbStore.open(dir);
    for (let b = 5; b < 10; b++) await lazy.insertRecords(batch(b * 100));
    [c] = await lazy.sql.query(keys);
    assert.equal(Number(c?.rows), 6, 'below the threshold each batch appends its own row');
    assert.equal((await lazy.getSpend({ group_by: ['team'] })).total.requests, 200);
    await lazy.close();
    const reopened = await DuckDbStore.open(dir);
    [c] = await reopened.sql.query(keys);
    assert.equal(Number(c?.rows), 1, 'close compacts what it dirtied');
    assert.equal((await reopened.getSpend({ group_by: ['team'] })).total.requests, 200);
    await reopened.close();
  });

  it('bounds DuckDB memory and refuses a malformed limit', async () => {
    const s = await DuckDbStore.open(tempDir(), { memoryLimit: '128MB', threads: 1 });
    try {
      const rows = await s.sql.query("SELECT current_setting('memory_limit') AS m, current_setting('threads') AS t");
      assert.match(String(rows[0]?.m), /^12[0-9](\.\d+)? MiB$/);
      assert.equal(Number(rows[0]?.t), 1);
    } finally {
      await s.close();
    }
    await assert.rejects(DuckDbStore.open(tempDir(), { memoryLimit: '1; DROP TABLE ledger' }), /memory limit must be a size/);
  });
});
