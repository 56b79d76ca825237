/**
 * Conformance for the economics half of the Store (outcomes, revenue, unit-economics sums). Called
 * inside storeConformance, so the embedded and the PostgreSQL store run the same cases. Figures are
 * worked out by hand in the comments: outcomes arriving late, outcomes without calls, calls
 * without outcomes, several outcomes in one trace, unpriced calls, the team rule.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import type { OutcomeRecord } from '../../src/store/economics-types.js';
import { StoreQueryError, type Store } from '../../src/store/store.js';
import { makeRecord } from './ledger-fixtures.js';

function call(i: number, feature: string, model: string, trace: string | null, cost: string | null, at = `2026-11-22T08:00:${String(i).padStart(2, '0')}Z`): LedgerRecord {
  const base = makeRecord(i);
  return {
    ...base,
    id: `call-${i}`,
    started_at: new Date(at).toISOString(),
    ended_at: null,
    model,
    trace_id: trace,
    cost: cost === null ? null : { ...base.cost!, total: cost },
    priced: cost !== null,
    price_version: cost === null ? null : base.price_version,
    unpriced_reason: cost === null ? 'no price for model' : null,
    attribution: { ...base.attribution, feature, team: 'search' },
  };
}

export function outcome(id: string, over: Partial<OutcomeRecord>): OutcomeRecord {
  return { id, occurred_at: '2026-11-22T20:00:00Z', type: 'ticket_resolved', success: true, trace_id: null, call_ids: [], customer: null, feature: null, team: null, value_usd: null, attributes: {}, ...over };
}

export const ECONOMICS_CALLS: readonly LedgerRecord[] = [
  call(1, 'support', 'm-a', 'T1', '0.10'),
  call(2, 'support', 'm-a', 'T1', '0.20'),
  call(3, 'support', 'm-b', 'T2', '0.30'),
  call(4, 'support', 'm-a', 'T3', '0.40'), // no outcome: unlinked
  call(5, 'search', 'm-b', null, '1.00'), // linked by explicit call id
  call(6, 'search', 'm-b', 'T4', null), // unpriced: cost unknown, never $0
  call(7, 'support', 'm-a', 'T1', '5', '2026-11-21T08:00:00Z'), // before the window
];

export const ECONOMICS_OUTCOMES: readonly OutcomeRecord[] = [
  outcome('O1', { trace_id: 'T1', success: true }),
  outcome('O2', { trace_id: 'T1', type: 'csat', success: false }), // second outcome in trace T1
  outcome('O3', { trace_id: 'T2', success: false }),
  outcome('O4', { call_ids: ['call-5'], success: true }),
  outcome('O5', { trace_id: 'T4', success: true }),
  outcome('O6', { trace_id: 'T-none', feature: 'support', success: true }), // no call anywhere
  outcome('O7', { trace_id: 'T2', team: 'other', success: false }), // another team's trace: not linked
];

const WINDOW = { from: '2026-11-22T00:00:00Z', to: '2026-11-23T00:00:00Z' };

export function economicsConformance(fresh: () => Promise<Store>): void {
  it('outcome sums: calls without outcomes, outcomes arriving late, several per trace, without calls', async () => {
    const s = await fresh();
    await s.insertRecords(ECONOMICS_CALLS);
    // Before any outcome: every cost is unlinked, nothing is spread.
    const before = await s.economics.getOutcomeSums({ ...WINDOW, by: 'feature' });
    assert.deepEqual(before.rows, [
      { key: 'search', cost: '1', calls: 2, unpriced_calls: 1, unlinked_cost: '1', unlinked_calls: 2, outcomes: 0, successful_outcomes: 0 },
      { key: 'support', cost: '1', calls: 4, unpriced_calls: 0, unlinked_cost: '1', unlinked_calls: 4, outcomes: 0, successful_outcomes: 0 },
    ]);
    assert.deepEqual(before.outcomes_without_calls, { outcomes: 0, successful_outcomes: 0 });

    // The outcomes arrive twelve hours after their calls; linking happens at query time.
    assert.deepEqual(await s.economics.insertOutcomes(ECONOMICS_OUTCOMES), { inserted: 7 });
    const all = await s.economics.getOutcomeSums({ ...WINDOW, by: 'feature' });
    assert.deepEqual(all.rows, [
      { key: 'search', cost: '1', calls: 2, unpriced_calls: 1, unlinked_cost: '0', unlinked_calls: 0, outcomes: 2, successful_outcomes: 2 },
      // call-4 (0.40) belongs to no outcome; O1 and O2 share trace T1; call-7 is outside the window.
      { key: 'support', cost: '1', calls: 4, unpriced_calls: 0, unlinked_cost: '0.4', unlinked_calls: 1, outcomes: 3, successful_outcomes: 1 },
    ]);
    // O6 has no call at all; O7 names team "other" whose calls are not in trace T2.
    assert.deepEqual(all.outcomes_without_calls, { outcomes: 2, successful_outcomes: 1 });

    const resolved = await s.economics.getOutcomeSums({ ...WINDOW, by: 'feature', type: 'ticket_resolved' });
    assert.deepEqual(resolved.rows[1], { key: 'support', cost: '1', calls: 4, unpriced_calls: 0, unlinked_cost: '0.4', unlinked_calls: 1, outcomes: 2, successful_outcomes: 1 });
    const csat = await s.economics.getOutcomeSums({ ...WINDOW, by: 'feature', type: 'csat' });
    assert.deepEqual(csat.rows[1], { key: 'support', cost: '1', calls: 4, unpriced_calls: 0, unlinked_cost: '0.7', unlinked_calls: 2, outcomes: 1, successful_outcomes: 0 });
    assert.deepEqual(csat.outcomes_without_calls, { outcomes: 0, successful_outcomes: 0 });

    const byModel = await s.economics.getOutcomeSums({ ...WINDOW, by: 'model', filters: { feature: 'support' } });
    assert.deepEqual(byModel.rows, [
      { key: 'm-a', cost: '0.7', calls: 3, unpriced_calls: 0, unlinked_cost: '0.4', unlinked_calls: 1, outcomes: 2, successful_outcomes: 1 },
      { key: 'm-b', cost: '0.3', calls: 1, unpriced_calls: 0, unlinked_cost: '0', unlinked_calls: 0, outcomes: 1, successful_outcomes: 0 },
    ]);
    // Only outcomes naming feature "support" can be counted as without calls under that filter.
    assert.deepEqual(byModel.outcomes_without_calls, { outcomes: 1, successful_outcomes: 1 });

    // A wider window takes in call-7 (trace T1, so linked to O1 and O2).
    const wide = await s.economics.getOutcomeSums({ from: '2026-11-01T00:00:00Z', to: WINDOW.to, by: 'feature', filters: { feature: 'support' } });
    assert.deepEqual(wide.rows, [{ key: 'support', cost: '6', calls: 5, unpriced_calls: 0, unlinked_cost: '0.4', unlinked_calls: 1, outcomes: 3, successful_outcomes: 1 }]);
  });

  it('outcomes are idempotent by id: the first write and its links win', async () => {
    const s = await fresh();
    await s.insertRecords(ECONOMICS_CALLS);
    assert.deepEqual(await s.economics.insertOutcomes([outcome('O4', { call_ids: ['call-5', 'call-5'], success: true }), outcome('O4', { success: false })]), { inserted: 1 });
    assert.deepEqual(await s.economics.insertOutcomes([outcome('O4', { call_ids: ['call-6'], success: false }), outcome('O9', { trace_id: 'T3' })]), { inserted: 1 });
    const sums = await s.economics.getOutcomeSums({ ...WINDOW, by: 'feature' });
    assert.deepEqual(sums.rows[0], { key: 'search', cost: '1', calls: 2, unpriced_calls: 1, unlinked_cost: '0', unlinked_calls: 1, outcomes: 1, successful_outcomes: 1 });
    assert.deepEqual(await s.economics.insertOutcomes([]), { inserted: 0 });
  });

  it('listOutcomes: the outcomes of a trace by trace id or by an explicit call of it, round-tripped exactly', async () => {
    const s = await fresh();
    await s.insertRecords(ECONOMICS_CALLS);
    await s.economics.insertOutcomes([
      ...ECONOMICS_OUTCOMES,
      outcome('O8', { call_ids: ['call-2', 'call-1'], team: 'search', value_usd: '12.500000000000000001', attributes: { channel: 'email', score: 4.5, vip: true, note: null }, occurred_at: '2026-11-22T19:00:00.000Z' }),
    ]);
    const t1 = await s.economics.listOutcomes({ trace_id: 'T1' });
    assert.deepEqual(t1.map((o) => o.id), ['O8', 'O1', 'O2']);
    assert.deepEqual(t1[0], outcome('O8', { call_ids: ['call-1', 'call-2'], team: 'search', value_usd: '12.500000000000000001', attributes: { channel: 'email', score: 4.5, vip: true, note: null }, occurred_at: '2026-11-22T19:00:00.000Z' }));
    assert.deepEqual(t1[1], { ...ECONOMICS_OUTCOMES[0]!, occurred_at: '2026-11-22T20:00:00.000Z' });
    assert.deepEqual((await s.economics.listOutcomes({ trace_id: 'T1', filters: { team: 'search' } })).map((o) => o.id), ['O8']);
    assert.deepEqual(await s.economics.listOutcomes({ trace_id: 'T-unknown' }), []);
    await assert.rejects(s.economics.listOutcomes({ trace_id: 'T1', limit: 0 }), StoreQueryError);
  });

  it('revenue upserts by customer, period and currency; lists periods overlapping a window', async () => {
    const s = await fresh();
    const nov = { period_start: '2026-11-01T00:00:00.000Z', period_end: '2026-12-01T00:00:00.000Z' };
    await s.economics.upsertRevenue([
      { customer: 'acme', ...nov, amount: '100.50', currency: 'USD' },
      { customer: 'acme', ...nov, amount: '20', currency: 'EUR' },
      { customer: 'beta', period_start: '2026-10-01T00:00:00.000Z', period_end: '2026-11-01T00:00:00.000Z', amount: '10', currency: 'USD' },
    ]);
    // A corrected export replaces the amount, it does not add to it.
    await s.economics.upsertRevenue([{ customer: 'acme', ...nov, amount: '120.250000000000000001', currency: 'USD' }]);
    assert.deepEqual(await s.economics.listRevenue({ from: '2026-11-01T00:00:00Z', to: '2026-12-01T00:00:00Z' }), [
      { customer: 'acme', ...nov, currency: 'EUR', amount: '20' },
      { customer: 'acme', ...nov, currency: 'USD', amount: '120.250000000000000001' },
    ]);
    assert.equal((await s.economics.listRevenue({ from: '2026-10-15T00:00:00Z', to: '2026-11-02T00:00:00Z', customer: 'beta' })).length, 1);
  });

  it('refuses a tag or unknown dimension as a query error', async () => {
    const s = await fresh();
    await assert.rejects(s.economics.getOutcomeSums({ ...WINDOW, by: 'tag:x' as 'feature' }), StoreQueryError);
    await assert.rejects(s.economics.getOutcomeSums({ ...WINDOW, by: 'feature', filters: { 'tag:x': 'y' } }), StoreQueryError);
    await assert.rejects(s.economics.getOutcomeSums({ from: 'soon', to: WINDOW.to, by: 'feature' }), StoreQueryError);
  });
}
