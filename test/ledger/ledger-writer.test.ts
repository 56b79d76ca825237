import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import { LedgerWriter } from '../../src/ledger/ledger-writer.js';
import { DuckDbStore } from '../../src/store/embedded/duckdb-store.js';
import { makeRecord } from '../store/ledger-fixtures.js';
import { tempDir as removedAtExit } from '../helpers/temp-dir.js';

const tempDir = (): string => removedAtExit('costrail-writer-');
const segments = (dir: string): string[] => fs.readdirSync(path.join(dir, 'spool')).filter((f) => f.endsWith('.jsonl'));

/** In-memory store that records batches and can be told to fail. */
class FakeStore {
  readonly batches: LedgerRecord[][] = [];
  readonly ids = new Set<string>();
  failuresLeft = 0;
  /** insertRecords calls, counted synchronously when the writer makes them. */
  attempts = 0;
  async insertRecords(records: readonly LedgerRecord[]): Promise<{ inserted: number }> {
    this.attempts++;
    if (this.failuresLeft > 0) {
      this.failuresLeft--;
      throw new Error('store unavailable');
    }
    this.batches.push([...records]);
    let inserted = 0;
    for (const r of records) if (!this.ids.has(r.id) && this.ids.add(r.id)) inserted++;
    return { inserted };
  }
}

/**
 * Lets the writer's pending promise callbacks run until `done()` holds (no clock involved: each
 * turn is one setImmediate, which the mocked timers leave alone). Fails rather than hang.
 */
async function until(done: () => boolean, what: string): Promise<void> {
  for (let turn = 0; turn < 1_000; turn++) {
    if (done()) return;
    await new Promise((r) => setImmediate(r));
  }
  assert.fail(`never happened: ${what}`);
}

describe('LedgerWriter', () => {
  it('spools synchronously and flushes on size', async () => {
    const dir = tempDir();
    const store = new FakeStore();
    const writer = new LedgerWriter({ dataDir: dir, store, batchSize: 10, flushIntervalMs: 60_000 });
    for (let i = 0; i < 25; i++) writer.write(makeRecord(i));
    // Spooled before write() returned: every line is already on disk.
    const onDisk = segments(dir).reduce((n, f) => n + fs.readFileSync(path.join(dir, 'spool', f), 'utf8').trim().split('\n').length, 0);
    assert.equal(onDisk, 25);
    await until(() => store.batches.length === 2, 'two size-triggered batches committed');
    assert.deepEqual(store.batches.map((b) => b.length), [10, 10]);
    assert.equal(writer.stats().spoolDepth, 5);
    assert.equal(segments(dir).length, 1, 'committed segments are deleted');
    await writer.close();
    assert.deepEqual(store.batches.map((b) => b.length), [10, 10, 5]);
    assert.equal(writer.stats().spoolDepth, 0);
    assert.equal(writer.stats().flushed, 25);
    assert.equal(segments(dir).length, 0);
    assert.throws(() => writer.write(makeRecord(99)));
  });

  it('group-commits the records appended in one turn with one spool write, durable when the promise settles', async () => {
    const dir = tempDir();
    const store = new FakeStore();
    const writes: number[] = [];
    const spoolWrite = (fd: number, b: Uint8Array, o: number, l: number): number => {
      writes.push(l);
      return fs.writeSync(fd, b, o, l);
    };
    const writer = new LedgerWriter({ dataDir: dir, store, batchSize: 100, flushIntervalMs: 60_000, spoolWrite });
    const pending = Array.from({ length: 7 }, (_v, i) => writer.append(makeRecord(i)));
    // Nothing on disk yet: the group goes out when the turn ends, and the promises say when.
    assert.equal(writes.length, 0);
    await Promise.all(pending);
    assert.equal(writes.length, 1, 'one write for the whole turn');
    const lines = segments(dir).flatMap((f) => fs.readFileSync(path.join(dir, 'spool', f), 'utf8').trim().split('\n'));
    assert.deepEqual(lines.map((l) => (JSON.parse(l) as LedgerRecord).id), Array.from({ length: 7 }, (_v, i) => makeRecord(i).id));
    // The next turn is a new group, after the first.
    await writer.append(makeRecord(7));
    assert.equal(writes.length, 2);
    assert.equal(writer.stats().written, 8);
    await writer.close();
    assert.deepEqual(store.batches.flat().map((r) => r.id), Array.from({ length: 8 }, (_v, i) => makeRecord(i).id));
  });

  it('rejects every record of a group the spool cannot take, and counts none of them', async () => {
    const dir = tempDir();
    const store = new FakeStore();
    let full = true;
    const spoolWrite = (fd: number, b: Uint8Array, o: number, l: number): number => {
      if (full) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
      return fs.writeSync(fd, b, o, l);
    };
    const writer = new LedgerWriter({ dataDir: dir, store, batchSize: 100, flushIntervalMs: 60_000, spoolWrite, probeIntervalMs: 0 });
    const results = await Promise.allSettled([writer.append(makeRecord(0)), writer.append(makeRecord(1))]);
    assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected']);
    assert.ok(results.every((r) => r.status === 'rejected' && (r.reason as Error).name === 'LedgerSpoolError'));
    assert.equal(writer.stats().written, 0);
    assert.equal(writer.stats().spoolWritable, false);
    full = false;
    await writer.append(makeRecord(2));
    assert.equal(writer.stats().spoolWritable, true);
    await writer.close();
    assert.deepEqual(store.batches.flat().map((r) => r.id), [makeRecord(2).id]);
  });

  it('commits clean segments as files, and falls back to the records when the file load is refused', async () => {
    const dir = tempDir();
    const store = new FakeStore();
    const files: string[] = [];
    let refuse = false;
    const withSegments = Object.assign(store, {
      insertSpoolSegment: async (file: string) => {
        files.push(path.basename(file));
        if (refuse) throw new Error('Conversion Error: unreadable value');
        const records = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as LedgerRecord);
        return { inserted: (await store.insertRecords(records)).inserted, records: records.length };
      },
    });
    const writer = new LedgerWriter({ dataDir: dir, store: withSegments, batchSize: 3, flushIntervalMs: 60_000 });
    for (let i = 0; i < 3; i++) writer.write(makeRecord(i));
    await until(() => store.batches.length === 1, 'the first segment committed as a file');
    assert.equal(files.length, 1);
    refuse = true;
    for (let i = 3; i < 6; i++) writer.write(makeRecord(i));
    await until(() => store.batches.length === 2, 'the refused segment committed record by record');
    assert.equal(files.length, 2);
    assert.deepEqual(store.batches.flat().map((r) => r.id), Array.from({ length: 6 }, (_v, i) => makeRecord(i).id));
    assert.equal(writer.stats().flushed, 6);
    await writer.close();
    assert.equal(segments(dir).length, 0, 'both segments retired');
  });

  it('flushes on time', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const store = new FakeStore();
    const writer = new LedgerWriter({ dataDir: tempDir(), store, batchSize: 500, flushIntervalMs: 30 });
    writer.write(makeRecord(1));
    writer.write(makeRecord(2));
    t.mock.timers.tick(29);
    assert.equal(store.attempts, 0, 'nothing is committed before the interval');
    t.mock.timers.tick(1);
    await until(() => store.batches.length === 1, 'the timed flush committed');
    assert.deepEqual(store.batches.map((b) => b.map((r) => r.id)), [['rec-000001', 'rec-000002']]);
    await writer.close();
  });

  it('keeps records through transient store failures and commits them later, backing off', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const dir = tempDir();
    const store = new FakeStore();
    store.failuresLeft = 3;
    const errors: unknown[] = [];
    const writer = new LedgerWriter({ dataDir: dir, store, batchSize: 5, flushIntervalMs: 10, retryBaseMs: 10, onError: (e) => errors.push(e) });
    for (let i = 0; i < 12; i++) writer.write(makeRecord(i));
    await until(() => errors.length === 1, 'the first attempt failed');
    assert.equal(writer.stats().failures, 1);
    assert.equal(writer.stats().spoolDepth, 12);
    // Back-off doubles from retryBaseMs: the retries come 10 ms and then 20 ms after each failure.
    for (const [wait, failed] of [[10, 2], [20, 3]] as const) {
      t.mock.timers.tick(wait - 1);
      assert.equal(errors.length, failed - 1, `no retry before ${wait} ms`);
      t.mock.timers.tick(1);
      await until(() => errors.length === failed, `retry ${failed - 1} failed`);
    }
    assert.equal(store.ids.size, 0);
    t.mock.timers.tick(40);
    await until(() => store.ids.size === 12, 'every record committed once the store is back');
    assert.equal(writer.stats().failures, 3);
    assert.equal(errors.length, 3);
    assert.equal(writer.stats().spoolDepth, 0);
    assert.equal(segments(dir).length, 0);
    await writer.close();
  });

  it('fsync policies write the same spool', async () => {
    for (const fsync of ['always', 'interval'] as const) {
      const store = new FakeStore();
      const writer = new LedgerWriter({ dataDir: tempDir(), store, fsync, fsyncIntervalMs: 5 });
      for (let i = 0; i < 3; i++) writer.write(makeRecord(i));
      await writer.close();
      assert.equal(store.ids.size, 3);
    }
  });

  it('close() leaves what the store refused in the spool for recover()', async () => {
    const dir = tempDir();
    const down = new FakeStore();
    down.failuresLeft = Infinity;
    const writer = new LedgerWriter({ dataDir: dir, store: down, flushIntervalMs: 60_000 });
    for (let i = 0; i < 4; i++) writer.write(makeRecord(i));
    await writer.close();
    assert.equal(writer.stats().spoolDepth, 4);
    const up = new FakeStore();
    const next = new LedgerWriter({ dataDir: dir, store: up });
    assert.deepEqual(await next.recover(), { segments: 1, records: 4, inserted: 4, pending: 0, corrupt: 0 });
    assert.equal(up.ids.size, 4);
    await next.close();
  });

  it('survives kill -9: recover() commits exactly the records written, even twice', async () => {
    const dir = tempDir();
    const n = 103;
    const child = spawn(process.execPath, [fileURLToPath(new URL('./fixtures/spool-child.js', import.meta.url)), dir, String(n)], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        if (d.toString().includes('written')) resolve();
      });
      child.on('exit', (code) => reject(new Error(`child exited early (${code})`)));
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    assert.ok(segments(dir).length > 1, 'the child left several segments behind');

    // Simulate a crash between commit and segment deletion: keep copies to put back later.
    const copies = segments(dir).map((f) => [path.join(dir, 'spool', f), fs.readFileSync(path.join(dir, 'spool', f))] as const);

    const store = await DuckDbStore.open(dir);
    const writer = new LedgerWriter({ dataDir: dir, store });
    const first = await writer.recover();
    assert.equal(first.records, n);
    assert.equal(first.inserted, n);
    assert.equal(await store.countRecords(), n);
    assert.deepEqual(await writer.recover(), { segments: 0, records: 0, inserted: 0, pending: 0, corrupt: 0 });

    for (const [file, bytes] of copies) fs.writeFileSync(file, bytes);
    const again = await new LedgerWriter({ dataDir: dir, store }).recover();
    assert.equal(again.records, n);
    assert.equal(again.inserted, 0);
    assert.equal(await store.countRecords(), n);
    assert.equal(segments(dir).length, 0);
    const ids = (await store.getEvents({ limit: 1000 })).events.map((e) => e.id).sort();
    assert.deepEqual(ids, Array.from({ length: n }, (_, i) => makeRecord(i).id));
    await writer.close();
    await store.close();
  });

  it('keeps a torn line out of the store and the segment for inspection', async () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'spool'));
    const file = path.join(dir, 'spool', 'ledger-0001700000000-1-1.jsonl');
    fs.writeFileSync(file, JSON.stringify(makeRecord(1)) + '\n' + JSON.stringify(makeRecord(2)).slice(0, 40));
    const store = new FakeStore();
    const writer = new LedgerWriter({ dataDir: dir, store });
    const result = await writer.recover();
    assert.equal(result.records, 1);
    assert.equal(writer.stats().corruptLines, 1);
    assert.ok(fs.existsSync(`${file}.corrupt`));
    await writer.close();
  });
});
