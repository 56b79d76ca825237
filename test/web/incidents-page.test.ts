/**
 * Issue 17 in a browser: the Incidents page lists an incident with its root scope and $/h, its
 * detail shows the timeline of its alerts and contributors, and its actions (note, new normal)
 * go through the API.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { alertServiceFor } from '../../src/alerts/alert-service.js';
import { AlertTracker } from '../../src/alerts/alert-tracker.js';
import type { Signal } from '../../src/alerts/alert-types.js';
import { IncidentTracker, type Incident } from '../../src/alerts/incident-tracker.js';
import { chromiumAvailable, openBrowser, type Browser } from './browser.js';
import { startDashboardEnv, type DashboardEnv } from './dashboard-env.js';

const skip = !chromiumAvailable() && process.env['CI'] !== 'true' ? 'no Chromium at /usr/bin/chromium' : false;

function velocity(scope: Record<string, string>, excess: number): Signal {
  return { scope, kind: 'spend_velocity', severity: 'critical', observed: excess / 4 + 2, expected: 2, expected_low: 1, expected_high: 3, unit: 'usd', window_minutes: 15, summary: `Spend on ${JSON.stringify(scope)} ran at $${excess}/h above normal.`, detail: { excess_usd_per_hour: excess } };
}

describe('incidents page', { skip }, () => {
  let env: DashboardEnv;
  let browser: Browser;
  let page: Page;
  let incident: Incident;

  before(async () => {
    env = await startDashboardEnv({ demoCalls: 10, history: 300 });
    const t = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000;
    const alerts = new AlertTracker();
    const incidents = new IncidentTracker();
    const lifecycle = alerts.apply([velocity({}, 130), velocity({ team: 'search' }, 125), velocity({ key_id: 'k-leaked' }, 120)], t);
    lifecycle[2]!.alert.contributors = [{ dimension: 'model', value: 'o3', cost: '20.5', requests: 51 }];
    incident = incidents.apply(lifecycle, t)[0]!.incident;
    const repo = alertServiceFor(env.rt.store).repo;
    for (const e of lifecycle) await repo.save(e.alert);
    await repo.saveIncident(incident);
    browser = await openBrowser();
    page = browser.page;
    await page.goto(`${env.rt.url}/?token=${encodeURIComponent(env.rt.adminToken)}`);
    await page.locator('[data-testid="who"]').waitFor();
  });
  after(async () => {
    await browser?.close();
    await env?.close();
  });

  test('lists the incident once for its three alerts, rooted at the leaked key, and shows its timeline and contributors', async () => {
    await page.locator('[data-testid="nav-incidents"]').click();
    const rows = page.locator('[data-testid="incident-row"]');
    await rows.first().waitFor();
    assert.equal(await rows.count(), 1);
    assert.match((await rows.first().textContent()) ?? '', /key_id=k-leaked|k-leaked/);
    await rows.first().locator('a').click();
    const detail = page.locator('[data-testid="incident-detail"]');
    await detail.waitFor();
    assert.match((await page.locator('[data-testid="incident-root"]').textContent()) ?? '', /k-leaked/);
    assert.equal(await page.locator('[data-testid="incident-timeline"] li').count(), 3);
    assert.match((await page.locator('[data-testid="incident-contributors"]').textContent()) ?? '', /o3/);
    assert.match((await page.locator('[data-testid="incident-calls"]').getAttribute('href')) ?? '', /f\.key_id=k-leaked/);
  });

  test('a note and "this is the new normal" go through the API', async () => {
    await page.goto(`${env.rt.url}/#/incidents?id=${incident.id}`);
    await page.locator('[data-testid="incident-detail"]').waitFor();
    await page.locator('[data-testid="incident-note-input"]').fill('revoked the key');
    await page.locator('[data-testid="incident-note-add"]').click();
    await page.locator('[data-testid="incident-notes"] li').first().waitFor();
    await page.locator('[data-testid="incident-new-normal"]').click();
    await page.locator('[data-testid="incident-status"]:text("acknowledged")').waitFor();
    const stored = await env.get<{ notes: { text: string; action: string }[]; status: string }>(`/api/incidents/${incident.id}`);
    assert.equal(stored.status, 'acknowledged');
    assert.deepEqual(stored.notes.map((n) => n.action), ['note', 'new_normal']);
    const anns = await env.get<{ annotations: { note: string }[] }>('/api/annotations');
    assert.ok(anns.annotations.some((a) => a.note.startsWith('new normal:')));
  });
});
