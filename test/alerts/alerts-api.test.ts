import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { alertServiceFor } from '../../src/alerts/alert-service.js';
import { IncidentDetailSchema, IncidentListSchema } from '../../src/alerts/alerts-api-schemas.js';
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import { startCostrail } from '../../src/server/costrail-runtime.js';
import { DuckDbStore } from '../../src/store/embedded/duckdb-store.js';
import { makeRecord } from '../store/ledger-fixtures.js';
import { DAY, HOUR, MIN, rng, weeklyRate } from './synthetic-series.js';
import { tempDir } from '../helpers/temp-dir.js';

const BIN = path.resolve('dist/src/cli/main.js');
const START = Date.UTC(2026, 9, 5); // a Monday
const RUNAWAY = START + 15 * DAY + 3 * HOUR + 7 * MIN; // Tuesday 03:07
const END = START + 15 * DAY + 5 * HOUR;

/** Two teams with a weekly cycle of ~$0.08 calls; then a leaked key spends $120/h for an hour. */
function ledger(): LedgerRecord[] {
  const r = rng(7);
  const out: LedgerRecord[] = [];
  let i = 0;
  for (let t = START; t < END; t += MIN) {
    for (const [team, peak] of [['search', 12], ['support', 6]] as const) {
      const calls = weeklyRate(t, peak) / 60 / 0.08;
      for (let n = Math.floor(calls) + (r() < calls % 1 ? 1 : 0); n > 0; n--) {
        const cost = 0.08 * (0.6 + 0.8 * r());
        out.push(makeRecord(i++, { id: `r${i}`, started_at: new Date(t + 1000 + n).toISOString(), cost: { ...makeRecord(0).cost!, total: cost.toFixed(8) }, attribution: { ...makeRecord(0).attribution, team, customer: null }, key_id: `k-${team}`, trace_id: `t${i}` }));
      }
    }
    if (t >= RUNAWAY && t < RUNAWAY + HOUR) {
      for (let k = 0; k < 10; k++) out.push(makeRecord(i++, { id: `r${i}`, started_at: new Date(t + 2000 + k).toISOString(), cost: { ...makeRecord(0).cost!, total: '0.2' }, attribution: { ...makeRecord(0).attribution, team: 'search', customer: null }, key_id: 'k-leaked', trace_id: `leak-${i}` }));
    }
  }
  return out;
}

describe('alerts end to end on the embedded store', () => {
  const dir = tempDir('costrail-alerts-');
  before(async () => {
    const store = await DuckDbStore.open(dir);
    await store.insertRecords(ledger());
    await store.close();
  });

  it('costrail anomalies --json lists the alerts the detectors would have raised, as if live, grouped into incidents', () => {
    const r = spawnSync(process.execPath, [BIN, 'anomalies', '--from', new Date(START + 14 * DAY).toISOString(), '--to', new Date(END).toISOString(), '--data', dir, '--json'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { alerts: Record<string, unknown>[]; incidents: Record<string, unknown>[] };
    const alerts = out.alerts;
    assert.ok(Array.isArray(alerts) && alerts.length > 0);
    for (const a of alerts) {
      assert.match(String(a['detected_at']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.equal(typeof a['scope'], 'object');
      assert.equal(typeof a['kind'], 'string');
      assert.ok(['info', 'warning', 'critical'].includes(String(a['severity'])));
      assert.equal(typeof a['observed'], 'number');
      assert.equal(typeof a['expected'], 'number');
    }
    const hit = alerts.find((a) => a['kind'] === 'spend_velocity' && JSON.stringify(a['scope']) === JSON.stringify({ team: 'search' }));
    assert.ok(hit, JSON.stringify(alerts.map((a) => [a['detected_at'], a['kind'], a['scope']])));
    const lag = Date.parse(String(hit['detected_at'])) - RUNAWAY;
    assert.ok(lag > 0 && lag <= 10 * MIN, `detected ${lag / MIN} min after the leak started`);
    assert.ok(alerts.some((a) => a['kind'] === 'new_source' && (a['scope'] as Record<string, string>)['key_id'] === 'k-leaked'), 'the leaked key is a new source for team search');
    const before = alerts.filter((a) => Date.parse(String(a['detected_at'])) < RUNAWAY);
    assert.deepEqual(before, [], 'nothing fires on the normal day before');

    // One leaked key: its velocity alerts at every scope and its new-source alert are one incident.
    const leak = alerts.filter((a) => Date.parse(String(a['detected_at'])) < RUNAWAY + HOUR);
    const ids = new Set(leak.map((a) => a['incident_id']));
    assert.equal(ids.size, 1, JSON.stringify(leak.map((a) => [a['kind'], a['scope'], a['incident_id']])));
    const incident = out.incidents.find((i) => i['id'] === [...ids][0]);
    assert.ok(incident, 'the incident is listed');
    assert.equal((incident['root_scope'] as Record<string, string>)['key_id'], 'k-leaked', `the narrowest scope explaining the excess is the leaked key: ${JSON.stringify(incident['root_scope'])}`);
    assert.ok(Number(incident['impact_usd_per_hour']) > 60 && Number(incident['impact_usd_per_hour']) < 250, `impact ${String(incident['impact_usd_per_hour'])} $/h for a $120/h leak`);
    assert.equal((incident['alert_ids'] as string[]).length, leak.length);
  });

  it('the live evaluator opens, notifies, lists, acknowledges and resolves alerts and incidents through the API', async () => {
    const got: string[] = [];
    const hook = http.createServer((req, res) => {
      let b = '';
      req.on('data', (c: Buffer) => (b += c.toString()));
      req.on('end', () => {
        got.push(b);
        res.end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const rt = await startCostrail({ port: 0, dataDir: dir, quiet: true, upstreams: {} });
    const api = async (method: string, p: string, body?: unknown) => {
      const res = await fetch(rt.url + p, { method, headers: { authorization: `Bearer ${rt.adminToken}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: res.status, json: res.status === 204 ? null : ((await res.json()) as Record<string, unknown>) };
    };
    try {
      const ch = await api('POST', '/api/alert-channels', { type: 'webhook', url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/`, secret: 'shh-secret-1', scope: { team: 'search' } });
      assert.equal(ch.status, 201);
      assert.equal(ch.json?.['secret'], '***');
      const bad = await api('POST', '/api/annotations', { scope: { nonsense: 'x' }, from: '2026-10-01T00:00:00Z', to: '2026-10-02T00:00:00Z' });
      assert.equal(bad.status, 400);

      const svc = alertServiceFor(rt.store);
      for (let t = RUNAWAY - 5 * MIN; t <= RUNAWAY + 8 * MIN; t += MIN) await svc.tick(t);
      await svc.notifier.drain();
      const list = await api('GET', '/api/alerts?status=open');
      const open = list.json?.['alerts'] as { id: string; kind: string; scope: Record<string, string>; contributors: { dimension: string; value: string }[] }[];
      const team = open.find((a) => a.kind === 'spend_velocity' && a.scope['team'] === 'search' && Object.keys(a.scope).length === 1);
      assert.ok(team, JSON.stringify(open.map((a) => [a.kind, a.scope])));
      assert.ok(team.contributors.some((c) => c.dimension === 'key_id' && c.value === 'k-leaked'), 'the leaked key is the top contributor');
      assert.ok(got.some((b) => b.includes('"incident.opened"') && b.includes('k-leaked')), 'the team channel got the incident');
      assert.equal(got.filter((b) => b.includes('"incident.opened"')).length, 1, 'one runaway, one opening message on the channel');
      assert.ok(!got.some((b) => b.includes('"team":"support"')), 'routing: the search channel gets nothing about support');
      const incidents = await api('GET', '/api/incidents?status=open');
      const listed = incidents.json?.['incidents'] as { id: string; root_scope: Record<string, string>; alert_ids: string[] }[];
      assert.equal(listed.length, 1, JSON.stringify(listed));
      assert.ok(listed[0]!.alert_ids.includes(team.id));
      const detail = await api('GET', `/api/incidents/${listed[0]!.id}`);
      assert.equal(detail.status, 200);
      // The bodies are what the OpenAPI document says they are.
      IncidentListSchema.parse(incidents.json);
      IncidentDetailSchema.parse(detail.json);
      assert.ok((detail.json?.['alerts'] as { id: string; incident_id: string }[]).every((a) => a.incident_id === listed[0]!.id));
      assert.equal((await api('GET', '/api/incidents/nope')).status, 404);
      const incId = listed[0]!.id;
      assert.equal((await api('POST', `/api/incidents/${incId}/snooze`, { minutes: 0 })).status, 400, 'bad input is refused');
      const snoozed = await api('POST', `/api/incidents/${incId}/snooze`, { minutes: 30, note: 'looking into it' });
      assert.equal(snoozed.status, 200);
      assert.ok(Date.parse(String(snoozed.json?.['snoozed_until'])) > Date.now());
      const noted = await api('POST', `/api/incidents/${incId}/notes`, { text: 'the leaked key is revoked' });
      assert.deepEqual((noted.json?.['notes'] as { text: string }[]).map((n) => n.text), ['looking into it', 'the leaked key is revoked']);
      const before = ((await api('GET', '/api/annotations')).json?.['annotations'] as unknown[]).length;
      const normal = await api('POST', `/api/incidents/${incId}/new-normal`, { days: 1 });
      assert.equal(normal.json?.['status'], 'acknowledged');
      const anns = (await api('GET', '/api/annotations')).json?.['annotations'] as { note: string; scope: Record<string, string>; expected_multiplier: number }[];
      assert.equal(anns.length, before + 1, 'the new normal is an annotation on the root scope');
      const nn = anns.find((a) => a.note.startsWith('new normal:'));
      const memberScopes = (detail.json?.['alerts'] as { kind: string; scope: Record<string, string> }[]).filter((a) => a.kind === 'spend_velocity').map((a) => JSON.stringify(a.scope));
      assert.ok(nn && nn.expected_multiplier > 1 && memberScopes.includes(JSON.stringify(nn.scope)), JSON.stringify(anns));
      assert.equal((await api('POST', '/api/incidents/nope/ack')).status, 404);
      assert.equal((await api('GET', '/api/incidents?status=bogus')).status, 400);

      const ack = await api('POST', `/api/alerts/${team.id}/ack`);
      assert.equal(ack.json?.['status'], 'acknowledged');
      const again = await api('GET', '/api/alerts?status=acknowledged');
      assert.ok((again.json?.['alerts'] as { id: string }[]).some((a) => a.id === team.id));
      const res = await api('POST', `/api/alerts/${team.id}/resolve`);
      assert.equal(res.json?.['status'], 'resolved');
      assert.equal(res.json?.['resolved_by'], 'manual');
      assert.equal((await api('POST', '/api/alerts/nope/ack')).status, 404);

      const f = await api('GET', '/api/forecast?team=search&period=month');
      assert.equal(f.status, 200);
      assert.ok(Number(f.json?.['projected']) >= Number(f.json?.['spent']) && Number(f.json?.['high']) >= Number(f.json?.['low']));
    } finally {
      await rt.close();
      await new Promise<void>((r) => hook.close(() => r()));
    }

    const r = spawnSync(process.execPath, [BIN, 'alerts', 'list', '--data', dir, '--json'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const listed = JSON.parse(r.stdout) as { status: string }[];
    assert.ok(listed.some((a) => a.status === 'resolved'), 'history survives a restart');
    const inc = spawnSync(process.execPath, [BIN, 'alerts', 'incidents', '--data', dir, '--json'], { encoding: 'utf8' });
    assert.equal(inc.status, 0, inc.stderr);
    const incidents = JSON.parse(inc.stdout) as { id: string; notes: { action: string }[] }[];
    assert.equal(incidents.length, 1, 'incidents survive a restart');
    assert.deepEqual(incidents[0]!.notes.map((n) => n.action), ['snooze', 'note', 'new_normal']);
  });
});
