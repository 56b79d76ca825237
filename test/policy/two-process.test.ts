/**
 * Two `costrail serve` processes sharing one Redis enforce one budget — once with separate
 * embedded stores, once sharing one PostgreSQL ledger as a scale-out deployment would. Each
 * together: 500 simultaneous calls split across both, against a budget covering ~100, admit no
 * more than the limit in total; the two ledgers together equal the shared /api/budgets spent (the budget fails closed: a
 * counter call that times out refuses rather than admits unreserved); a
 * budget and a kill switch set on one process reach the other within a second (pub/sub).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Agent, request } from 'undici';
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import { picoToUsd, toPico } from '../../src/policy/money-units.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { dropSchemas, PG_URL, postgresAvailable } from '../helpers/postgres.js';
import { CHAT } from './policy-test-kit.js';
import { openTestCounters, REDIS_URL, redisTestOptions, testPrefix } from './redis-test-kit.js';
import { tempDir } from '../helpers/temp-dir.js';

const opts = await redisTestOptions();
const TOKEN = 'two-process-admin-token';
const agent = new Agent({ connections: 1024 });
let sim: Simulator | undefined;

const pgAvailable = await postgresAvailable('the two-process PostgreSQL test');

async function simulator(): Promise<Simulator> {
  sim ??= await startSimulator();
  return sim;
}

async function serve(prefix: string, postgresSchema: string | undefined): Promise<{ proc: ChildProcess; url: string }> {
  const upstream = (await simulator()).url;
  const shared = postgresSchema ? { COSTRAIL_DATABASE_URL: PG_URL, COSTRAIL_DATABASE_SCHEMA: postgresSchema } : {};
  const proc = spawn(process.execPath, [join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js'), 'serve', '--port', '0', '--data', tempDir('costrail-2p-')], {
    env: { ...process.env, ...shared, COSTRAIL_REDIS_URL: REDIS_URL, COSTRAIL_REDIS_PREFIX: prefix, COSTRAIL_ADMIN_TOKEN: TOKEN, COSTRAIL_OPENAI_BASE_URL: `${upstream}/v1` },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    proc.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
  });
  return { proc, url };
}

async function call(url: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await request(url + path, { method: method as 'GET', dispatcher: agent, headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.body.text();
  return { status: res.statusCode, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}
const api = (url: string, method: string, path: string, body?: unknown) => call(url, method, path, body, { authorization: `Bearer ${TOKEN}` });
const chat = (url: string, team: string) => call(url, 'POST', '/v1/chat/completions', CHAT, { authorization: 'Bearer sk-2p', 'x-costrail-team': team });

async function until<T>(fn: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function ledger(url: string, team: string): Promise<LedgerRecord[]> {
  const out: LedgerRecord[] = [];
  let cursor: string | null = null;
  do {
    const r = await api(url, 'GET', `/api/events?limit=1000&team=${team}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    out.push(...(r.body['events'] as LedgerRecord[]));
    cursor = r.body['next_cursor'] as string | null;
  } while (cursor);
  return out;
}

function twoProcessSuite(label: string, postgres: boolean): void {
  const servers: { proc: ChildProcess; url: string }[] = [];
  const prefix = testPrefix();
  const schema = postgres ? `costrail_2p_${process.pid}_${randomBytes(3).toString('hex')}` : undefined;
  const skip = opts.skip ?? (postgres && !pgAvailable ? `PostgreSQL not reachable at ${PG_URL}` : undefined);
  describe(label, skip ? { skip } : {}, () => {
    before(async () => {
      // One after the other: the first applies the migrations of a shared schema.
      servers.push(await serve(prefix, schema));
      servers.push(await serve(prefix, schema));
    });
    after(async () => {
      for (const s of servers) s.proc.kill('SIGTERM');
      await Promise.all(servers.map((s) => new Promise((r) => s.proc.once('exit', r))));
      const c = await openTestCounters(prefix);
      await c.close(); // deletes every key of this run
      if (schema) await dropSchemas([schema]);
    });

    it('hold one budget together: total admitted spend <= limit, ledgers = shared spent', async () => {
      const [a, b] = servers as unknown as [{ url: string }, { url: string }];
      const probe = await request(`${a.url}/v1/chat/completions`, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json', authorization: 'Bearer sk-2p' }, body: JSON.stringify(CHAT) });
      await probe.body.text();
      const one = toPico(String(probe.headers['x-costrail-cost']));
      const limit = one * 100n;
      const created = await api(a.url, 'POST', '/api/budgets', { id: 'shared', name: 'shared', scope: { team: 'shared' }, period: 'day', limit_usd: picoToUsd(limit), on_counter_error: 'closed' });
      assert.equal(created.status, 201);
      const t0 = Date.now();
      await until(async () => ((await api(b.url, 'GET', '/api/budgets/shared')).status === 200 ? true : undefined), 5000);
      assert.ok(Date.now() - t0 < 1000, `budget reached the other process in ${Date.now() - t0} ms`);

      const results = await Promise.all(Array.from({ length: 500 }, (_, i) => chat(i % 2 === 0 ? a.url : b.url, 'shared')));
      const admitted = results.filter((r) => r.status === 200).length;
      // Fail-closed: a counter operation that times out on this loaded machine refuses with 503.
      assert.equal(admitted + results.filter((r) => r.status === 429 || r.status === 503).length, 500);
      // A shared PostgreSQL ledger answers for both processes; separate embedded ledgers are summed.
      const records = await until(async () => {
        const all = postgres ? await ledger(b.url, 'shared') : [...(await ledger(a.url, 'shared')), ...(await ledger(b.url, 'shared'))];
        return all.length === 500 ? all : undefined;
      }, 10_000);
      const spent = records.filter((r) => r.status === 'ok').reduce((s, r) => s + toPico(r.cost?.total ?? '0'), 0n);
      assert.ok(spent <= limit, `spent ${picoToUsd(spent)} > limit ${picoToUsd(limit)}`);
      assert.ok(admitted >= 50, `admitted ${admitted}, unavailable ${results.filter((r) => r.status === 503).length}`);
      const viaA = (await api(a.url, 'GET', '/api/budgets/shared')).body;
      const viaB = (await api(b.url, 'GET', '/api/budgets/shared')).body;
      assert.equal(viaA['spent'], picoToUsd(spent));
      assert.equal(viaB['spent'], viaA['spent']);
      assert.equal(viaA['reserved'], '0');
    });

    it('a kill switch set on one process refuses on the other within a second', async () => {
      const [a, b] = servers as unknown as [{ url: string }, { url: string }];
      assert.equal((await chat(b.url, 'halt')).status, 200);
      const set = await api(a.url, 'POST', '/api/kill-switches', { scope: { team: 'halt' }, reason: 'incident 42' });
      const t0 = Date.now();
      await until(async () => ((await chat(b.url, 'halt')).status === 403 ? true : undefined), 5000);
      assert.ok(Date.now() - t0 < 1000, `took ${Date.now() - t0} ms`);
      await api(a.url, 'DELETE', `/api/kill-switches/${String(set.body['id'])}`);
      await until(async () => ((await chat(b.url, 'halt')).status === 200 ? true : undefined), 5000);
    });
  });
}

twoProcessSuite('two serve processes sharing Redis (separate embedded ledgers)', false);
twoProcessSuite('two serve processes sharing Redis and PostgreSQL', true);

after(async () => {
  await sim?.close();
});

