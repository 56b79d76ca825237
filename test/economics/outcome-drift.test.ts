/** Cost-per-outcome drift on a synthetic case: a feature whose spend is flat but whose cost per success doubled. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildOutcomeDrift } from '../../src/economics/outcome-drift.js';
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import { startCostrail, type CostrailRuntime } from '../../src/server/costrail-runtime.js';
import type { OutcomeRecord } from '../../src/store/economics-types.js';
import { makeRecord } from '../store/ledger-fixtures.js';
import { tempDir } from '../helpers/temp-dir.js';
import { OutcomeDriftSchema } from '../../src/economics/economics-api-schemas.js';

const AT = '2026-11-29T00:00:00.000Z';
const DAY = 86_400_000;

describe('outcome drift', () => {
  let rt: CostrailRuntime;
  before(async () => {
    rt = await startCostrail({ port: 0, dataDir: tempDir('costrail-drift-'), quiet: true, upstreams: {} });
    const calls: LedgerRecord[] = [];
    const outcomes: OutcomeRecord[] = [];
    let n = 0;
    const task = (feature: string, daysBefore: number, cost: string, success: boolean) => {
      const i = n++;
      const at = new Date(Date.parse(AT) - daysBefore * DAY + i * 1000).toISOString();
      calls.push({ ...makeRecord(i), id: `d-${i}`, started_at: at, ended_at: null, trace_id: `dt-${i}`, cost: { ...makeRecord(i).cost!, total: cost }, attribution: { ...makeRecord(i).attribution, feature } });
      outcomes.push({ id: `do-${i}`, occurred_at: at, type: 'task', success, trace_id: `dt-${i}`, call_ids: [], customer: null, feature, team: null, value_usd: null, attributes: {} });
    };
    // Baseline (28 days before the last 7): $4.00, 40 successes. Current 7 days: $1.00 — the same spend per day — but 5 of 10 succeed.
    for (let i = 0; i < 40; i++) task('looping', 8 + (i % 27), '0.10', true);
    for (let i = 0; i < 10; i++) task('looping', 1 + (i % 6), '0.10', i < 5);
    for (let i = 0; i < 28; i++) task('steady', 8 + (i % 27), '0.05', true);
    for (let i = 0; i < 7; i++) task('steady', 1 + i % 6, '0.05', true);
    for (let i = 0; i < 2; i++) task('tiny', 10, '1', true);
    for (let i = 0; i < 6; i++) task('tiny', 2, '1', true);
    await rt.store.insertRecords(calls);
    await rt.store.economics.insertOutcomes(outcomes);
  });
  after(() => rt.close());

  it('flags the feature whose cost per success doubled at flat spend, and only it', async () => {
    const r = await buildOutcomeDrift(rt.store, { at: AT, window_days: 7, baseline_days: 28, min_successes: 5 });
    assert.deepEqual(r.current, { from: '2026-11-22T00:00:00.000Z', to: AT });
    assert.deepEqual(r.baseline, { from: '2026-10-25T00:00:00.000Z', to: '2026-11-22T00:00:00.000Z' });
    assert.deepEqual(
      r.features.map((f) => [f.feature, f.status, f.baseline_cost_per_successful_outcome, f.current_cost_per_successful_outcome, f.change, f.spend_change_per_day]),
      [
        ['looping', 'drifting', '0.1', '0.2', '1', '0'],
        ['steady', 'stable', '0.05', '0.05', '0', '0'],
        ['tiny', 'insufficient', '1', '1', '0', '11'],
      ],
    );
    assert.equal(r.features[0]!.current_success_rate, '0.5');
    // A higher bar (+150%) does not call a doubling drift.
    assert.equal((await buildOutcomeDrift(rt.store, { at: AT, min_successes: 5, threshold: '1.5' })).features.find((f) => f.feature === 'looping')?.status, 'stable');
    await assert.rejects(buildOutcomeDrift(rt.store, { at: AT, window_days: 0 }), RangeError);
    await assert.rejects(buildOutcomeDrift(rt.store, { at: AT, threshold: '-1' }), RangeError);
  });

  it('GET /api/economics/outcome-drift validates its numbers', async () => {
    const get = (q: string) => fetch(`${rt.url}/api/economics/outcome-drift?${q}`, { headers: { authorization: `Bearer ${rt.adminToken}` } });
    const ok = await get(`at=${AT}&min_successes=5`);
    assert.equal(ok.status, 200);
    const body = (await ok.json()) as { features: { status: string }[] };
    assert.deepEqual(OutcomeDriftSchema.parse(body), body);
    assert.equal(body.features[0]?.status, 'drifting');
    const bad = await get('window_days=seven');
    assert.equal(bad.status, 400);
    await bad.text();
  });
});
