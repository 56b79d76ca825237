/**
 * The dashboard end to end in headless Chromium against a real Costrail process (simulated
 * provider, demo traffic, synthetic history): sign in by link, overview totals equal the API's,
 * the explorer regroups, the ledger and a trace read back. Screenshots go to test-artifacts/.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { Decimal } from '../../src/pricing/decimal.js';
import { chromiumAvailable, openBrowser, screenshot, type Browser } from './browser.js';
import { startDashboardEnv, type DashboardEnv } from './dashboard-env.js';

interface Spend {
  rows: Record<string, string | number | null>[];
  total: { cost: string; requests: number; unpriced_requests?: number };
}
interface Events {
  events: { id: string; trace_id: string | null; cost: { total: string } | null }[];
  next_cursor: string | null;
}

const ZONE = 'America/New_York';
const skip = !chromiumAvailable() && process.env['CI'] !== 'true' ? 'no Chromium at /usr/bin/chromium' : false;

function sameMoney(a: string | null | undefined, b: string): boolean {
  return Decimal.parse(a ?? 'NaN').cmp(Decimal.parse(b)) === 0;
}

async function exact(page: Page, testId: string): Promise<string | null> {
  return page.locator(`[data-testid="${testId}"] .money`).first().getAttribute('data-exact');
}

async function columnValues(page: Page, table: string, col: number): Promise<string[]> {
  return page.locator(`[data-testid="${table}"] tbody tr td:nth-child(${col})`).allInnerTexts();
}

describe('dashboard in a browser', { skip }, () => {
  let env: DashboardEnv;
  let browser: Browser;
  let page: Page;

  before(async () => {
    env = await startDashboardEnv();
    browser = await openBrowser({ timezoneId: ZONE });
    page = browser.page;
  });
  after(async () => {
    await browser?.close();
    await env?.close();
  });

  test('a bad token is refused on the sign-in page with the API error shown', async () => {
    await page.goto(`${env.rt.url}/`);
    await page.locator('[data-testid="sign-in"] input[name="token"]').fill('not-a-token');
    await page.locator('[data-testid="sign-in"] button[type="submit"]').click();
    await page.locator('[data-testid="api-error"]').waitFor();
    assert.match(await page.locator('[data-testid="api-error"]').innerText(), /401|unauthorized/i);
    await screenshot(page, '0-sign-in');
  });

  test('the ?token= sign-in link signs in and leaves no token in the address bar', async () => {
    await page.goto(`${env.rt.url}/?token=${encodeURIComponent(env.rt.adminToken)}`);
    await page.locator('[data-testid="who"]').waitFor();
    assert.equal(await page.locator('[data-testid="who"]').innerText(), 'admin');
    assert.doesNotMatch(page.url(), /token/);
    assert.equal(await page.evaluate("sessionStorage.getItem('costrail.token')"), env.rt.adminToken);
  });

  test("the overview's totals equal /api/spend's for the viewer's day and month", async () => {
    await page.goto(`${env.rt.url}/#/overview`);
    await page.locator('[data-testid="stat-month"] .money').waitFor();
    await page.locator('[data-testid="spend-chart"][data-rendered="true"]').waitFor();
    const bounds = await page.evaluate(() => {
      const n = new Date();
      return { day: new Date(n.getFullYear(), n.getMonth(), n.getDate()).toISOString(), month: new Date(n.getFullYear(), n.getMonth(), 1).toISOString() };
    });
    const q = (from: string, extra = '') => `/api/spend?from=${encodeURIComponent(from)}&granularity=none&tz=${encodeURIComponent(ZONE)}${extra}`;
    const month = await env.get<Spend>(q(bounds.month));
    const day = await env.get<Spend>(q(bounds.day));
    assert.ok(Decimal.parse(day.total.cost).cmp(Decimal.ZERO) > 0, 'demo traffic made spend today');
    assert.ok(sameMoney(await exact(page, 'stat-month'), month.total.cost), `month to date ${await exact(page, 'stat-month')} vs API ${month.total.cost}`);
    assert.ok(sameMoney(await exact(page, 'stat-today'), day.total.cost), `today ${await exact(page, 'stat-today')} vs API ${day.total.cost}`);
    const unpriced = await page.locator('[data-testid="unpriced"] strong').innerText();
    assert.equal(unpriced, String(month.total.unpriced_requests ?? 0));
    const byTeam = await env.get<Spend>(q(bounds.month, '&group_by=team'));
    const topTeams = await page.locator('[data-testid="top-team"] .bar-label').allInnerTexts();
    const apiTop = [...byTeam.rows].sort((a, b) => Decimal.parse(String(b['cost'])).cmp(Decimal.parse(String(a['cost']))))[0];
    assert.equal(topTeams[0], apiTop?.['team'] ?? '(none)');
    await screenshot(page, '1-overview');
  });

  test("the explorer's table follows the group-by, and the URL keeps the view", async () => {
    await page.goto(`${env.rt.url}/#/explorer?range=30d&granularity=day&group_by=team`);
    await page.locator('[data-testid="explorer-table"]').waitFor();
    const from = new Date(Date.now() - 30 * 86_400_000).toISOString();
    const teams = new Set((await env.get<Spend>(`/api/spend?from=${from}&group_by=team`)).rows.map((r) => r['team'] ?? '(none)'));
    assert.deepEqual(new Set(await columnValues(page, 'explorer-table', 1)), teams);

    await page.locator('[data-testid="group-by-0"]').selectOption('model');
    await page.locator('[data-testid="explorer-table"] th', { hasText: 'model' }).waitFor();
    const models = new Set((await env.get<Spend>(`/api/spend?from=${from}&group_by=model`)).rows.map((r) => r['model'] ?? '(none)'));
    await page.waitForFunction(`document.querySelectorAll('[data-testid="explorer-table"] tbody tr').length === ${models.size}`);
    assert.deepEqual(new Set(await columnValues(page, 'explorer-table', 1)), models);
    assert.match(page.url(), /group_by=model/);
    await page.locator('[data-testid="spend-chart"][data-rendered="true"]').waitFor();
    await screenshot(page, '2-explorer');
    // The shared view reloads as it was.
    await page.reload();
    await page.locator('[data-testid="explorer-table"] th', { hasText: 'model' }).waitFor();
  });

  test('the requests page lists the ledger newest first and opens a call and a trace', async () => {
    const newest = (await env.get<Events>('/api/events?limit=1')).events[0];
    assert.ok(newest);
    await page.goto(`${env.rt.url}/#/requests`);
    await page.locator('[data-testid="events-table"] tbody tr').first().click();
    await page.locator('[data-testid="call-detail"]').waitFor();
    assert.match(await page.locator('[data-testid="call-detail"]').innerText(), new RegExp(newest.id));
    await screenshot(page, '3-requests');

    const trace = 'trace-1';
    const calls = await env.get<Events>(`/api/events?trace_id=${trace}&limit=1000`);
    assert.ok(calls.events.length > 1);
    await page.goto(`${env.rt.url}/#/requests/trace/${trace}`);
    await page.locator('[data-testid="trace-cost"] .money').waitFor();
    const sum = calls.events.reduce((a, e) => (e.cost ? a.add(Decimal.parse(e.cost.total)) : a), Decimal.ZERO);
    assert.ok(sameMoney(await exact(page, 'trace-cost'), sum.toString()));
    await screenshot(page, '4-trace');
  });

  test('budgets and keys pages render (or show the API error, never a blank page)', async () => {
    for (const [name, id] of [['5-budgets', 'budgets'], ['6-keys', 'keys']] as const) {
      await page.goto(`${env.rt.url}/#/${id}`);
      await page.locator(`[data-testid="${id}"]`).waitFor();
      await page.waitForFunction("!document.querySelector('.state.loading')");
      await screenshot(page, name);
    }
  });
});
