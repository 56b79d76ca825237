/**
 * The first virtual key must not silently end pass-through: the API refuses it without an
 * explicit `end_pass_through: true`, and /healthz and GET /api/keys say which mode is in force.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { api, startStack, type Sim } from './keys-kit.js';
import type { CostrailRuntime } from '../../src/server/costrail-runtime.js';

const CHAT = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };
const providerKeyCall = (rt: CostrailRuntime) =>
  fetch(`${rt.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-client-own' }, body: JSON.stringify(CHAT) }).then(async (r) => {
    await r.text();
    return r.status;
  });
const health = async (rt: CostrailRuntime) => ((await (await fetch(`${rt.url}/healthz`)).json()) as { key_mode: string }).key_mode;

describe('key mode (auto: pass-through until the first key)', () => {
  let stack: { sim: Sim; rt: CostrailRuntime; dataDir: string };
  before(async () => {
    stack = await startStack();
  });
  after(async () => {
    await stack.rt.close();
    await stack.sim.close();
    rmSync(stack.dataDir, { recursive: true, force: true });
  });

  it('the first key takes end_pass_through: true; the mode shows on /healthz and GET /api/keys', async () => {
    const { rt } = stack;
    assert.equal(await health(rt), 'pass-through');
    assert.equal((await api<{ key_mode: string }>(rt, 'GET', '/api/keys')).body.key_mode, 'pass-through');

    const refused = await api<{ error: { message: string } }>(rt, 'POST', '/api/keys', { team: 'search' });
    assert.equal(refused.status, 409);
    assert.match(refused.body.error.message, /provider key.*401.*pass_through: true.*end_pass_through/);
    assert.equal((await api<{ keys: unknown[] }>(rt, 'GET', '/api/keys')).body.keys.length, 0);
    assert.equal(await providerKeyCall(rt), 200, 'provider keys still pass through');

    const created = await api<{ key_mode: string }>(rt, 'POST', '/api/keys', { team: 'search', end_pass_through: true });
    assert.equal(created.status, 201);
    assert.equal(created.body.key_mode, 'virtual-keys');
    assert.equal(await health(rt), 'virtual-keys');
    assert.equal(await providerKeyCall(rt), 401);
    assert.equal((await api(rt, 'POST', '/api/keys', { team: 'ads' })).status, 201, 'later keys change nothing and need no flag');
  });
});

describe('key mode both (keys.pass_through: true)', () => {
  let stack: { sim: Sim; rt: CostrailRuntime; dataDir: string };
  before(async () => {
    stack = await startStack(undefined, { keys: { passThrough: true, providerCredentials: {}, allowedEndpoints: [] } });
  });
  after(async () => {
    await stack.rt.close();
    await stack.sim.close();
    rmSync(stack.dataDir, { recursive: true, force: true });
  });

  it('keys are created without a flag and provider keys keep working', async () => {
    const { rt } = stack;
    assert.equal(await health(rt), 'both');
    assert.equal((await api(rt, 'POST', '/api/keys', { team: 'search' })).status, 201);
    assert.equal(await providerKeyCall(rt), 200);
    assert.equal(await health(rt), 'both');
  });
});
