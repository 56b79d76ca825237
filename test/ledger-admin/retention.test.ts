/** Retention of raw ledger records: the cutoff, dry run, the CLI, and serve's daily run. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { applyRetention, retentionCutoff } from '../../src/ledger-admin/retention.js';
import { DuckDbStore } from '../../src/store/embedded/duckdb-store.js';
import { makeRecord } from '../store/ledger-fixtures.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/temp-dir.js';

const BIN = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
const DAY = 86_400_000;

async function seeded(now: number): Promise<string> {
  const data = tempDir('costrail-retention-');
  const store = await DuckDbStore.open(data);
  // 40 records, one a day back from now: ages 0.5 .. 39.5 days.
  await store.insertRecords(Array.from({ length: 40 }, (_, i) => makeRecord(i, { started_at: new Date(now - (i + 0.5) * DAY).toISOString() })));
  await store.close();
  return data;
}

test('records that started before the cutoff go, the rest stay; dry run only counts', async () => {
  const now = Date.now();
  const data = await seeded(now);
  const store = await DuckDbStore.open(data);
  try {
    assert.equal(retentionCutoff(30, now), new Date(now - 30 * DAY).toISOString());
    assert.throws(() => retentionCutoff(0), /positive integer/);
    const dry = await applyRetention(store, { days: 30, dryRun: true, now });
    assert.deepEqual({ ...dry, cutoff: undefined }, { days: 30, cutoff: undefined, dry_run: true, deleted: 10 });
    assert.equal(await store.countRecords(), 40);
    const real = await applyRetention(store, { days: 30, now });
    assert.equal(real.deleted, 10);
    assert.equal(await store.countRecords(), 30);
    const oldest = (await store.getEvents({ limit: 1000 })).events.at(-1);
    assert.ok(Date.parse(oldest?.started_at ?? '') >= now - 30 * DAY);
  } finally {
    await store.close();
  }
});

test('costrail retention apply, and serve applies --retention-days on its own', async () => {
  const data = await seeded(Date.now());
  const dry = spawnSync(process.execPath, [BIN, 'retention', 'apply', '--days', '20', '--dry-run', '--json', '--data', data], { encoding: 'utf8' });
  assert.equal(dry.status, 0, dry.stderr);
  assert.equal((JSON.parse(dry.stdout) as { deleted: number }).deleted, 20);
  const missing = spawnSync(process.execPath, [BIN, 'retention', 'apply', '--data', data], { encoding: 'utf8', env: { ...process.env, COSTRAIL_RETENTION_DAYS: '' } });
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /--days/);
  const real = spawnSync(process.execPath, [BIN, 'retention', 'apply', '--days', '35', '--data', data], { encoding: 'utf8' });
  assert.equal(real.status, 0, real.stderr);
  assert.match(real.stdout, /^deleted 5 ledger records that started before /);

  const serve = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data', data, '--retention-days', '10'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const line = await new Promise<string>((resolve, reject) => {
      let err = '';
      serve.stderr.on('data', (c: Buffer) => {
        err += c.toString();
        const m = /\{[^\n]*"retention applied"[^\n]*\}/.exec(err);
        if (m) resolve(m[0]);
      });
      serve.on('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
    });
    assert.equal((JSON.parse(line) as { deleted: number }).deleted, 25);
  } finally {
    serve.kill('SIGTERM');
    await new Promise((r) => serve.on('close', r));
  }
  const store = await DuckDbStore.open(data);
  assert.equal(await store.countRecords(), 10);
  await store.close();
});
