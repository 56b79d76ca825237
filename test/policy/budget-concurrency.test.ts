/**
 * The cap holds under concurrency: 500 calls at once against a budget that covers about 100.
 * With uncapped reservations (every call reserves its true worst case) admitted spend never
 * exceeds the limit; with a reservation ceiling below the worst case it exceeds it by at most
 * the documented bound, the sum over admitted calls of (actual cost - reservation). Either way
 * the ledger and /api/budgets agree to the pico-dollar.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Decimal } from '../../src/pricing/decimal.js';
import { toPico, picoToUsd } from '../../src/policy/money-units.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { CHAT, startRig } from './policy-test-kit.js';

let sim: Simulator;
before(async () => {
  sim = await startSimulator();
});
after(async () => {
  await sim.close();
});

async function costOfOneCall(): Promise<bigint> {
  const rig = await startRig(undefined, sim);
  try {
    const r = await rig.chat(CHAT);
    assert.equal(r.status, 200);
    return toPico(r.headers['x-costrail-cost'] as string);
  } finally {
    await rig.close();
  }
}

async function fire(ceiling: string | undefined, limit: string) {
  const rig = await startRig({ reservationCeilingUsd: ceiling }, sim);
  const created = await rig.api('POST', '/api/budgets', { id: 'search-monthly', name: 'search monthly', scope: { team: 'search' }, period: 'month', limit_usd: limit });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const results = await Promise.all(Array.from({ length: 500 }, () => rig.chat(CHAT, { 'x-costrail-team': 'search' })));
  const records = (await rig.records()).filter((r) => r.attribution.team === 'search');
  const budget = (await rig.api<{ spent: string; reserved: string }>('GET', '/api/budgets/search-monthly')).body;
  await rig.close();
  return { results, records, budget };
}

describe('500 simultaneous calls against a budget covering ~100', () => {
  it('uncapped reservations: admitted spend <= limit; ledger = /api/budgets; refusals are 429 budget_exceeded records', async () => {
    const one = await costOfOneCall();
    const limit = one * 100n;
    const { results, records, budget } = await fire(undefined, picoToUsd(limit));
    const ok = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status === 429);
    assert.equal(ok.length + refused.length, 500);
    assert.ok(ok.length >= 50 && ok.length <= 100, `admitted ${ok.length}`);
    for (const r of refused) {
      assert.equal((r.body['error'] as { type: string }).type, 'budget_exceeded');
      assert.equal(r.headers['x-should-retry'], 'false');
    }
    const spentLedger = records.filter((r) => r.status === 'ok').reduce((a, r) => a.add(Decimal.parse(r.cost?.total ?? '0')), Decimal.ZERO);
    assert.ok(toPico(spentLedger) <= limit, `spent ${spentLedger} > limit ${picoToUsd(limit)}`);
    assert.equal(budget.spent, spentLedger.toString());
    assert.equal(budget.reserved, '0');
    assert.equal(records.filter((r) => r.status === 'blocked' && r.error?.type === 'budget_exceeded').length, refused.length);
    assert.equal(records.length, 500);
  });

  it('reservation ceiling below the worst case: overshoot <= sum over admitted calls of (actual - ceiling)', async () => {
    const one = await costOfOneCall();
    const limit = one * 100n;
    const ceiling = one / 2n; // every call reserves half of what it will cost
    const { results, records, budget } = await fire(picoToUsd(ceiling), picoToUsd(limit));
    const admitted = records.filter((r) => r.status === 'ok');
    const spent = admitted.reduce((a, r) => a + toPico(r.cost?.total ?? '0'), 0n);
    const bound = admitted.reduce((a, r) => {
      const over = toPico(r.cost?.total ?? '0') - ceiling;
      return a + (over > 0n ? over : 0n);
    }, 0n);
    assert.ok(spent <= limit + bound, `spent ${picoToUsd(spent)} > limit ${picoToUsd(limit)} + bound ${picoToUsd(bound)}`);
    // The same bound in its closed form: admitted calls x (largest call - ceiling).
    const largest = admitted.reduce((m, r) => (toPico(r.cost?.total ?? '0') > m ? toPico(r.cost?.total ?? '0') : m), 0n);
    assert.ok(spent <= limit + BigInt(admitted.length) * (largest - ceiling));
    assert.ok(results.some((r) => r.status === 429), 'the budget still refuses once reservations fill it');
    assert.equal(budget.spent, picoToUsd(spent));
  });
});
