/**
 * `costrail serve` as a child process: calls answered, then SIGKILL before the ledger writer
 * flushes; on restart the spool is replayed. Records must equal responses received: none lost,
 * none doubled. Also `costrail demo` end to end.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { startSimulator } from '../../src/simulator/index.js';
import { DuckDbStore } from '../../src/store/embedded/duckdb-store.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { Decimal } from '../../src/pricing/decimal.js';
import { tempDir } from '../helpers/temp-dir.js';

const BIN = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');

async function serve(dataDir: string, upstream: string): Promise<{ proc: ChildProcess; url: string }> {
  const proc = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data', dataDir], {
    env: { ...process.env, COSTRAIL_OPENAI_BASE_URL: `${upstream}/v1`, COSTRAIL_ANTHROPIC_BASE_URL: upstream },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  // Keep reading stdout for the child's whole life: a closed pipe would make its later writes fail.
  return await new Promise((resolve, reject) => {
    proc.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (http:\/\/\S+)\s/.exec(out);
      if (m?.[1]) resolve({ proc, url: m[1] });
    });
    proc.once('exit', (code, signal) => reject(new Error(`serve exited (${code ?? signal}) before listening: ${out} ${err}`)));
  });
}

test('kill -9 after answering: every answered call has exactly one record after restart', async () => {
  const sim = await startSimulator();
  const data = tempDir('costrail-crash-');
  try {
    const first = await serve(data, sim.url);
    let answered = 0;
    const call = async (i: number) => {
      const stream = i % 3 === 0;
      const res = await fetch(`${first.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer sk-crash', 'x-costrail-team': `t${i % 4}` },
        body: JSON.stringify({ model: 'gpt-4o-mini', stream, messages: [{ role: 'user', content: `call ${i}` }] }),
      }).catch((e: Error & { cause?: { code?: string; message?: string } }) => {
        throw new Error(`call ${i} to ${first.url} failed: ${e.cause?.code ?? ''} ${e.cause?.message ?? e.message}`);
      });
      await res.arrayBuffer();
      if (res.ok) answered++;
    };
    for (let batch = 0; batch < 6; batch++) await Promise.all(Array.from({ length: 25 }, (_, j) => call(batch * 25 + j)));
    // Straight after the last response: the writer's 200 ms flush has not run for the newest records.
    first.proc.kill('SIGKILL');
    await once(first.proc, 'exit');
    assert.equal(answered, 150);
    const spooled = readdirSync(join(data, 'spool')).filter((f) => f.endsWith('.jsonl'));
    assert.ok(spooled.length > 0, 'some records were only in the spool when the process died');

    const second = await serve(data, sim.url);
    second.proc.kill('SIGTERM');
    await once(second.proc, 'exit');

    // The data folder is private (issue 11): 0700, and what serve created in it 0600.
    assert.equal((statSync(data).mode & 0o777).toString(8), '700');
    for (const f of ['ledger.duckdb', 'admin-token', 'master-key']) assert.equal((statSync(join(data, f)).mode & 0o777).toString(8), '600', f);
    const store = await DuckDbStore.open(data, { readOnly: true });
    try {
      const committed = await store.countRecords();
      console.log(`kill -9 under load: calls acknowledged ${answered}, records committed ${committed}`);
      assert.equal(committed, answered);
      const page = await store.getEvents({ limit: 1000 });
      assert.equal(new Set(page.events.map((e) => e.id)).size, answered);
      assert.ok(page.events.every((e) => e.status === 'ok' && e.priced && e.key_id?.startsWith('pt_')));
    } finally {
      await store.close();
    }
    // The provider key never lands in the data folder in clear.
    const everything = readdirSync(data, { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile())
      .map((d) => readFileSync(join(d.parentPath ?? (d as unknown as { path: string }).path, d.name)).toString('latin1'))
      .join('');
    assert.ok(!everything.includes('sk-crash'));
  } finally {
    await sim.close();
    rmSync(data, { recursive: true, force: true });
  }
});

test('costrail demo --json: synthetic traffic lands in the ledger, attributed and priced', async () => {
  const data = tempDir('costrail-demo-');
  const r = spawnSync(process.execPath, [BIN, 'demo', '--json', '--port', '0', '--data', data, '--requests', '60'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as {
    history_seeded: number;
    sent: number;
    total_usd: string;
    by_team: { team: string; requests: number }[];
    budgets: { name: string; spent: string; limit_usd: string; action: string }[];
  };
  assert.equal(out.sent, 60);
  assert.ok(Number(out.total_usd) > 0);
  // Today's table is the live traffic only: the seeded history ends at today's UTC midnight.
  assert.equal(out.by_team.reduce((a, b) => a + b.requests, 0), 60);
  assert.ok(out.by_team.length >= 4);
  assert.equal(out.history_seeded, 20_000);
  // The live budget holds: what it reports spent never passes its limit.
  const cap = out.budgets.find((b) => b.action === 'block');
  assert.ok(cap && Decimal.parse(cap.spent).cmp(Decimal.parse(cap.limit_usd)) <= 0, JSON.stringify(out.budgets));
  const store = await DuckDbStore.open(data, { readOnly: true });
  try {
    assert.equal(await store.countRecords(), 20_060);
  } finally {
    await store.close();
  }
});
