import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runBacktest } from '../../src/alerts/backtest.js';
import { annotationFromInput } from '../../src/alerts/annotation.js';
import { forecastPeriod } from '../../src/alerts/forecast.js';
import { BucketSeries } from '../../src/alerts/scope-series.js';
import { buildSeries, DAY, HOUR, MIN, normalMinute, T0, weeklyRate } from './synthetic-series.js';

const WEEKS = 5;
const END = T0 + WEEKS * 7 * DAY;
const EVAL_FROM = END - 7 * DAY;
const scope = { team: 'search' };

function scenario(extra?: (t: number) => number, seed = 3) {
  const base = normalMinute(60, new Map());
  return buildSeries(scope, T0, END, (t, r) => {
    const b = base(t, r);
    const add = extra?.(t) ?? 0;
    return { ...b, cost: b.cost + add, requests: b.requests + (add > 0 ? Math.round(add / 0.05) : 0), tokens: b.tokens + (add > 0 ? Math.round(add / 0.05) * 3000 : 0) };
  }, seed);
}

describe('spend velocity on a seasonal baseline', () => {
  it('raises nothing over a normal week of a weekly cycle (nights, weekends, day-to-day noise)', async () => {
    for (const seed of [3, 4, 5]) {
      const alerts = await runBacktest({ scopes: [scenario(undefined, seed)], annotations: [] }, { fromMs: EVAL_FROM, toMs: END });
      assert.deepEqual(alerts.map((a) => `${a.kind} ${new Date(a.detected_at).toISOString()}`), [], `seed ${seed}`);
    }
  });

  it('catches a runaway adding $60/h at night within minutes, saying how far above normal', async () => {
    const start = EVAL_FROM + 2 * DAY + 3 * HOUR; // Wednesday 03:00, a quiet hour
    const alerts = await runBacktest({ scopes: [scenario((t) => (t >= start && t < start + 2 * HOUR ? 1 : 0))], annotations: [] }, { fromMs: EVAL_FROM, toMs: END });
    const v = alerts.filter((a) => a.kind === 'spend_velocity');
    assert.equal(v.length, 1, 'one alert for the whole incident (de-duplicated)');
    const a = v[0]!;
    assert.ok(a.detected_at > start && a.detected_at <= start + 10 * MIN, `detected ${(a.detected_at - start) / MIN} min after the start`);
    assert.deepEqual(a.scope, scope);
    assert.ok(a.observed > a.expected_high && a.expected < a.observed / 2);
    assert.ok(a.resolved_at !== null && a.resolved_at > start + 2 * HOUR, 'resolves itself after the runaway stops');
    assert.match(a.link, /^\/#\/explorer\?.*team=search/);
  });

  it('catches a daytime runaway that doubles peak spend', async () => {
    const start = EVAL_FROM + 1 * DAY + 14 * HOUR; // Tuesday 14:00, near the peak
    const add = weeklyRate(start, 60) / 60; // +100 % of peak
    const alerts = await runBacktest({ scopes: [scenario((t) => (t >= start && t < start + HOUR ? add : 0))], annotations: [] }, { fromMs: EVAL_FROM, toMs: END });
    const a = alerts.find((x) => x.kind === 'spend_velocity');
    assert.ok(a && a.detected_at - start <= 20 * MIN, `detected after ${a ? (a.detected_at - start) / MIN : 'never'} min`);
  });

  it('stays quiet on an annotated 3x launch, and alerts on the same launch unannotated', async () => {
    const start = EVAL_FROM + 2 * DAY + 9 * HOUR;
    const launch = (t: number) => (t >= start && t < start + 8 * HOUR ? (2 * weeklyRate(t, 60)) / 60 : 0);
    const series = scenario(launch);
    const annotation = annotationFromInput('a1', { scope, from: new Date(start - HOUR).toISOString(), to: new Date(start + 8 * HOUR).toISOString(), note: 'launch', expected_multiplier: 3 });
    const quiet = await runBacktest({ scopes: [series], annotations: [annotation] }, { fromMs: EVAL_FROM, toMs: END });
    assert.deepEqual(quiet.filter((a) => a.kind === 'spend_velocity').map((a) => new Date(a.detected_at).toISOString()), []);
    const loud = await runBacktest({ scopes: [scenario(launch)], annotations: [] }, { fromMs: EVAL_FROM, toMs: END });
    assert.ok(loud.some((a) => a.kind === 'spend_velocity' && a.detected_at >= start && a.detected_at < start + 2 * HOUR));
  });

  it('widens a wider scope by the annotated scope\'s extra spend only', async () => {
    const start = EVAL_FROM + 2 * DAY + 9 * HOUR;
    const feature = { team: 'search', feature: 'answer' };
    const f = buildSeries(feature, T0, END, normalMinute(30, new Map()), 8);
    const other = buildSeries({ team: 'search', feature: 'rerank' }, T0, END, normalMinute(30, new Map()), 9);
    const team = buildSeries(scope, T0, END, (t) => {
      const i = f.minutes.indexOf(t);
      const runaway = t >= start + 4 * HOUR && t < start + 5 * HOUR ? 1.5 : 0;
      const launch = t >= start && t < start + 8 * HOUR ? 2 * f.minutes.at('cost', i) : 0;
      return { cost: f.minutes.at('cost', i) + other.minutes.at('cost', i) + launch + runaway, requests: 10, tokens: 0, errors: 0 };
    });
    const ann = annotationFromInput('a', { scope: feature, from: new Date(start).toISOString(), to: new Date(start + 8 * HOUR).toISOString(), expected_multiplier: 3 });
    const alerts = await runBacktest({ scopes: [team, f], annotations: [ann] }, { fromMs: EVAL_FROM, toMs: END });
    const onTeam = alerts.filter((a) => a.kind === 'spend_velocity' && a.scope['feature'] === undefined);
    assert.equal(onTeam.length, 1, 'the launch is expected on the team, a $90/h runaway inside it is not');
    assert.ok(onTeam[0]!.detected_at >= start + 4 * HOUR);
  });
});

describe('drift, storms, new sources', () => {
  it('flags cost per request doubling (a model swap) but not a steady state', async () => {
    const swap = EVAL_FROM + 3 * DAY + 10 * HOUR;
    const base = normalMinute(60, new Map());
    const s = buildSeries(scope, T0, END, (t, r) => {
      const b = base(t, r);
      return t >= swap ? { ...b, cost: b.cost * 4 } : b;
    });
    const alerts = await runBacktest({ scopes: [s], annotations: [] }, { fromMs: EVAL_FROM, toMs: END });
    const drift = alerts.find((a) => a.kind === 'cost_per_request_drift');
    assert.ok(drift && drift.detected_at > swap && drift.detected_at < swap + HOUR, 'drift seen within the hour');
    assert.ok(drift.observed >= 2 * drift.expected, 'fires once the hour\'s calls cost twice the usual');
  });

  it('flags a trace making calls in a loop and a model new to a team', async () => {
    const trace = new BucketSeries(EVAL_FROM - HOUR, MIN, 8 * 24 * 60);
    const loopAt = EVAL_FROM + DAY;
    for (let t = loopAt; t < loopAt + 20 * MIN; t += MIN) trace.add(t, { cost: 0.5, requests: 12 });
    const sightings = [
      { scope: { team: 'search' }, source: 'model', value: 'o3', first_seen: EVAL_FROM + 2 * DAY, scope_first_seen: T0, first_hour_cost: 40 },
      { scope: { team: 'newbie' }, source: 'model', value: 'o3', first_seen: EVAL_FROM + 2 * DAY, scope_first_seen: EVAL_FROM + DAY, first_hour_cost: 40 },
    ];
    const alerts = await runBacktest({ scopes: [], traces: new Map([['tr-1', trace]]), sightings, annotations: [] }, { fromMs: EVAL_FROM, toMs: END });
    const storm = alerts.find((a) => a.kind === 'retry_storm');
    assert.ok(storm && storm.detected_at <= loopAt + 5 * MIN);
    assert.deepEqual(storm.scope, { trace_id: 'tr-1' });
    const news = alerts.filter((a) => a.kind === 'new_source');
    assert.deepEqual(news.map((a) => a.scope), [{ team: 'search', model: 'o3' }], 'a team one day old has no "never seen" yet');
    assert.equal(news[0]!.detected_at, EVAL_FROM + 2 * DAY + MIN);
  });
});

describe('forecast', () => {
  it('projects a month of a steady weekly cycle close to its actual total, inside the interval', () => {
    const from = Date.UTC(2026, 4, 1);
    const to = Date.UTC(2026, 6, 1);
    const hours = new BucketSeries(from, HOUR, (to - from) / HOUR);
    for (let t = from; t < to; t += HOUR) hours.add(t, { cost: weeklyRate(t + 30 * MIN, 10) });
    const now = Date.UTC(2026, 5, 10, 12);
    const f = forecastPeriod(hours, now, 'month');
    const actual = hours.sum('cost', hours.indexOf(Date.UTC(2026, 5, 1)), hours.indexOf(to));
    assert.equal(f.method, 'seasonal');
    assert.ok(f.low <= actual && actual <= f.high, `${f.low} ≤ ${actual} ≤ ${f.high}`);
    assert.ok(Math.abs(f.projected - actual) / actual < 0.05);
    assert.equal(f.period_end, '2026-07-01T00:00:00.000Z');
  });
});
