/**
 * When the shared counters are unreachable (Redis down: here a closed port), each rule's
 * `on_counter_error` decides: `open` (the default) admits the call, `closed` refuses it with 503.
 * Kill switches and allow-lists live in memory and keep working either way.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RedisCounters } from '../../src/policy/counters/redis-counters.js';
import { CHAT, startRig, type Rig } from './policy-test-kit.js';

let rig: Rig;
before(async () => {
  const counters = await RedisCounters.open({ url: 'redis://127.0.0.1:1', prefix: 'costrail-test-closed:', connectWaitMs: 300 });
  rig = await startRig({ counters });
  await rig.api('POST', '/api/budgets', { name: 'open', scope: { team: 'open' }, period: 'day', limit_usd: '0.000001' });
  await rig.api('POST', '/api/budgets', { name: 'closed', scope: { team: 'closed' }, period: 'day', limit_usd: '100', on_counter_error: 'closed' });
  await rig.api('POST', '/api/kill-switches', { scope: { team: 'killed' }, reason: 'incident' });
});
after(async () => {
  await rig.close();
});

describe('Redis unreachable', () => {
  it('fail-open budget admits (even one it would have refused)', async () => {
    assert.equal((await rig.chat(CHAT, { 'x-costrail-team': 'open' })).status, 200);
  });
  it('fail-closed budget refuses with 503 policy_unavailable and Retry-After', async () => {
    const r = await rig.chat(CHAT, { 'x-costrail-team': 'closed' });
    assert.equal(r.status, 503);
    assert.equal((r.body['error'] as { type: string }).type, 'policy_unavailable');
    assert.equal(r.headers['retry-after'], '1');
  });
  it('kill switches still refuse', async () => {
    assert.equal((await rig.chat(CHAT, { 'x-costrail-team': 'killed' })).status, 403);
  });
});
