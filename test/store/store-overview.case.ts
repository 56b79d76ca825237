/**
 * Conformance for Store.getOverview: every part equals what the matching getSpend query answers
 * (rows, order and totals), whichever way the engine computes it (the embedded store asks one
 * grouping-sets query over its rollup; PostgreSQL composes getSpend calls).
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { overviewFromSpend } from '../../src/store/spend-overview.js';
import { StoreQueryError, type OverviewQuery, type Store } from '../../src/store/store.js';
import { records } from './store-rollup.case.js';

const T0 = Date.UTC(2026, 9, 28, 21, 0, 0);
const iso = (ms: number): string => new Date(ms).toISOString();
const HOUR = 3_600_000;
const NOW = T0 + 80 * HOUR + 17 * 60_000 + 3000;

const base: OverviewQuery = {
  tz: 'America/New_York',
  stack_by: 'provider',
  chart_from: '2026-10-29T04:00:00Z',
  top_from: '2026-10-31T04:00:00Z',
  top_by: ['team', 'feature', 'customer', 'model'],
  windows: {
    last_hour: { from: iso(NOW - HOUR), to: iso(NOW) },
    same_hour_last_week: { from: iso(NOW - 7 * 24 * HOUR - HOUR), to: iso(NOW - 7 * 24 * HOUR) },
    same_days_last_month: { from: '2026-10-29T04:00:00Z', to: iso(NOW - 40 * HOUR + 11 * 60_000) },
  },
};

export function overviewConformance(fresh: () => Promise<Store>): void {
  it('getOverview: each part equals its getSpend answer (zones, off-hour windows, filters, tags)', async () => {
    const store = await fresh();
    const recs = records('ov', 300, T0);
    await store.insertRecords(recs.map((r, i) => (i % 5 === 0 ? { ...r, tags: { experiment: i % 2 ? 'a' : 'b' } } : r)));
    const cases: OverviewQuery[] = [
      base,
      { ...base, tz: 'UTC', stack_by: 'model', to: iso(NOW) },
      { ...base, tz: 'Asia/Kolkata' },
      { ...base, filters: { team: 'search' } },
      { ...base, filters: { team: null }, top_by: ['model', 'tag:experiment'] },
      { ...base, stack_by: 'team', top_by: ['team'], windows: {} },
      { ...base, top_by: ['customer'] },
    ];
    for (const q of cases) {
      const got = await store.getOverview(q);
      assert.deepEqual(got, await overviewFromSpend(store, q), JSON.stringify(q));
    }
    const got = await store.getOverview(base);
    assert.ok(got.daily.rows.length > 3 && Number(got.windows.last_hour!.requests) > 0 && got.top.customer!.rows.some((r) => r.groups.customer === null));
    assert.ok(Number(got.windows.same_hour_last_week!.requests) === 0);
    const probe = store as Store & { lastSpendFromRollup?: boolean; kind: string };
    if (probe.kind === 'embedded') assert.equal(probe.lastSpendFromRollup, true, 'the embedded overview reads the rollup when it covers the query');

    await assert.rejects(store.getOverview({ ...base, top_by: ['team', 'team'] }), StoreQueryError);
    await assert.rejects(store.getOverview({ ...base, stack_by: 'colour' }), StoreQueryError);
    await assert.rejects(store.getOverview({ ...base, chart_from: 'last tuesday' }), StoreQueryError);
    await assert.rejects(store.getOverview({ ...base, windows: { 'Bad Name': { from: base.chart_from, to: base.top_from } } }), StoreQueryError);
  });
}
