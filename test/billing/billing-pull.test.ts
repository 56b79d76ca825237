/**
 * `costrail billing pull` against the simulated admin cost APIs the project ships (never the real
 * ones): paging, back-off on 429 honouring Retry-After, a 5xx storm that changes nothing, an invalid
 * key, idempotent re-pulls, exact amounts (Anthropic cents, OpenAI dollars), reconciliation seeing the
 * pulled bill, and the CLI and HTTP surfaces.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { fetchCostPages, retryAfterMs } from '../../src/billing/pull/admin-cost-client.js';
import { adminTargets, pullBilling } from '../../src/billing/pull/billing-pull.js';
import { scheduledRange } from '../../src/billing/pull/billing-pull-service.js';
import { BillingPullResultSchema, BillingPullsSchema } from '../../src/billing/billing-api-schemas.js';
import { parseReconciliationQuery, reconcile, type ReconciliationQuery } from '../../src/billing/reconciliation.js';
import { Decimal } from '../../src/pricing/decimal.js';
import { startCostrail, type CostrailRuntime } from '../../src/server/costrail-runtime.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { DuckDbStore } from '../../src/store/embedded/duckdb-store.js';
import { tempDir } from '../helpers/temp-dir.js';

const BIN = join(process.cwd(), 'dist', 'src', 'cli', 'main.js');
const noWait = (waits: number[]) => async (ms: number) => void waits.push(ms);

async function billedTotal(store: DuckDbStore, from: string, to: string, provider: string): Promise<string> {
  const rows = await store.billed.totals({ from, to });
  return Decimal.sum(rows.filter((r) => r.provider === provider).map((r) => Decimal.parse(r.amount_usd))).toString();
}

describe('billing pull from the simulated admin APIs', () => {
  let sim: Simulator;
  let store: DuckDbStore;
  before(async () => {
    sim = await startSimulator({ adminCosts: { seed: 3, adminKey: 'sk-admin-test' } });
    store = await DuckDbStore.open(join(tempDir('costrail-pull-'), 'data'));
  });
  after(async () => {
    await store.close();
    await sim.close();
  });
  const openai = () => ({ provider: 'openai' as const, baseUrl: `${sim.url}/v1`, adminKey: 'sk-admin-test' });
  const anthropic = () => ({ provider: 'anthropic' as const, baseUrl: sim.url, adminKey: 'sk-admin-test' });

  it('walks every page and imports the bill exactly: OpenAI dollars and Anthropic cents both to the provider total', async () => {
    // 200 days of OpenAI (180 buckets a page) and 40 of Anthropic (31 a page): two pages each.
    const o = { from: '2026-03-01T00:00:00.000Z', to: '2026-09-17T00:00:00.000Z' };
    sim.admin.calls.length = 0;
    const r1 = await pullBilling(store, openai(), o);
    assert.equal(r1.status, 'imported', r1.error);
    assert.equal(r1.pages, 2);
    assert.equal(r1.import?.lines, 200 * 6);
    assert.equal(await billedTotal(store, o.from, o.to, 'openai'), sim.admin.expectedTotalUsd('openai', o.from, o.to));
    const a = { from: '2026-08-01T00:00:00.000Z', to: '2026-09-10T00:00:00.000Z' };
    const r2 = await pullBilling(store, anthropic(), a);
    assert.equal(r2.status, 'imported', r2.error);
    assert.equal(r2.pages, 2);
    assert.equal(await billedTotal(store, a.from, a.to, 'anthropic'), sim.admin.expectedTotalUsd('anthropic', a.from, a.to));
    // The cursor is passed back as the provider gave it, on the same origin.
    assert.deepEqual(sim.admin.calls.map((c) => [c.provider, new URLSearchParams(c.query).has('page')]), [['openai', false], ['openai', true], ['anthropic', false], ['anthropic', true]]);
  });

  it('a second pull of the same period changes nothing; changed figures replace the period', async () => {
    const a = { from: '2026-08-01T00:00:00.000Z', to: '2026-09-10T00:00:00.000Z' };
    const count = await store.billed.count();
    const again = await pullBilling(store, anthropic(), a);
    assert.equal(again.status, 'already_imported');
    assert.equal(await store.billed.count(), count);
    // A narrower pull of days already held: the same figures for that period (a different file), replacing it.
    const part = await pullBilling(store, anthropic(), { from: '2026-08-05T00:00:00.000Z', to: '2026-08-07T00:00:00.000Z' });
    assert.equal(part.status, 'imported', part.error);
    assert.equal(part.import?.replaced, 2 * 8);
    assert.equal(await store.billed.count(), count);
    assert.equal(await billedTotal(store, a.from, a.to, 'anthropic'), sim.admin.expectedTotalUsd('anthropic', a.from, a.to));
  });

  it('backs off on 429 for as long as Retry-After says, then continues', async () => {
    const waits: number[] = [];
    sim.admin.failNext(429, 2, '7');
    const pages = await fetchCostPages(openai(), { from: '2026-01-01', to: '2026-01-03', sleep: noWait(waits) });
    assert.equal(pages.length, 1);
    assert.deepEqual(waits, [7000, 7000]);
    sim.admin.failNext(503, 1);
    const jittered: number[] = [];
    await fetchCostPages(openai(), { from: '2026-01-01', to: '2026-01-03', sleep: noWait(jittered), backoffMs: 400 });
    assert.equal(jittered.length, 1);
    assert.ok(jittered[0]! >= 200 && jittered[0]! <= 600, `first back-off ${jittered[0]} ms is 400 ms ± 50%`);
    assert.equal(retryAfterMs('Wed, 21 Oct 2026 07:28:05 GMT', Date.parse('2026-10-21T07:28:00Z')), 5000);
  });

  it('a 5xx storm, a Retry-After beyond reason or a wrong key fail the pull with the reason and change nothing', async () => {
    const count = await store.billed.count();
    sim.admin.failNext(503, 10);
    const storm = await pullBilling(store, openai(), { from: '2026-10-01', to: '2026-10-03' }, { sleep: noWait([]), maxAttempts: 4 });
    assert.equal(storm.status, 'failed');
    assert.match(storm.error ?? '', /openai admin API failed 4 times \(last: 503: simulated 503\)/);
    sim.admin.clearFailures();
    sim.admin.failNext(429, 1, '86400');
    const later = await pullBilling(store, openai(), { from: '2026-10-01', to: '2026-10-03' }, { sleep: noWait([]) });
    assert.match(later.error ?? '', /asks to retry after 86400 s/);
    const wrong = await pullBilling(store, { ...openai(), adminKey: 'sk-wrong' }, { from: '2026-10-01', to: '2026-10-03' });
    assert.equal(wrong.status, 'failed');
    assert.match(wrong.error ?? '', /openai admin API answered 401: invalid admin key/);
    assert.equal(await store.billed.count(), count);
  });

  it('refuses an admin base URL that would expose the key, and a bucket outside the days asked for', async () => {
    const count = await store.billed.count();
    const plain = await pullBilling(store, { ...openai(), baseUrl: 'http://billing.example/v1' }, { from: '2026-10-01', to: '2026-10-03' });
    assert.match(plain.error ?? '', /must be https \(plain http only on loopback\)/);
    const userinfo = await pullBilling(store, { ...openai(), baseUrl: 'https://u:p@billing.example/v1' }, { from: '2026-10-01', to: '2026-10-03' });
    assert.match(userinfo.error ?? '', /must not carry credentials/);
    // The simulator answers the days it is asked for; a client asking for fewer sees a stray bucket.
    const stray = await fetchCostPages(openai(), { from: '2026-10-01', to: '2026-10-02' }).then(
      () => 'ok',
      (e: Error) => e.message,
    );
    assert.equal(stray, 'ok');
    sim.admin.strayBucketNext();
    const bad = await pullBilling(store, openai(), { from: '2026-10-01', to: '2026-10-03' });
    assert.equal(bad.status, 'failed');
    assert.match(bad.error ?? '', /page 1 has a bucket starting at 0, outside the 2026-10-01 – 2026-10-03 asked for; nothing imported/);
    assert.equal(await store.billed.count(), count);
  });

  it('reconciliation sees the pulled bill beside the ledger', async () => {
    const q = parseReconciliationQuery({ from: '2026-08-01T00:00:00Z', to: '2026-08-03T00:00:00Z' }) as ReconciliationQuery;
    const rec = await reconcile(store, q);
    const rows = rec.rows.filter((r) => r.provider === 'anthropic');
    assert.equal(rows.length, 2);
    assert.equal(Decimal.sum(rows.map((r) => Decimal.parse(r.billed))).toString(), sim.admin.expectedTotalUsd('anthropic', q.from, q.to));
    assert.ok(rows.every((r) => r.observed === '0' && r.gap === r.billed), 'nothing metered: the whole bill is the gap');
  });

  it('the scheduled pull asks for yesterday and today, and after downtime reaches back to the last pull (at most 31 days)', () => {
    const now = Date.parse('2026-12-06T16:00:00Z');
    assert.deepEqual(scheduledRange(now), { from: '2026-12-05T00:00:00.000Z', to: '2026-12-07T00:00:00.000Z' });
    assert.deepEqual(scheduledRange(now, Date.parse('2026-12-01T00:00:00Z')), { from: '2026-11-30T00:00:00.000Z', to: '2026-12-07T00:00:00.000Z' });
    assert.deepEqual(scheduledRange(now, Date.parse('2026-12-07T00:00:00Z')), { from: '2026-12-05T00:00:00.000Z', to: '2026-12-07T00:00:00.000Z' });
    assert.deepEqual(scheduledRange(now, Date.parse('2026-01-01T00:00:00Z')), { from: '2026-11-05T00:00:00.000Z', to: '2026-12-07T00:00:00.000Z' });
  });

  it('admin targets come from the environment; without a key there is no target', () => {
    assert.deepEqual(adminTargets({ COSTRAIL_OPENAI_ADMIN_KEY: 'k', COSTRAIL_OPENAI_BASE_URL: 'http://proxy/v1' }), [{ provider: 'openai', adminKey: 'k', baseUrl: 'http://proxy/v1' }]);
    assert.deepEqual(adminTargets({ COSTRAIL_ANTHROPIC_ADMIN_KEY: 'k', COSTRAIL_ANTHROPIC_ADMIN_BASE_URL: 'https://admin.example', COSTRAIL_ANTHROPIC_BASE_URL: 'http://x' }), [{ provider: 'anthropic', adminKey: 'k', baseUrl: 'https://admin.example' }]);
    assert.deepEqual(adminTargets({}), []);
  });
});

function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, COSTRAIL_ADMIN_TOKEN: '', ...env } });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out, err })));
}

describe('costrail billing pull and the HTTP routes', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ adminCosts: { seed: 5 } });
  });
  after(async () => {
    await sim.close();
  });

  it('pulls in-process with --json, and says what to set when no admin key is there', async () => {
    const data = join(tempDir('costrail-pull-cli-'), 'data');
    const ok = await cli(['billing', 'pull', '--provider', 'anthropic', '--from', '2026-11-01', '--to', '2026-11-04', '--data', data, '--json'], { COSTRAIL_ANTHROPIC_ADMIN_KEY: 'sk-admin', COSTRAIL_ANTHROPIC_BASE_URL: sim.url });
    assert.equal(ok.code, 0, ok.err);
    const r = BillingPullResultSchema.parse(JSON.parse(ok.out));
    assert.deepEqual([r.status, r.pages, r.import?.lines, r.import?.format], ['imported', 1, 3 * 8, 'anthropic-cost-report']);
    const none = await cli(['billing', 'pull', '--provider', 'openai', '--from', '2026-11-01', '--to', '2026-11-04', '--data', data], {});
    assert.notEqual(none.code, 0);
    assert.match(none.err, /no admin key for openai: set COSTRAIL_OPENAI_ADMIN_KEY/);
    const bad = await cli(['billing', 'pull', '--provider', 'mistral', '--from', '2026-11-01', '--to', '2026-11-04', '--data', data], {});
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--provider must be one of openai, anthropic/);
  });

  it('POST /api/billing/pull imports and GET /api/billing/pulls lists it; a failing API is a 502 with its reason', async () => {
    process.env['COSTRAIL_OPENAI_ADMIN_KEY'] = 'sk-admin';
    process.env['COSTRAIL_OPENAI_ADMIN_BASE_URL'] = `${sim.url}/v1`;
    let rt: CostrailRuntime | undefined;
    try {
      rt = await startCostrail({ port: 0, dataDir: join(tempDir('costrail-pull-api-'), 'data'), quiet: true, upstreams: {} });
    } finally {
      delete process.env['COSTRAIL_OPENAI_ADMIN_KEY'];
      delete process.env['COSTRAIL_OPENAI_ADMIN_BASE_URL'];
    }
    try {
      const post = (body: unknown) => request(`${rt!.url}/api/billing/pull`, { method: 'POST', headers: { authorization: `Bearer ${rt!.adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const res = await post({ provider: 'openai', from: '2026-11-01', to: '2026-11-03' });
      assert.equal(res.statusCode, 200);
      const body = BillingPullResultSchema.parse(await res.body.json());
      assert.equal(body.import?.lines, 2 * 6);
      sim.admin.failNext(401, 1);
      const failed = await post({ provider: 'openai', from: '2026-11-03', to: '2026-11-04' });
      assert.equal(failed.statusCode, 502);
      assert.match(JSON.stringify(await failed.body.json()), /billing_pull_failed.*401/);
      const noKey = await post({ provider: 'anthropic', from: '2026-11-01', to: '2026-11-03' });
      assert.equal(noKey.statusCode, 400);
      await noKey.body.dump();
      const badRange = await post({ provider: 'openai', from: '2026-11-03', to: '2026-11-01' });
      assert.equal(badRange.statusCode, 400);
      await badRange.body.dump();
      const list = await request(`${rt.url}/api/billing/pulls`, { headers: { authorization: `Bearer ${rt.adminToken}` } });
      const pulls = BillingPullsSchema.parse(await list.body.json());
      assert.deepEqual(pulls.configured, ['openai']);
      assert.deepEqual(pulls.pulls.map((p) => p.status), ['failed', 'imported']);
      const metrics = await (await request(`${rt.url}/metrics`, { headers: { authorization: `Bearer ${rt.adminToken}` } })).body.text();
      assert.match(metrics, /costrail_billing_pulls_total\{provider="openai",status="imported"\} 1/);
      assert.match(metrics, /costrail_billing_pulls_total\{provider="openai",status="failed"\} 1/);
    } finally {
      await rt.close();
    }
  });
});
