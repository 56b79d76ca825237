import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { AlertTracker } from '../../src/alerts/alert-tracker.js';
import type { Alert, Signal } from '../../src/alerts/alert-types.js';
import { Notifier } from '../../src/alerts/channels/notifier.js';
import { IncidentTracker, type IncidentEvent } from '../../src/alerts/incident-tracker.js';
import type { ChannelConfig } from '../../src/alerts/channels/channel-config.js';

const FAST = { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 };
const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 27, 3, 0);

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/** A loopback receiver; the `/slack-api` path answers like chat.postMessage with a fresh `ts`. */
async function receiver(): Promise<{ base: string; got: Received[]; close: () => Promise<void> }> {
  const got: Received[] = [];
  let n = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({ path: req.url ?? '', headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(req.url === '/slack-api' ? JSON.stringify({ ok: true, ts: `1790000000.00010${++n}` }) : 'ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, got, close: () => new Promise((r) => server.close(() => r())) };
}

function velocity(scope: Record<string, string>, excessPerHour: number, severity: Signal['severity'] = 'warning'): Signal {
  return { scope, kind: 'spend_velocity', severity, observed: excessPerHour / 4 + 1, expected: 1, expected_low: 0.5, expected_high: 2, unit: 'usd', window_minutes: 15, summary: `runaway on ${JSON.stringify(scope)}`, detail: { excess_usd_per_hour: excessPerHour } };
}

/**
 * One runaway of a leaked key seen at five scopes over twenty minutes, escalating, then clearing:
 * what the live loop feeds the alert and incident trackers minute by minute.
 */
function runaway(): { t: number; signals: Signal[] }[] {
  const ticks: { t: number; signals: Signal[] }[] = [];
  for (let m = 0; m < 20; m++) {
    const s: Signal[] = [velocity({ team: 'search' }, 110, m >= 6 ? 'critical' : 'warning')];
    if (m >= 1) s.push(velocity({}, 115, m >= 6 ? 'critical' : 'warning'));
    if (m >= 2) s.push(velocity({ provider: 'openai' }, 112), velocity({ model: 'gpt-4o' }, 108));
    if (m >= 3) s.push(velocity({ key_id: 'k-leaked' }, 105, m >= 6 ? 'critical' : 'warning'));
    if (m === 3) s.push({ scope: { team: 'search', key_id: 'k-leaked' }, kind: 'new_source', severity: 'warning', observed: 30, expected: 0, expected_low: 0, expected_high: 0, unit: 'usd', window_minutes: 60, summary: 'new key' });
    ticks.push({ t: T0 + m * MIN, signals: s });
  }
  for (let m = 20; m < 60; m++) ticks.push({ t: T0 + m * MIN, signals: [] });
  return ticks;
}

async function play(channels: ChannelConfig[]): Promise<{ alerts: Alert[]; events: IncidentEvent[] }> {
  const alerts = new AlertTracker();
  const incidents = new IncidentTracker();
  const notifier = new Notifier({ channels: () => channels, retry: FAST, baseUrl: 'http://costrail.local' });
  const opened: Alert[] = [];
  const events: IncidentEvent[] = [];
  for (const { t, signals } of runaway()) {
    const lifecycle = alerts.apply(signals, t);
    for (const e of lifecycle) if (e.type === 'opened') opened.push(e.alert);
    for (const e of incidents.apply(lifecycle, t)) {
      events.push(e);
      await notifier.notifyIncident(e.type, e.incident, incidents.membersOf(e.incident.id), t);
    }
  }
  await notifier.drain();
  return { alerts: opened, events };
}

describe('incidents: one runaway, one notification thread per channel', () => {
  it('groups the alerts of one leaked key at every scope into one incident rooted at the key', async () => {
    const { alerts, events } = await play([]);
    assert.equal(alerts.length, 6, 'six alerts: org, team, provider, model, key and the new source');
    const ids = new Set(alerts.map((a) => a.incident_id));
    assert.equal(ids.size, 1, 'all in one incident');
    const inc = events[0]!.incident;
    assert.deepEqual(inc.root_scope, { key_id: 'k-leaked' }, 'the key explains most of the excess and is the narrowest scope');
    assert.equal(inc.status, 'resolved');
    assert.equal(inc.severity, 'critical');
    assert.deepEqual(events.map((e) => e.type).filter((t) => t !== 'joined'), ['opened', 'escalated', 'resolved']);
  });

  it('Slack with a bot token: one message, the escalation and resolution reply in its thread; webhook: one incident id', async () => {
    const rx = await receiver();
    try {
      await play([
        { type: 'slack', url: `${rx.base}/slack-api`, token: 'xoxb-test-token', channel: '#finops' },
        { type: 'webhook', url: `${rx.base}/hook`, secret: 'whsec-incident-1' },
        { type: 'slack', url: `${rx.base}/incoming` },
      ]);
    } finally {
      await rx.close();
    }
    const slack = rx.got.filter((r) => r.path === '/slack-api');
    assert.equal(slack.filter((r) => r.body['thread_ts'] === undefined).length, 1, 'one top-level Slack message for the runaway');
    assert.equal(slack[0]!.headers['authorization'], 'Bearer xoxb-test-token');
    assert.equal(slack[0]!.body['channel'], '#finops');
    const replies = slack.slice(1);
    assert.equal(replies.length, 2, 'escalation and resolution follow up');
    assert.ok(replies.every((r) => r.body['thread_ts'] === '1790000000.000101'), 'in the first message\'s thread');

    const hook = rx.got.filter((r) => r.path === '/hook');
    assert.deepEqual(hook.map((r) => r.body['type']), ['incident.opened', 'incident.updated', 'incident.resolved']);
    assert.equal(new Set(hook.map((r) => r.headers['x-costrail-incident'])).size, 1, 'every webhook message carries the same incident id');
    assert.equal((hook[0]!.body['incident'] as { id: string }).id, hook[0]!.headers['x-costrail-incident']);

    assert.equal(rx.got.filter((r) => r.path === '/incoming').length, 1, 'an incoming webhook cannot thread: the opening message only');
  });

  it('a scope-routed channel hears about the incident when any member alert is in its scope', async () => {
    const rx = await receiver();
    try {
      await play([
        { type: 'webhook', url: `${rx.base}/search`, scope: { team: 'search' } },
        { type: 'webhook', url: `${rx.base}/support`, scope: { team: 'support' } },
      ]);
    } finally {
      await rx.close();
    }
    assert.equal(rx.got.filter((r) => r.path === '/search' && r.body['type'] === 'incident.opened').length, 1);
    assert.equal(rx.got.filter((r) => r.path === '/support').length, 0);
  });

  it('two teams running away at once stay two incidents', () => {
    const alerts = new AlertTracker();
    const incidents = new IncidentTracker();
    const events = incidents.apply(alerts.apply([velocity({ team: 'search' }, 80), velocity({ team: 'support' }, 60)], T0), T0);
    assert.equal(events.filter((e) => e.type === 'opened').length, 2);
  });
});
