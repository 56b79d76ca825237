import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Alert } from '../../src/alerts/alert-types.js';
import type { Annotation } from '../../src/alerts/annotation.js';
import { runBacktest } from '../../src/alerts/backtest.js';
import { IncidentTracker } from '../../src/alerts/incident-tracker.js';
import { newNormalAnnotation } from '../../src/alerts/new-normal.js';
import { buildSeries, DAY, HOUR, normalMinute, T0 } from './synthetic-series.js';

const END = T0 + 35 * DAY;
const EVAL_FROM = END - 7 * DAY;
const LAUNCH = EVAL_FROM + DAY + 10 * HOUR;

/** A team whose spend steps up 2.5× for good at the launch (a legitimate change, not a runaway). */
function launched() {
  const base = normalMinute(60, new Map());
  return buildSeries({ team: 'search' }, T0, END, (t, r) => {
    const b = base(t, r);
    const k = t >= LAUNCH ? 2.5 : 1;
    return { ...b, cost: b.cost * k, requests: Math.round(b.requests * k), tokens: b.tokens * k };
  }, 4);
}

async function replay(acknowledge: boolean): Promise<Alert[]> {
  const annotations: Annotation[] = [];
  const incidents = new IncidentTracker();
  const opened: Alert[] = [];
  await runBacktest({ scopes: [launched()], annotations }, {
    fromMs: EVAL_FROM,
    toMs: END,
    onEvents: (events, t) => {
      for (const e of events) if (e.type === 'opened') opened.push(e.alert);
      for (const e of incidents.apply(events, t)) {
        // The operator says "this is the new normal" when the launch's first incident opens.
        if (acknowledge && e.type === 'opened' && annotations.length === 0) annotations.push(newNormalAnnotation('nn-1', e.incident, incidents.membersOf(e.incident.id), t));
      }
    },
  });
  return opened.filter((a) => a.kind === 'spend_velocity');
}

test('a launch alerts once; acknowledged as the new normal, it becomes the baseline instead of alerting again', async () => {
  const quiet = await replay(true);
  assert.ok(quiet.length >= 1 && quiet[0]!.detected_at >= LAUNCH && quiet[0]!.detected_at < LAUNCH + HOUR, 'the step is news');
  assert.equal(quiet.length, 1, `one alert after the acknowledgement, got ${quiet.map((a) => new Date(a.detected_at).toISOString()).join(', ')}`);
  const loud = await replay(false);
  assert.ok(loud.length > 1, 'without the acknowledgement the same launch keeps alerting');
});
