/** `costrail import ledger` as a user runs it, and POST /api/import/ledger on a running server. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { loadPriceBook } from '../../src/pricing/catalog-loader.js';
import { priceUsage } from '../../src/pricing/cost.js';
import { emptyUsage } from '../../src/providers/spec.js';
import { startCostrail } from '../../src/server/costrail-runtime.js';
import { DuckDbStore } from '../../src/store/embedded/duckdb-store.js';
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/temp-dir.js';

const BIN = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');

function run(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, COSTRAIL_DATA: '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const usage = { input_tokens: 1000, output_tokens: 200, cache_read_tokens: 500 };
const LINES = [
  // Priced by the price book (no cost in the file).
  { id: 'imp-1', started_at: '2026-10-03T10:00:00Z', provider: 'openai', model: 'gpt-4o-mini', usage, attribution: { team: 'search' }, tags: { exp: 'a' } },
  // A total-only cost is kept as reported.
  { id: 'imp-2', started_at: '2026-10-03T11:00:00+02:00', provider: 'anthropic', model: 'claude-sonnet-4-5', cost: { total: '0.0123' }, extra_field: 'dropped' },
  // Unknown model: unpriced, never $0.
  { id: 'imp-3', started_at: '2026-10-04T00:00:00Z', provider: 'openai', model: 'no-such-model-xyz', usage },
].map((r) => JSON.stringify(r));
const BAD = ['{"id":"bad-1","started_at":"yesterday","provider":"openai","model":"gpt-4o","usage":{}}', '{"id":"bad-2","started_at":"2026-10-03T10:00:00Z","provider":"openai","model":"gpt-4o"}', 'not json'];

async function events(data: string): Promise<Map<string, LedgerRecord>> {
  const store = await DuckDbStore.open(data);
  try {
    const page = await store.getEvents({ limit: 1000 });
    return new Map(page.events.map((e) => [e.id, e]));
  } finally {
    await store.close();
  }
}

test('invalid lines refuse the whole import, named by line number; --skip-invalid imports the rest; re-import is idempotent', async () => {
  const dir = tempDir('costrail-import-');
  const data = join(dir, 'data');
  const file = join(dir, 'ledger.jsonl');
  writeFileSync(file, [LINES[0], '', BAD[0], LINES[1], BAD[1], LINES[2], BAD[2]].join('\n') + '\n');

  const refused = run(['import', 'ledger', file, '--data', data, '--json']);
  assert.equal(refused.code, 1, refused.stderr);
  const sum = JSON.parse(refused.stdout) as { read: number; inserted: number; invalid: { line: number; error: string }[] };
  assert.equal(sum.inserted, 0);
  assert.deepEqual(sum.invalid.map((i) => i.line), [3, 5, 7]);
  assert.match(sum.invalid[0]?.error ?? '', /^started_at:/);
  assert.match(sum.invalid[1]?.error ?? '', /usage.*cost/);
  assert.match(refused.stderr, /3 invalid line\(s\) \(first: line 3: started_at.*--skip-invalid/);
  assert.equal((await events(data)).size, 0, 'nothing written when refused');

  const ok = run(['import', 'ledger', file, '--data', data, '--skip-invalid', '--json']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual(JSON.parse(ok.stdout), { read: 6, inserted: 3, duplicates: 0, invalid: sum.invalid });

  const again = run(['import', 'ledger', file, '--data', data, '--skip-invalid', '--json']);
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual({ ...JSON.parse(again.stdout), invalid: [] }, { read: 6, inserted: 0, duplicates: 3, invalid: [] });

  const got = await events(data);
  assert.equal(got.size, 3);
  const book = loadPriceBook({ dataDir: data });
  const expected = priceUsage(book, { provider: 'openai', model: 'gpt-4o-mini', usage: { ...emptyUsage(), ...usage }, at: new Date('2026-10-03T10:00:00Z') });
  const one = got.get('imp-1');
  assert.equal(one?.source, 'import');
  assert.equal(one?.priced, true);
  assert.equal(one?.cost?.total, expected.cost?.total);
  assert.equal(one?.attribution.team, 'search');
  assert.deepEqual(one?.tags, { exp: 'a' });
  const two = got.get('imp-2');
  assert.equal(two?.started_at, '2026-10-03T09:00:00.000Z');
  assert.equal(two?.cost?.total, '0.0123');
  assert.equal(two?.cost?.other, '0.0123');
  assert.equal(two?.cost?.source, 'provider');
  assert.equal(two?.usage, null);
  const three = got.get('imp-3');
  assert.equal(three?.priced, false);
  assert.equal(three?.cost, null);
  assert.ok(three?.unpriced_reason);
});

test('a running server owns the store: the CLI posts through POST /api/import/ledger', async () => {
  const dir = tempDir('costrail-import-srv-');
  const data = join(dir, 'data');
  const rt = await startCostrail({ port: 0, dataDir: data, quiet: true, upstreams: {}, advertise: true });
  try {
    const file = join(dir, 'ledger.jsonl');
    writeFileSync(file, LINES.join('\n'));
    // Async spawn: the server lives in this process and must keep answering.
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [BIN, 'import', 'ledger', file, '--data', data, '--json', '--batch-size', '2'], { env: { ...process.env, COSTRAIL_ADMIN_TOKEN: '' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((r) => child.on('close', r));
    assert.equal(code, 0, err);
    assert.deepEqual(JSON.parse(out), { read: 3, inserted: 3, duplicates: 0, invalid: [] });
    assert.equal(await rt.store.countRecords(), 3);

    // simulate posts through the same endpoint, failed calls (no usage, no cost) included.
    const sim = spawn(process.execPath, [BIN, 'simulate', '--days', '2', '--requests', '400', '--start', '2026-10-01', '--data', data, '--json']);
    let simOut = '';
    let simErr = '';
    sim.stdout.on('data', (c: Buffer) => (simOut += c.toString()));
    sim.stderr.on('data', (c: Buffer) => (simErr += c.toString()));
    assert.equal(await new Promise<number | null>((r) => sim.on('close', r)), 0, simErr);
    assert.equal((JSON.parse(simOut) as { inserted: number }).inserted, 400);
    assert.equal(await rt.store.countRecords(), 403);
    const failed = (await rt.store.getEvents({ limit: 1000 })).events.filter((e) => e.status === 'error' && e.usage === null);
    assert.ok(failed.length > 0 && failed.every((e) => e.cost === null && !e.priced));

    const res = await request(`${rt.url}/api/import/ledger`, { method: 'POST', headers: { authorization: `Bearer ${rt.adminToken}`, 'content-type': 'application/x-ndjson' }, body: [LINES[0], BAD[2]].join('\n') });
    assert.equal(res.statusCode, 400);
    const body = (await res.body.json()) as { error: { code: string; details: { line: number }[] } };
    assert.equal(body.error.code, 'invalid_lines');
    assert.deepEqual(body.error.details.map((d) => d.line), [2]);
  } finally {
    await rt.close();
  }
});
