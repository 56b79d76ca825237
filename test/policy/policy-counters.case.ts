/**
 * Counter conformance: the in-process and the Redis counters must behave alike.
 * `open` returns fresh, empty counters each call (own key prefix for Redis).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { Charge, PolicyCounters } from '../../src/policy/counters/policy-counters.js';

const T0 = 1_800_000_000_000;
const charge = (key: string, amount: bigint, limit: bigint | null): Charge => ({ key, amount, limit, expiresAt: T0 + 86_400_000 });

export function countersConformance(name: string, open: () => Promise<PolicyCounters>): void {
  describe(`Policy counters conformance: ${name}`, () => {
    const opened: PolicyCounters[] = [];
    const fresh = async () => {
      const c = await open();
      opened.push(c);
      return c;
    };
    after(async () => {
      for (const c of opened) await c.close();
    });

    it('admits while spent + reserved + amount fits the limit, and names the bucket that refused', async () => {
      const c = await fresh();
      assert.deepEqual(await c.reserve('a', [charge('b1', 60n, 100n)], T0, 60_000), { ok: true });
      assert.deepEqual(await c.reserve('b', [charge('b1', 40n, 100n)], T0, 60_000), { ok: true });
      assert.deepEqual(await c.reserve('c', [charge('b1', 1n, 100n)], T0, 60_000), { ok: false, index: 0, used: 100n });
      assert.deepEqual(await c.read(['b1'], T0), [{ spent: 0n, reserved: 100n }]);
    });

    it('is all or nothing across buckets', async () => {
      const c = await fresh();
      const r = await c.reserve('a', [charge('x', 10n, 100n), charge('y', 10n, 5n)], T0, 60_000);
      assert.deepEqual(r, { ok: false, index: 1, used: 0n });
      assert.deepEqual(await c.read(['x', 'y'], T0), [
        { spent: 0n, reserved: 0n },
        { spent: 0n, reserved: 0n },
      ]);
    });

    it('settle releases the hold and adds the actual amount; a null limit counts but never refuses', async () => {
      const c = await fresh();
      await c.reserve('a', [charge('b', 50n, 100n), charge('n', 1000n, null)], T0, 60_000);
      const st = await c.settle('a', [{ key: 'b', actual: 30n, expiresAt: T0 + 86_400_000 }, { key: 'n', actual: 700n, expiresAt: T0 + 86_400_000 }], T0 + 1);
      assert.deepEqual(st, [
        { spent: 30n, reserved: 0n },
        { spent: 700n, reserved: 0n },
      ]);
      assert.deepEqual(await c.reserve('b', [charge('n', 10n ** 9n, null)], T0 + 2, 60_000), { ok: true });
      assert.deepEqual(await c.reserve('c', [charge('b', 71n, 100n)], T0 + 2, 60_000), { ok: false, index: 0, used: 30n });
      assert.deepEqual(await c.reserve('d', [charge('b', 70n, 100n)], T0 + 2, 60_000), { ok: true });
    });

    it('releases reservations that outlive their time-to-live (a crashed call), once', async () => {
      const c = await fresh();
      await c.reserve('crashed', [charge('b', 80n, 100n)], T0, 1000);
      assert.equal((await c.reserve('x', [charge('b', 30n, 100n)], T0 + 999, 1000)).ok, false);
      assert.deepEqual(await c.read(['b'], T0 + 1000), [{ spent: 0n, reserved: 0n }]);
      assert.equal((await c.reserve('y', [charge('b', 30n, 100n)], T0 + 1001, 60_000)).ok, true);
      // A late settle of the expired call adds its spend but must not release anyone else's hold.
      const st = await c.settle('crashed', [{ key: 'b', actual: 50n, expiresAt: T0 + 86_400_000 }], T0 + 1002);
      assert.deepEqual(st, [{ spent: 50n, reserved: 30n }]);
    });

    it('seeds a bucket only when it does not exist yet', async () => {
      const c = await fresh();
      assert.equal(await c.seed('s', 42n, T0 + 86_400_000), true);
      assert.equal(await c.seed('s', 99n, T0 + 86_400_000), false);
      assert.deepEqual(await c.read(['s', 'missing'], T0), [
        { spent: 42n, reserved: 0n },
        { spent: 0n, reserved: 0n },
      ]);
      assert.equal((await c.reserve('a', [charge('s', 59n, 100n)], T0, 1000)).ok, false);
    });

    it('rebuild raises spent to the ledger sum, never lowers it, keeps holds, and is idempotent', async () => {
      const c = await fresh();
      assert.equal(await c.rebuild('rb-new', 70n, T0 + 86_400_000), 70n);
      await c.reserve('h', [charge('rb', 30n, 1000n)], T0, 60_000);
      await c.settle('h', [{ key: 'rb', actual: 25n, expiresAt: T0 + 86_400_000 }], T0);
      await c.reserve('h2', [charge('rb', 40n, 1000n)], T0, 60_000);
      assert.equal(await c.rebuild('rb', 10n, T0 + 86_400_000), 25n);
      // Beyond 2^53: compared exactly, not as doubles.
      const big = 2n ** 60n + 1n;
      assert.equal(await c.rebuild('rb', big, T0 + 86_400_000), big);
      assert.equal(await c.rebuild('rb', big - 1n, T0 + 86_400_000), big);
      assert.deepEqual(await c.read(['rb', 'rb-new'], T0), [
        { spent: big, reserved: 40n },
        { spent: 70n, reserved: 0n },
      ]);
    });

    it('claims a key exactly once', async () => {
      const c = await fresh();
      const results = await Promise.all(Array.from({ length: 20 }, () => c.claim('th:x:0.5', Date.now() + 60_000)));
      assert.equal(results.filter(Boolean).length, 1);
    });

    it('admits exactly what fits under concurrency', async () => {
      const c = await fresh();
      const results = await Promise.all(Array.from({ length: 300 }, (_, i) => c.reserve(`call-${i}`, [charge('hot', 7n, 700n)], T0, 60_000)));
      assert.equal(results.filter((r) => r.ok).length, 100);
      assert.deepEqual(await c.read(['hot'], T0), [{ spent: 0n, reserved: 700n }]);
    });

    it('keeps sums exact beyond 2^53 (pico-dollar budgets of millions)', async () => {
      const c = await fresh();
      const big = 123_456_789_012_345_678n; // ~$123,456 in pico-dollars
      await c.reserve('a', [charge('m', 1n, null)], T0, 60_000);
      await c.settle('a', [{ key: 'm', actual: big, expiresAt: T0 + 86_400_000 }], T0);
      await c.reserve('b', [charge('m', 1n, null)], T0, 60_000);
      const [st] = await c.settle('b', [{ key: 'm', actual: 3n, expiresAt: T0 + 86_400_000 }], T0);
      assert.equal(st?.spent, big + 3n);
    });
  });
}
