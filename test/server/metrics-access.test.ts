/**
 * /metrics names teams and shows their spend: it needs the admin token unless the operator made it
 * public (`metrics.public` in the config, COSTRAIL_PUBLIC_METRICS). A scoped token is refused (it
 * would see other teams' series).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { startCostrail, type CostrailRuntime } from '../../src/server/costrail-runtime.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';

const dirs: string[] = [];
const runtimes: CostrailRuntime[] = [];
let sim: Simulator | undefined;

after(async () => {
  for (const rt of runtimes) await rt.close();
  await sim?.close();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

async function start(publicMetrics?: boolean): Promise<CostrailRuntime> {
  sim ??= await startSimulator();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'costrail-metrics-access-'));
  dirs.push(dataDir);
  const rt = await startCostrail({ port: 0, dataDir, quiet: true, upstreams: { openai: `${sim.url}/v1` }, publicMetrics });
  runtimes.push(rt);
  const res = await fetch(`${rt.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-metrics', 'x-costrail-team': 'secret-project-team' }, body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }) });
  assert.equal(res.status, 200);
  await res.arrayBuffer();
  return rt;
}

const get = (rt: CostrailRuntime, token?: string) => fetch(`${rt.url}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

test('by default /metrics needs the admin token: 401 without one, 403 for a scoped token', async () => {
  const rt = await start();
  const anonymous = await get(rt);
  assert.equal(anonymous.status, 401);
  assert.equal(anonymous.headers.get('www-authenticate'), 'Bearer');
  const body = await anonymous.text();
  assert.doesNotMatch(body, /secret-project-team|costrail_cost_usd_total/);

  const unknown = await get(rt, 'not-a-token');
  await unknown.arrayBuffer();
  assert.equal(unknown.status, 401);
  const scoped = await rt.context.keys.tokens.create('dash', { team: 'search' });
  const refused = await get(rt, scoped.secret);
  assert.equal(refused.status, 403);
  assert.doesNotMatch(await refused.text(), /secret-project-team/);

  const admin = await get(rt, rt.adminToken);
  assert.equal(admin.status, 200);
  assert.match(await admin.text(), /costrail_cost_usd_total\{[^}]*team="secret-project-team"/);
});

test('an operator can make /metrics public', async () => {
  const rt = await start(true);
  const res = await get(rt);
  assert.equal(res.status, 200);
  assert.match(await res.text(), /team="secret-project-team"/);
});
