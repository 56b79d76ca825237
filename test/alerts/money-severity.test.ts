import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runBacktest } from '../../src/alerts/backtest.js';
import { newSourceSignals, DEFAULT_NEW_SOURCE } from '../../src/alerts/detectors/new-source.js';
import { SeriesBuilder } from '../../src/alerts/series-builder.js';
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import { makeRecord } from '../store/ledger-fixtures.js';
import { buildSeries, DAY, HOUR, MIN, rng, T0 } from './synthetic-series.js';

const END = T0 + 35 * DAY;
const EVAL_FROM = END - 7 * DAY;
const AT = EVAL_FROM + 2 * DAY + 14 * HOUR + 3 * MIN;

/** A low-volume team: ~6 calls an hour, log-normal per-call cost with a long tail (median $0.02). */
function lowVolume(extra: (t: number) => number[]) {
  return buildSeries({ team: 'tiny' }, T0, END, (t, r) => {
    let cost = 0;
    let requests = 0;
    if (r() < 0.1) {
      const z = Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
      cost += 0.02 * Math.exp(1.2 * z);
      requests++;
    }
    for (const c of extra(t)) {
      cost += c;
      requests++;
    }
    return { cost, requests, tokens: requests * 1000, errors: 0 };
  }, 11);
}

describe('severity by money', () => {
  it('two $1.40 calls landing in one five-minute window of a low-volume team raise nothing', async () => {
    const alerts = await runBacktest({ scopes: [lowVolume((t) => (t === AT || t === AT + 2 * MIN ? [1.4] : []))], annotations: [] }, { fromMs: EVAL_FROM, toMs: END });
    assert.deepEqual(alerts.map((a) => [a.kind, a.severity, a.summary]), []);
  });

  it('one $40 call is at most a warning: a single call is never critical unless it alone costs the critical amount', async () => {
    const alerts = await runBacktest({ scopes: [lowVolume((t) => (t === AT ? [40] : []))], annotations: [] }, { fromMs: EVAL_FROM, toMs: END });
    assert.ok(alerts.length >= 1, 'a $40 call in a scope spending cents an hour is worth a look');
    assert.ok(alerts.every((a) => a.severity !== 'critical'), JSON.stringify(alerts.map((a) => [a.kind, a.severity])));
  });

  it('a real runaway in the same scope ($300/h of $2.50 calls) is caught within minutes and becomes critical', async () => {
    const alerts = await runBacktest({ scopes: [lowVolume((t) => (t >= AT && t < AT + 90 * MIN ? [2.5, 2.5] : []))], annotations: [] }, { fromMs: EVAL_FROM, toMs: END });
    const v = alerts.find((a) => a.kind === 'spend_velocity');
    assert.ok(v && v.detected_at - AT <= 5 * MIN, `detected ${v ? (v.detected_at - AT) / MIN : 'never'} min after start`);
    assert.equal(v.severity, 'critical', 'escalated once the hour had lost the critical amount');
  });
});

describe('retry and error storms from status codes', () => {
  it("the demo's planted storm (one trace, 400 calls in 90 min, 188 answered 429 and 97 answered 500) raises retry_storm and error_storm", async () => {
    const start = EVAL_FROM + DAY + 15 * HOUR;
    const r = rng(5);
    const records: LedgerRecord[] = [];
    const statuses = [...Array<number>(188).fill(429), ...Array<number>(97).fill(500), ...Array<number>(115).fill(200)].sort(() => r() - 0.5);
    statuses.forEach((code, i) => {
      const at = start + Math.floor((i / 400) * 90 * MIN);
      const base = makeRecord(i);
      records.push(
        makeRecord(i, {
          id: `storm-${i}`,
          started_at: new Date(at).toISOString(),
          trace_id: 'storm-trace',
          key_id: 'key-platform-bot',
          status: code === 200 ? 'ok' : 'error',
          http_status: code,
          cost: code === 200 ? { ...base.cost!, total: '0.31' } : null,
        }),
      );
    });
    const builder = new SeriesBuilder({ dimensions: ['key_id'], fromMs: EVAL_FROM - 7 * DAY, minuteFromMs: EVAL_FROM - 7 * DAY, toMs: END, topK: 50, traceWatchRequests: 20, newSourceScopes: [], newSourceDimensions: [] });
    for (const rec of records) builder.add(rec);
    const alerts = await runBacktest({ ...builder.build(), sightings: [], annotations: [] }, { fromMs: EVAL_FROM, toMs: EVAL_FROM + 2 * DAY });
    const retry = alerts.find((a) => a.kind === 'retry_storm');
    assert.ok(retry, JSON.stringify(alerts.map((a) => [a.kind, a.scope])));
    assert.deepEqual(retry.scope, { trace_id: 'storm-trace' });
    assert.ok(retry.detected_at - start <= 30 * MIN);
    assert.match(retry.summary, /paid, \d+ of them failed/);
    const errorScopes = alerts.filter((a) => a.kind === 'error_storm').map((a) => a.scope);
    assert.ok(errorScopes.some((s) => s['trace_id'] === 'storm-trace'), `per trace: ${JSON.stringify(errorScopes)}`);
    assert.ok(errorScopes.some((s) => s['key_id'] === 'key-platform-bot'), `per key: ${JSON.stringify(errorScopes)}`);
  });
});

describe('new sources matter in money, and are summarised', () => {
  const old = T0;
  const at = T0 + 20 * DAY;
  const pair = (customer: string, key: string, cost: number) => ({ scope: { customer }, source: 'key_id', value: key, first_seen: at, scope_first_seen: old, first_hour_cost: cost });

  it('twelve new customer × key pairs worth cents raise nothing', () => {
    const sightings = Array.from({ length: 12 }, (_, i) => pair(`c${i}`, `k${i}`, 0.0035));
    assert.deepEqual(newSourceSignals(sightings, at, at + MIN, DEFAULT_NEW_SOURCE), []);
  });

  it('several that matter become one summarised alert, not one each', () => {
    const sightings = [pair('acme', 'k1', 30), pair('globex', 'k2', 12.5), pair('hooli', 'k3', 2), pair('stark', 'k4', 0.01)];
    const out = newSourceSignals(sightings, at, at + MIN, DEFAULT_NEW_SOURCE);
    assert.equal(out.length, 1);
    assert.equal(out[0]!.severity, 'warning');
    assert.match(out[0]!.summary, /^3 new customer × key_id pairs, \$44\.50 in all/);
  });

  it("a floor relative to the parent scope's spend: $2 is news for a scope spending $5/h, not for one spending $400/h", () => {
    const s = [pair('acme', 'k1', 2)];
    assert.equal(newSourceSignals(s, at, at + MIN, DEFAULT_NEW_SOURCE, () => 5).length, 1);
    assert.equal(newSourceSignals(s, at, at + MIN, DEFAULT_NEW_SOURCE, () => 400).length, 0);
  });
});
