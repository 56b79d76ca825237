/** The unit-economics detectors through the alert pipeline: outcome-cost drift and the margin threshold reach a webhook once. */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { alertServiceFor } from '../../src/alerts/alert-service.js';
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import { startCostrail, type CostrailRuntime } from '../../src/server/costrail-runtime.js';
import type { OutcomeRecord } from '../../src/store/economics-types.js';
import { makeRecord } from '../store/ledger-fixtures.js';
import { tempDir } from '../helpers/temp-dir.js';

const AT = Date.parse('2026-11-29T00:00:00.000Z');
const DAY = 86_400_000;
const HOUR = 3_600_000;

describe('unit-economics alerts', () => {
  let rt: CostrailRuntime;
  const got: string[] = [];
  const hook = http.createServer((req, res) => {
    let b = '';
    req.on('data', (c: Buffer) => (b += c.toString()));
    req.on('end', () => {
      got.push(b);
      res.end();
    });
  });
  before(async () => {
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    rt = await startCostrail({ port: 0, dataDir: tempDir('costrail-econ-alerts-'), quiet: true, upstreams: {} });
    const calls: LedgerRecord[] = [];
    const outcomes: OutcomeRecord[] = [];
    let n = 0;
    const task = (feature: string, customer: string | null, daysBefore: number, cost: string, success: boolean | null) => {
      const i = n++;
      const at = new Date(AT - daysBefore * DAY + i * 1000).toISOString();
      calls.push({ ...makeRecord(i), id: `e-${i}`, started_at: at, ended_at: null, trace_id: `et-${i}`, cost: { ...makeRecord(i).cost!, total: cost }, attribution: { ...makeRecord(i).attribution, feature, customer } });
      if (success !== null) outcomes.push({ id: `eo-${i}`, occurred_at: at, type: 'task', success, trace_id: `et-${i}`, call_ids: [], customer, feature, team: null, value_usd: null, attributes: {} });
    };
    // Same spend per day in both windows ($10 a task, 160 tasks in 28 days, 40 in 7); "looping" goes from 100% to 50% success.
    for (let i = 0; i < 160; i++) task('looping', null, 8 + (i % 27), '10', true);
    for (let i = 0; i < 40; i++) task('looping', null, 1 + (i % 6), '10', i % 2 === 0);
    for (let i = 0; i < 160; i++) task('steady', null, 8 + (i % 27), '10', true);
    for (let i = 0; i < 40; i++) task('steady', null, 1 + (i % 6), '10', true);
    // Customer acme: $50 of AI cost against $100 of revenue over the last 30 days (50% > the 30% default); beta: $20 against $100.
    for (let i = 0; i < 5; i++) task('margin', 'acme', 2 + i, '10', null);
    for (let i = 0; i < 2; i++) task('margin', 'beta', 2 + i, '10', null);
    await rt.store.insertRecords(calls);
    await rt.store.economics.insertOutcomes(outcomes);
    const period = { period_start: new Date(AT - 30 * DAY).toISOString(), period_end: new Date(AT).toISOString(), currency: 'USD' };
    await rt.store.economics.upsertRevenue([{ customer: 'acme', amount: '100', ...period }, { customer: 'beta', amount: '100', ...period }]);
  });
  after(async () => {
    await rt.close();
    await new Promise<void>((r) => hook.close(() => r()));
  });

  it('a feature whose spend is flat while its success rate halves raises exactly one alert through a webhook; a flat one raises none', async () => {
    const res = await fetch(`${rt.url}/api/alert-channels`, { method: 'POST', headers: { authorization: `Bearer ${rt.adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ type: 'webhook', url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/`, kinds: ['outcome_cost_drift'] }) });
    assert.equal(res.status, 201);
    const svc = alertServiceFor(rt.store);
    // Three hourly evaluations and the minutes between: one drift episode, one alert.
    for (let t = AT; t <= AT + 3 * HOUR; t += 20 * 60_000) await svc.tick(t);
    await svc.notifier.drain();
    const alerts = await svc.repo.list({});
    const drift = alerts.filter((a) => a.kind === 'outcome_cost_drift');
    assert.deepEqual(drift.map((a) => a.scope), [{ feature: 'looping' }], JSON.stringify(alerts.map((a) => [a.kind, a.scope])));
    const a = drift[0]!;
    // Baseline $10 per success, now $20 (400 / 20): $10 × 20 successes = $200 over 168 h.
    assert.equal(a.observed, 20);
    assert.equal(a.expected, 10);
    assert.equal(a.detail?.['excess_usd'], '200');
    assert.equal(a.detail?.['excess_usd_per_hour'], 1.190476);
    assert.equal(a.severity, 'warning');
    assert.ok(a.incident_id);
    const opened = got.filter((b) => b.includes('"incident.opened"'));
    assert.equal(opened.length, 1, JSON.stringify(got));
    assert.ok(opened[0]!.includes('looping') && !got.some((b) => b.includes('steady')));
  });

  it('a customer whose AI cost passes the share of its revenue raises one margin_threshold alert', async () => {
    const alerts = await alertServiceFor(rt.store).repo.list({ kind: 'margin_threshold' });
    assert.deepEqual(alerts.map((a) => a.scope), [{ customer: 'acme' }]);
    assert.equal(alerts[0]!.observed, 0.5);
    assert.equal(alerts[0]!.expected, 0.3);
    assert.equal(alerts[0]!.severity, 'warning');
    // $50 − 30% × $100 = $20 over 720 h.
    assert.equal(alerts[0]!.detail?.['excess_usd'], '20');
  });
  it('the backtest (GET /api/anomalies) replays both detectors when outcomes and revenue exist, and skips them when not', async () => {
    const backtest = async (from: number, to: number) => {
      const res = await fetch(`${rt.url}/api/anomalies?from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`, { headers: { authorization: `Bearer ${rt.adminToken}` } });
      assert.equal(res.status, 200);
      return (await res.json()) as { alerts: { kind: string; scope: Record<string, string>; observed: number; expected: number; severity: string; detected_at: string }[]; economics: { outcome_cost_drift: boolean; margin_threshold: boolean; every_minutes: number; warnings: string[] } };
    };
    const replay = await backtest(AT, AT + 3 * HOUR);
    assert.deepEqual(replay.economics, { outcome_cost_drift: true, margin_threshold: true, every_minutes: 60, warnings: [] });
    const economic = replay.alerts.filter((a) => a.kind === 'outcome_cost_drift' || a.kind === 'margin_threshold');
    // One alert per episode, from the first replayed minute, with the figures the live loop raised.
    assert.deepEqual(
      economic.map((a) => [a.kind, a.scope, a.expected, a.severity, a.detected_at]),
      [
        ['outcome_cost_drift', { feature: 'looping' }, 10, 'warning', new Date(AT + 60_000).toISOString()],
        ['margin_threshold', { customer: 'acme' }, 0.3, 'warning', new Date(AT + 60_000).toISOString()],
      ],
    );
    assert.equal(economic[0]!.observed, 20);
    // $50 against the revenue of [AT + 1 min − 30 days, AT + 1 min): one minute less than the whole period, pro rata.
    assert.equal(economic[1]!.observed.toFixed(4), '0.5000');
    // Long before any outcome or revenue: nothing to replay, no economics alert.
    const early = await backtest(Date.parse('2025-01-01T00:00:00Z'), Date.parse('2025-01-01T02:00:00Z'));
    assert.deepEqual(early.economics, { outcome_cost_drift: false, margin_threshold: false, every_minutes: 60, warnings: [] });
    assert.equal(early.alerts.filter((a) => a.kind === 'outcome_cost_drift' || a.kind === 'margin_threshold').length, 0);
  });
});
