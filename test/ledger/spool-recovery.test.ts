/**
 * The spool under a failing disk: a torn line (disk full mid-write, then a crash) must not hide
 * the record written after it; a failing append makes the spool report itself unwritable, and a
 * probe brings it back once writes succeed. The disk is simulated by injecting the write call.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import { LedgerSpoolError, type SpoolWrite } from '../../src/ledger/ledger-spool.js';
import { LedgerWriter } from '../../src/ledger/ledger-writer.js';
import { startCostrail } from '../../src/server/costrail-runtime.js';
import { makeRecord } from '../store/ledger-fixtures.js';

const dirs: string[] = [];
const tempDir = (): string => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'costrail-spool-'));
  dirs.push(d);
  return d;
};
after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

class MemoryStore {
  readonly ids: string[] = [];
  async insertRecords(records: readonly LedgerRecord[]): Promise<{ inserted: number }> {
    for (const r of records) this.ids.push(r.id);
    return { inserted: records.length };
  }
}

/** A disk that fills up on demand: with `room` bytes left, a write takes what fits, then ENOSPC. */
function fillableDisk(): { write: SpoolWrite; full(room?: number): void; free(): void } {
  let room = Infinity;
  const write: SpoolWrite = (fd, buffer, offset, length) => {
    if (room <= 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    const n = Math.min(length, room);
    room -= n;
    return fs.writeSync(fd, buffer, offset, n);
  };
  return { write, full: (r = 0) => void (room = r), free: () => void (room = Infinity) };
}

describe('spool recovery', () => {
  it('a torn line followed by a good line yields the good line, and the corruption is counted', async () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'spool'));
    const file = path.join(dir, 'spool', 'ledger-0001700000000-1-1.jsonl');
    // What a brief disk-full and a crash leave: record 2 cut mid-line, record 3 appended right after it.
    const torn = JSON.stringify(makeRecord(2)).slice(0, 120);
    fs.writeFileSync(file, `${JSON.stringify(makeRecord(1))}\n${torn}${JSON.stringify(makeRecord(3))}\n${JSON.stringify(makeRecord(4))}\n`);
    const store = new MemoryStore();
    const writer = new LedgerWriter({ dataDir: dir, store });
    const result = await writer.recover();
    assert.deepEqual(store.ids, [makeRecord(1).id, makeRecord(3).id, makeRecord(4).id]);
    assert.equal(result.records, 3);
    assert.equal(result.corrupt, 1);
    assert.equal(writer.stats().corruptLines, 1);
    assert.ok(fs.existsSync(`${file}.corrupt`), 'the damaged segment is kept for inspection');
    await writer.close();
  });

  it('a record whose text contains a record-like string is not split by the salvage', async () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'spool'));
    const file = path.join(dir, 'spool', 'ledger-0001700000000-1-2.jsonl');
    const tricky = makeRecord(5, { tags: { note: '{"id":"fake","started_at":"x"}' } });
    fs.writeFileSync(file, `${JSON.stringify(makeRecord(4)).slice(0, 50)}${JSON.stringify(tricky)}\n`);
    const store = new MemoryStore();
    const writer = new LedgerWriter({ dataDir: dir, store });
    await writer.recover();
    assert.deepEqual(store.ids, [tricky.id]);
    await writer.close();
  });
});

describe('corruption is reported', () => {
  it('a torn spool line found at start shows in /healthz and /metrics, and its neighbours are committed', async () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'spool'), { recursive: true });
    const torn = JSON.stringify(makeRecord(7)).slice(0, 90);
    fs.writeFileSync(path.join(dir, 'spool', 'ledger-0001700000000-1-3.jsonl'), `${JSON.stringify(makeRecord(6))}\n${torn}${JSON.stringify(makeRecord(8))}\n`);
    const rt = await startCostrail({ port: 0, dataDir: dir, quiet: true });
    try {
      assert.equal(await rt.store.countRecords(), 2);
      const health = (await (await fetch(`${rt.url}/healthz`)).json()) as { status: string; spool_corrupt_lines: number };
      assert.equal(health.spool_corrupt_lines, 1);
      assert.equal(health.status, 'ok', 'history, not a live failure');
      const metrics = await (await fetch(`${rt.url}/metrics`, { headers: { authorization: `Bearer ${rt.adminToken}` } })).text();
      assert.match(metrics, /^costrail_ledger_spool_corrupt_lines 1$/m);
      assert.match(metrics, /^costrail_ledger_spool_writable 1$/m);
    } finally {
      await rt.close();
    }
  });
});

describe('spool health', () => {
  it('disk full mid-line: the append fails typed, the partial line is cut off, the spool reports itself unwritable until a probe succeeds', async () => {
    const dir = tempDir();
    const disk = fillableDisk();
    const store = new MemoryStore();
    const health: boolean[] = [];
    const writer = new LedgerWriter({ dataDir: dir, store, spoolWrite: disk.write, probeIntervalMs: 0, flushIntervalMs: 60_000, onSpoolHealth: (h) => health.push(h.writable) });
    writer.write(makeRecord(1));
    assert.equal(writer.writable(), true);
    disk.full(100); // room for part of the next line only
    assert.throws(() => writer.write(makeRecord(2)), LedgerSpoolError);
    assert.equal(writer.stats().spoolWritable, false);
    assert.ok(writer.stats().spoolUnwritableSince);
    assert.match(writer.stats().spoolError ?? '', /ENOSPC/);
    assert.equal(writer.writable(), false, 'the probe fails while the disk is full');
    disk.free();
    assert.equal(writer.writable(), true, 'the probe succeeds once space is back');
    assert.equal(writer.stats().spoolWritable, true);
    assert.deepEqual(health, [false, true]);
    writer.write(makeRecord(3));

    // Crash now (no close): the segment on disk must hold exactly records 1 and 3, whole.
    const seg = fs.readdirSync(path.join(dir, 'spool')).filter((f) => f.endsWith('.jsonl'));
    const lines = seg.flatMap((f) => fs.readFileSync(path.join(dir, 'spool', f), 'utf8').split('\n').filter((l) => l !== ''));
    assert.deepEqual(lines.map((l) => (JSON.parse(l) as LedgerRecord).id), [makeRecord(1).id, makeRecord(3).id]);
    const next = new LedgerWriter({ dataDir: dir, store: new MemoryStore() });
    const r = await next.recover();
    assert.equal(r.corrupt, 0);
    await next.close();
    await writer.close();
  });

  it('spool files are private: data/spool folder 0700, segments 0600', async () => {
    const dir = tempDir();
    const writer = new LedgerWriter({ dataDir: dir, store: new MemoryStore(), flushIntervalMs: 60_000 });
    writer.write(makeRecord(1));
    const spool = path.join(dir, 'spool');
    assert.equal((fs.statSync(spool).mode & 0o777).toString(8), '700');
    for (const f of fs.readdirSync(spool)) assert.equal((fs.statSync(path.join(spool, f)).mode & 0o777).toString(8), '600');
    await writer.close();
  });
});
