/**
 * Budget periods in a time zone: windows from the period unit test, and a live rollover at local
 * midnight in New York through the gateway with an injected clock.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { periodWindow } from '../../src/policy/budget-period.js';
import { toPico, picoToUsd } from '../../src/policy/money-units.js';
import { CHAT, startRig } from './policy-test-kit.js';

const iso = (ms: number) => new Date(ms).toISOString();
const win = (period: 'hour' | 'day' | 'week' | 'month' | 'total', timezone: string, at: string, fiscal = 1) => {
  const w = periodWindow({ period, timezone, fiscal_month_start_day: fiscal }, Date.parse(at));
  return [iso(w.start), Number.isFinite(w.end) ? iso(w.end) : 'never'];
};

describe('periodWindow', () => {
  it('days start at local midnight, including across a DST change (a 25-hour day)', () => {
    assert.deepEqual(win('day', 'America/New_York', '2026-11-27T04:59:59.999Z'), ['2026-11-26T05:00:00.000Z', '2026-11-27T05:00:00.000Z']);
    assert.deepEqual(win('day', 'America/New_York', '2026-11-27T05:00:00.000Z'), ['2026-11-27T05:00:00.000Z', '2026-11-28T05:00:00.000Z']);
    // 1 November 2026: clocks go back at 02:00 EDT, so the day lasts 25 hours.
    assert.deepEqual(win('day', 'America/New_York', '2026-11-01T12:00:00Z'), ['2026-11-01T04:00:00.000Z', '2026-11-02T05:00:00.000Z']);
  });

  it('weeks start Monday 00:00 local; hours follow the zone offset (India, +05:30)', () => {
    assert.deepEqual(win('week', 'Asia/Tokyo', '2026-11-29T14:59:59Z'), ['2026-11-22T15:00:00.000Z', '2026-11-29T15:00:00.000Z']);
    assert.deepEqual(win('hour', 'Asia/Kolkata', '2026-11-27T10:15:00Z'), ['2026-11-27T09:30:00.000Z', '2026-11-27T10:30:00.000Z']);
  });

  it('months start on the fiscal start day, wrapping the year', () => {
    assert.deepEqual(win('month', 'Europe/Berlin', '2026-11-27T12:00:00Z'), ['2026-10-31T23:00:00.000Z', '2026-11-30T23:00:00.000Z']);
    assert.deepEqual(win('month', 'Europe/Berlin', '2026-01-10T12:00:00Z', 15), ['2025-12-14T23:00:00.000Z', '2026-01-14T23:00:00.000Z']);
    assert.deepEqual(win('month', 'UTC', '2026-12-20T00:00:00Z', 15), ['2026-12-15T00:00:00.000Z', '2027-01-15T00:00:00.000Z']);
    assert.deepEqual(win('total', 'UTC', '2026-12-20T00:00:00Z'), ['1970-01-01T00:00:00.000Z', 'never']);
  });
});

describe('rollover at local midnight (America/New_York) with an injected clock', () => {
  it('refuses at 23:59:59 local once the day is spent, admits again at 00:00 with a fresh period', async () => {
    let now = Date.parse('2026-11-27T04:59:58.000Z'); // 23:59:58 in New York
    const rig = await startRig({ clock: () => now });
    try {
      const probe = await rig.chat(CHAT, { 'x-costrail-team': 'probe' });
      const one = toPico(probe.headers['x-costrail-cost'] as string);
      const created = await rig.api<{ resets_at: string; period_start: string }>('POST', '/api/budgets', { id: 'ny-daily', name: 'ny daily', scope: { team: 'ny' }, period: 'day', timezone: 'America/New_York', limit_usd: picoToUsd((one * 3n) / 2n) });
      assert.equal(created.body.resets_at, '2026-11-27T05:00:00.000Z');
      assert.equal(created.body.period_start, '2026-11-26T05:00:00.000Z');

      assert.equal((await rig.chat(CHAT, { 'x-costrail-team': 'ny' })).status, 200);
      now = Date.parse('2026-11-27T04:59:59.000Z');
      const refused = await rig.chat(CHAT, { 'x-costrail-team': 'ny' });
      assert.equal(refused.status, 429);
      assert.match(JSON.stringify(refused.body), /resets at 2026-11-27T05:00:00.000Z/, 'the refusal names local midnight');
      assert.equal(refused.headers['x-should-retry'], 'false', 'a budget refusal is not retryable, even a second before it resets');

      now = Date.parse('2026-11-27T05:00:00.000Z'); // 00:00:00 in New York
      assert.equal((await rig.chat(CHAT, { 'x-costrail-team': 'ny' })).status, 200);
      const b = (await rig.api<{ spent: string; period_start: string; resets_at: string }>('GET', '/api/budgets/ny-daily')).body;
      assert.equal(b.period_start, '2026-11-27T05:00:00.000Z');
      assert.equal(b.resets_at, '2026-11-28T05:00:00.000Z');
      assert.equal(toPico(b.spent), one, 'the new day holds only the call made after midnight');
    } finally {
      await rig.close();
    }
  });
});
