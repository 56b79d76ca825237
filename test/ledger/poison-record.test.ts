/**
 * One record the store can never take (1e30 tokens, which no BIGINT column holds) reaches the
 * ledger writer directly, bypassing the usage bounds. It must not block the records around it, on
 * DuckDB and on PostgreSQL: it goes to `<data>/dead-letter/`, the rest is committed, and a restart
 * finds nothing left to re-block on. An unreachable store, in contrast, quarantines nothing.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import { LedgerWriter } from '../../src/ledger/ledger-writer.js';
import { DuckDbStore } from '../../src/store/embedded/duckdb-store.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { Store } from '../../src/store/store.js';
import { dropSchemas, PG_URL, postgresAvailable } from '../helpers/postgres.js';
import { makeRecord } from '../store/ledger-fixtures.js';

const dirs: string[] = [];
const tempDir = (): string => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'costrail-poison-'));
  dirs.push(d);
  return d;
};
const schemas: string[] = [];
const pgUp = await postgresAvailable('the poison-record tests on PostgreSQL');

after(async () => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  if (schemas.length > 0) await dropSchemas(schemas);
});

function poison(i: number): LedgerRecord {
  const r = makeRecord(i);
  r.usage = { ...r.usage!, input_tokens: 1e30 };
  return r;
}

function deadLetters(dir: string): { reason: string; record: LedgerRecord }[] {
  const folder = path.join(dir, 'dead-letter');
  if (!fs.existsSync(folder)) return [];
  return fs
    .readdirSync(folder)
    .flatMap((f) => fs.readFileSync(path.join(folder, f), 'utf8').trim().split('\n'))
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as { reason: string; record: LedgerRecord });
}

const spoolFiles = (dir: string): string[] => fs.readdirSync(path.join(dir, 'spool')).filter((f) => f.endsWith('.jsonl'));

async function poisonSuite(open: (dir: string) => Promise<Store>): Promise<void> {
  const dir = tempDir();
  const store = await open(dir);
  try {
    const quarantined: { records: number; file: string }[] = [];
    const writer = new LedgerWriter({ dataDir: dir, store, batchSize: 50, flushIntervalMs: 60_000, onQuarantine: (q) => quarantined.push(q) });
    // 40 good records with the poison one in the middle of the batch, then another batch after it.
    for (let i = 0; i < 40; i++) writer.write(i === 17 ? poison(i) : makeRecord(i));
    await writer.flush();
    for (let i = 40; i < 60; i++) writer.write(makeRecord(i));
    await writer.flush();

    assert.equal(await store.countRecords(), 59, 'every record but the poison one is committed');
    assert.equal(writer.stats().quarantined, 1);
    assert.equal(writer.stats().spoolDepth, 0, 'nothing is left blocking the spool');
    assert.equal(writer.stats().flushed, 59);
    assert.equal(quarantined.length, 1, 'one log line per quarantined batch');
    const letters = deadLetters(dir);
    assert.equal(letters.length, 1);
    assert.equal(letters[0]?.record.id, poison(17).id);
    assert.equal(letters[0]?.record.usage?.input_tokens, 1e30, 'the record is kept as it was, for repair and re-import');
    assert.ok(letters[0]?.reason.length);
    assert.equal((fs.statSync(quarantined[0]!.file).mode & 0o777).toString(8), '600');
    await writer.close();

    // A poison record alone in its segment (quiet traffic) is found too, and a restart does not re-block.
    const lone = new LedgerWriter({ dataDir: dir, store, flushIntervalMs: 60_000 });
    lone.write(poison(100));
    await lone.close();
    assert.equal(deadLetters(dir).length, 2);
    assert.equal(spoolFiles(dir).length, 0);
    const restarted = new LedgerWriter({ dataDir: dir, store });
    const recovered = await restarted.recover();
    assert.equal(recovered.records, 0, 'the quarantined records are not in the spool any more');
    restarted.write(makeRecord(200));
    await restarted.close();
    assert.equal(await store.countRecords(), 60);
  } finally {
    await store.close();
  }
}

describe('a poison record reaching the ledger writer', () => {
  it('DuckDB: is quarantined to the dead-letter file; the records around it are committed', async () => {
    await poisonSuite((dir) => DuckDbStore.open(dir));
  });

  it('PostgreSQL: is quarantined to the dead-letter file; the records around it are committed', { skip: !pgUp }, async () => {
    await poisonSuite(async () => {
      const schema = `costrail_poison_${process.pid}_${randomBytes(3).toString('hex')}`;
      schemas.push(schema);
      return PostgresStore.open(PG_URL, { schema, maxConnections: 2 });
    });
  });

  it('an unclassified refusal that keeps recurring for one record is split out after 3 attempts; a store-wide one is not', async () => {
    const dir = tempDir();
    const committed: string[] = [];
    let storeWide = false;
    const store = {
      async insertRecords(records: readonly LedgerRecord[]): Promise<{ inserted: number }> {
        if (storeWide || records.some((r) => r.id === makeRecord(3).id)) throw new Error('something odd happened');
        for (const r of records) committed.push(r.id);
        return { inserted: records.length };
      },
    };
    const writer = new LedgerWriter({ dataDir: dir, store, flushIntervalMs: 60_000, retryBaseMs: 60_000 });
    for (let i = 0; i < 8; i++) writer.write(makeRecord(i));
    for (let i = 0; i < 3; i++) await writer.flush();
    assert.equal(committed.length, 0, 'a possibly transient error is retried whole first');
    await writer.flush();
    assert.equal(committed.length, 7);
    assert.equal(writer.stats().quarantined, 1);
    assert.equal(deadLetters(dir)[0]?.record.id, makeRecord(3).id);

    storeWide = true;
    for (let i = 10; i < 18; i++) writer.write(makeRecord(i));
    for (let i = 0; i < 6; i++) await writer.flush();
    assert.equal(writer.stats().quarantined, 1, 'every record failing alike is the store, not the data');
    assert.equal(writer.stats().spoolDepth, 8);
    storeWide = false;
    await writer.close();
    assert.equal(committed.length, 15);
  });

  it('an unreachable store quarantines nothing: the batch waits in the spool', async () => {
    const dir = tempDir();
    let down = true;
    const committed: string[] = [];
    const store = {
      async insertRecords(records: readonly LedgerRecord[]): Promise<{ inserted: number }> {
        if (down) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
        for (const r of records) committed.push(r.id);
        return { inserted: records.length };
      },
    };
    const writer = new LedgerWriter({ dataDir: dir, store, flushIntervalMs: 60_000, retryBaseMs: 60_000 });
    for (let i = 0; i < 5; i++) writer.write(makeRecord(i));
    // Many attempts, far past the split threshold: still nothing quarantined.
    for (let i = 0; i < 5; i++) await writer.flush();
    assert.equal(writer.stats().quarantined, 0);
    assert.equal(writer.stats().spoolDepth, 5);
    assert.ok(writer.stats().storeUnavailableSince, 'the outage is reported');
    down = false;
    await writer.flush();
    assert.equal(committed.length, 5);
    assert.equal(writer.stats().storeUnavailableSince, null);
    assert.equal(deadLetters(dir).length, 0);
    await writer.close();
  });
});
