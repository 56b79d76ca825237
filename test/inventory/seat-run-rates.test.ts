/**
 * Seat plans in the one total: run-rates prorated by calendar month, and which card lines are a
 * plan's own charges (its source itself, or its owner paying its vendor in its category).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Decimal } from '../../src/pricing/decimal.js';
import { planChargeTest, prorateMonthly, seatPlans } from '../../src/inventory/seat-run-rates.js';
import type { SpendSource } from '../../src/store/spend-source.js';

const at = (iso: string): number => Date.parse(iso);
const source = (over: Partial<SpendSource>): SpendSource => ({ source_id: 'anysphere/cursor-teams/ap-invoice', vendor: 'Anysphere', product: 'Cursor Teams', category: 'coding_assistant', channel: 'ap_invoice', owner_team: null, owner_person: null, seats_purchased: 10, seats_active: null, billing_model: 'seat', run_rate_usd: '400', renewal_date: null, status: 'sanctioned', ...over });

describe('seat plans', () => {
  it('prorates a monthly run-rate by the part of each calendar month a window covers', () => {
    const rr = Decimal.parse('400');
    assert.equal(prorateMonthly(rr, at('2026-11-01T00:00:00Z'), at('2026-12-01T00:00:00Z')).toString(), '400');
    // 16 of November's 30 days and 15 of December's 31: 213.333333 + 193.548387.
    assert.equal(prorateMonthly(rr, at('2026-11-15T00:00:00Z'), at('2026-12-16T00:00:00Z')).toString(), '406.88172');
    // A leap February: 1 of 29 days.
    assert.equal(prorateMonthly(Decimal.parse('290'), at('2028-02-10T00:00:00Z'), at('2028-02-11T00:00:00Z')).toString(), '10');
    // Two whole months and a year.
    assert.equal(prorateMonthly(rr, at('2026-01-01T00:00:00Z'), at('2027-01-01T00:00:00Z')).toString(), '4800');
  });

  it('counts only sources billed by seat with a run-rate', () => {
    const plans = seatPlans([source({}), source({ source_id: 'a', billing_model: 'usage' }), source({ source_id: 'b', run_rate_usd: null })]);
    assert.deepEqual(plans.map((s) => s.source_id), ['anysphere/cursor-teams/ap-invoice']);
  });

  it("a plan's own charges: its source itself, or its owner paying its vendor in its category", () => {
    const isCharge = planChargeTest([source({ owner_person: 'Dana@acme.example' }), source({ source_id: 'openai/chatgpt-plus/card', vendor: 'OpenAI', product: 'ChatGPT Plus', category: 'chat_assistant', channel: 'card' })]);
    const line = { vendor: 'Anysphere', product: 'Cursor (Pro / Pro+ / Ultra / Teams; usage-based)', category: 'coding_assistant', channel: 'card' };
    assert.equal(isCharge({ ...line, employee: 'dana@acme.example' }), true);
    assert.equal(isCharge({ ...line, employee: 'gus@acme.example' }), false);
    assert.equal(isCharge({ ...line, category: 'chat_assistant', employee: 'dana@acme.example' }), false);
    // A plan recorded on the card source itself: every line of that source is the plan's.
    assert.equal(isCharge({ vendor: 'OpenAI', product: 'ChatGPT Plus', category: 'chat_assistant', channel: 'card', employee: 'anyone@acme.example' }), true);
    assert.equal(isCharge({ vendor: 'OpenAI', product: 'ChatGPT Plus', category: 'chat_assistant', channel: 'expense', employee: 'anyone@acme.example' }), false);
  });
});
