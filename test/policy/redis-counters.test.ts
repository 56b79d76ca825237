import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { countersConformance } from './policy-counters.case.js';
import { openTestCounters, redisTestOptions, testPrefix } from './redis-test-kit.js';

const opts = await redisTestOptions();

if (opts.skip) {
  describe('Policy counters conformance: Redis', () => {
    it('needs Redis', opts, () => undefined);
  });
} else {
  countersConformance('Redis', () => openTestCounters());

  describe('Redis counters fan-out', () => {
    it('delivers a broadcast to the other processes sharing the prefix, not to the sender', async () => {
      const prefix = testPrefix();
      const a = await openTestCounters(prefix);
      const b = await openTestCounters(prefix);
      const heardByA: string[] = [];
      a.onBroadcast((m) => heardByA.push(m));
      const heard = new Promise<string>((resolve) => b.onBroadcast(resolve));
      await new Promise((r) => setTimeout(r, 100)); // subscriptions settle
      const t0 = Date.now();
      await a.broadcast('kill-switch on');
      assert.equal(await heard, 'kill-switch on');
      assert.ok(Date.now() - t0 < 1000, 'fan-out within 1 s');
      assert.deepEqual(heardByA, []);
      await a.close();
      await b.close();
    });
  });
}
