import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AlertTracker } from '../../src/alerts/alert-tracker.js';
import type { Signal } from '../../src/alerts/alert-types.js';

const MIN = 60_000;
const sig = (over: Partial<Signal> = {}): Signal => ({
  scope: { team: 'search' },
  kind: 'spend_velocity',
  severity: 'warning',
  observed: 10,
  expected: 2,
  expected_low: 1,
  expected_high: 4,
  unit: 'usd',
  window_minutes: 5,
  summary: 's',
  ...over,
});

describe('alert lifecycle', () => {
  it('opens once per (scope, kind), escalates, resolves itself once clear, then cools down', () => {
    let n = 0;
    const tr = new AlertTracker({ clearAfterMinutes: 30, cooldownMinutes: 60, clearAfterByKind: {} }, () => `a${++n}`);
    const t0 = 1_000 * MIN;
    assert.deepEqual(tr.apply([sig(), sig({ scope: { team: 'support' } }), sig({ kind: 'cost_per_request_drift' })], t0).map((e) => e.type), ['opened', 'opened', 'opened']);
    assert.deepEqual(tr.apply([sig({ observed: 12 })], t0 + MIN), [], 'same scope and kind: no second alert');
    const esc = tr.apply([sig({ severity: 'critical', observed: 50 })], t0 + 2 * MIN);
    assert.deepEqual(esc.map((e) => [e.type, e.alert.id, e.alert.severity, e.alert.peak_observed]), [['escalated', 'a1', 'critical', 50]]);
    // search keeps firing until t0+10; the others stopped at t0.
    for (let t = t0 + 3 * MIN; t <= t0 + 10 * MIN; t += MIN) tr.apply([sig()], t);
    const at30 = tr.apply([], t0 + 30 * MIN);
    assert.deepEqual(at30.map((e) => [e.type, e.alert.id, e.alert.resolved_by]).sort(), [['resolved', 'a2', 'auto'], ['resolved', 'a3', 'auto']]);
    assert.deepEqual(tr.apply([], t0 + 40 * MIN).map((e) => e.alert.id), ['a1']);
    assert.deepEqual(tr.apply([sig()], t0 + 60 * MIN), [], 'cool-down: no new alert within the hour after resolution');
    assert.deepEqual(tr.apply([sig()], t0 + 101 * MIN).map((e) => [e.type, e.alert.id]), [['opened', 'a4']]);
  });

  it('acknowledged alerts stay de-duplicated; a manual resolve closes them', () => {
    const tr = new AlertTracker(undefined, () => 'x');
    const [opened] = tr.apply([sig()], 0);
    assert.equal(tr.acknowledge('x', MIN)?.status, 'acknowledged');
    assert.deepEqual(tr.apply([sig()], 2 * MIN), []);
    const r = tr.resolve('x', 3 * MIN);
    assert.deepEqual([r?.status, r?.resolved_by, r?.acknowledged_at], ['resolved', 'manual', MIN]);
    assert.equal(opened?.alert.id, 'x');
    assert.equal(tr.active().length, 0);
    assert.equal(tr.resolve('nope', 0), null);
  });
});
