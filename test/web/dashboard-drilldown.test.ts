/**
 * Issue 12 in a browser: one forecast (the overview's projected month end is the API's and the
 * CLI's figure), the Alerts page acting on the API, budget status and open alerts on the
 * overview, unpriced calls labelled as unpriced and refused/listing calls as what they are, and
 * drill-down (chart bars, explorer rows, trace groups, the team-less link, request filters, call
 * links, long traces paged, the phone menu).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { alertServiceFor } from '../../src/alerts/alert-service.js';
import type { Alert } from '../../src/alerts/alert-types.js';
import { emptyAttribution } from '../../src/ledger/ledger-record.js';
import { Decimal } from '../../src/pricing/decimal.js';
import { makeRecord } from '../store/ledger-fixtures.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { chromiumAvailable, openBrowser, type Browser } from './browser.js';
import { startDashboardEnv, type DashboardEnv } from './dashboard-env.js';

interface Spend {
  rows: Record<string, string | number | null>[];
  total: { cost: string; requests: number; unpriced_requests?: number };
}
interface Events {
  events: { id: string; status: string; model: string | null; started_at: string; key_id: string | null; attribution: { team: string | null } }[];
  next_cursor: string | null;
}
interface Forecast {
  projected: number;
  low: number;
  high: number;
  as_of: string;
  tz: string;
}

const ZONE = 'America/New_York';
const UNPRICED_MODEL = 'ft:acme-private-1';
const LONG_TRACE = 'long-trace-0001';
const LONG_TRACE_CALLS = 130;
/**
 * Waits until the locator matches exactly n elements (the dashboard's CSP forbids the string
 * predicates page.waitForFunction would evaluate).
 */
async function count(l: Locator, n: number): Promise<void> {
  if (n > 0) await l.nth(n - 1).waitFor();
  await l.nth(n).waitFor({ state: 'detached' });
}

const run = promisify(execFile);
const skip = !chromiumAvailable() && process.env['CI'] !== 'true' ? 'no Chromium at /usr/bin/chromium' : false;

function alert(id: string, over: Partial<Alert>): Alert {
  const now = Date.now();
  return {
    id,
    scope: { team: 'search' },
    kind: 'spend_velocity',
    severity: 'critical',
    observed: 42,
    expected: 6,
    expected_low: 4,
    expected_high: 8,
    unit: 'usd',
    window_minutes: 15,
    summary: 'Spend for team=search ran at $42.00 over 15 min, 7x the usual $6.00.',
    status: 'open',
    detected_at: now - 20 * 60_000,
    last_seen_at: now - 5 * 60_000,
    acknowledged_at: null,
    resolved_at: null,
    resolved_by: null,
    peak_observed: 42,
    contributors: [{ dimension: 'model', value: 'gpt-4o-mini', cost: '30', requests: 120 }],
    link: '/#/explorer?team=search',
    ...over,
  };
}

describe('dashboard drill-down, alerts and one forecast', { skip }, () => {
  let env: DashboardEnv;
  let browser: Browser;
  let page: Page;
  const chat = (headers: Record<string, string>) =>
    fetch(`${env.rt.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: 'Bearer sk-client', 'content-type': 'application/json', ...headers }, body: JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] }) });
  const rows = (testId: string) => page.locator(`[data-testid="${testId}"] tbody tr`);

  before(async () => {
    env = await startDashboardEnv({ demoCalls: 40, history: 2000 });
    const now = Date.now();
    // A long agent loop (its ended_at left as the fixture's, before the start, as a bad import might have it), calls to a model without a price, and real refused / listing calls through the gateway.
    const trace = Array.from({ length: LONG_TRACE_CALLS }, (_, i) => makeRecord(i, { id: `lt-${String(i).padStart(4, '0')}`, started_at: new Date(now - 3 * 3_600_000 + i * 1000).toISOString(), trace_id: LONG_TRACE, attribution: { ...emptyAttribution(), team: 'agents', agent: 'planner' } }));
    const unpriced = [0, 1, 2].map((i) => makeRecord(500 + i, { id: `up-${i}`, started_at: new Date(now - 2 * 3_600_000 + i * 1000).toISOString(), model: UNPRICED_MODEL, model_requested: UNPRICED_MODEL, cost: null, priced: false, price_version: null, unpriced_reason: `no price for model ${UNPRICED_MODEL}`, trace_id: null, attribution: { ...emptyAttribution(), team: 'research' } }));
    await env.rt.store.insertRecords([...trace, ...unpriced]);
    const ks = await env.send<{ id: string }>('POST', '/api/kill-switches', { scope: { team: 'frozen' }, reason: 'test' });
    assert.equal((await chat({ 'x-costrail-team': 'frozen' })).status, 403);
    await env.send('DELETE', `/api/kill-switches/${ks.id}`);
    const listing = await fetch(`${env.rt.url}/v1/models`, { headers: { authorization: 'Bearer sk-client', 'x-costrail-team': 'listing' } });
    assert.equal(listing.status, 200, await listing.text());
    await env.rt.writer.flush();
    // Budgets: one far past its limit, one barely used.
    await env.send('POST', '/api/budgets', { name: 'agents monthly', scope: { team: 'agents' }, period: 'month', limit_usd: '0.001', action: 'notify' });
    await env.send('POST', '/api/budgets', { name: 'company monthly', scope: {}, period: 'month', limit_usd: '1000000', action: 'notify' });
    const repo = alertServiceFor(env.rt.store).repo;
    await repo.save(alert('al-velocity', {}));
    await repo.save(alert('al-forecast', { kind: 'forecast_breach', severity: 'warning', scope: { team: 'agents' }, summary: 'Budget "agents monthly" (team=agents) is projected to reach $9.00 by month end, over its $0.001 limit.', detected_at: Date.now() - 60 * 60_000 }));
    browser = await openBrowser({ timezoneId: ZONE });
    page = browser.page;
    await page.goto(`${env.rt.url}/?token=${encodeURIComponent(env.rt.adminToken)}`);
    await page.locator('[data-testid="who"]').waitFor();
  });
  after(async () => {
    await browser?.close();
    await env?.close();
  });

  test("the overview's projected month end is /api/forecast's and `costrail forecast`'s figure for the same instant and zone, with the 90% interval", async () => {
    await page.goto(`${env.rt.url}/#/overview`);
    const interval = page.locator('[data-testid="forecast-interval"]');
    await interval.waitFor();
    const shown = Number(await page.locator('[data-testid="stat-projected"] .money').getAttribute('data-exact'));
    const asOf = (await interval.getAttribute('data-as-of')) ?? '';
    assert.equal(await interval.getAttribute('data-tz'), ZONE);
    const api = await env.get<Forecast>(`/api/forecast?period=month&tz=${encodeURIComponent(ZONE)}&at=${encodeURIComponent(asOf)}`);
    assert.equal(shown, api.projected);
    assert.equal(Number(await interval.getAttribute('data-low')), api.low);
    assert.equal(Number(await interval.getAttribute('data-high')), api.high);
    assert.ok(api.low <= api.projected && api.projected <= api.high);
    // Asynchronously: the server under test runs in this process.
    const cli = await run(process.execPath, [join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js'), 'forecast', '--url', env.rt.url, '--token', env.rt.adminToken, '--tz', ZONE, '--at', asOf, '--json'], { encoding: 'utf8' });
    const f = JSON.parse(cli.stdout) as Forecast;
    assert.deepEqual([f.projected, f.low, f.high], [api.projected, api.low, api.high]);
  });

  test('the overview shows budgets by % used, open alerts and the change against the same days of last month', async () => {
    await page.goto(`${env.rt.url}/#/overview`);
    const budgets = page.locator('[data-testid="budget-status"] li');
    await budgets.first().waitFor();
    assert.match(await budgets.first().innerText(), /agents monthly/);
    assert.match(await budgets.first().innerText(), /\d{3,}%/);
    assert.equal(await page.locator('[data-testid="open-alert-count"]').innerText(), '2');
    assert.match(await page.locator('[data-testid="open-alerts"]').innerText(), /team=search ran at \$42\.00/);
    assert.match(await page.locator('[data-testid="stat-month-change"]').innerText(), /same days last month/);
  });

  test('acknowledging and resolving on the Alerts page changes the alert in the API; an annotation is saved for its scope', async () => {
    await page.goto(`${env.rt.url}/#/alerts`);
    const row = page.locator('[data-testid="alert-al-velocity"]');
    await row.waitFor();
    await row.locator('[data-testid="ack"]').click();
    await page.locator('[data-testid="alert-al-velocity"][data-status="acknowledged"]').waitFor();
    const acked = (await env.get<{ alerts: { id: string; status: string }[] }>('/api/alerts')).alerts.find((a) => a.id === 'al-velocity');
    assert.equal(acked?.status, 'acknowledged');

    await row.locator('.alert-main').click();
    const detail = page.locator('[data-testid="alert-detail"]');
    await detail.waitFor();
    assert.match(await detail.innerText(), /gpt-4o-mini/, 'top contributors shown');
    await detail.locator('[data-testid="annotation-note"]').fill('search launch');
    await detail.locator('[data-testid="annotate"]').click();
    await detail.locator('[data-testid="annotations"] li', { hasText: 'search launch' }).waitFor();
    const notes = await env.get<{ annotations: { note: string; scope: Record<string, string> }[] }>('/api/annotations');
    assert.deepEqual(notes.annotations.find((n) => n.note === 'search launch')?.scope, { team: 'search' });

    await detail.locator('[data-testid="detail-resolve"]').click();
    // Resolved alerts leave the default (open or acknowledged) list.
    await row.waitFor({ state: 'detached' });
    const resolved = (await env.get<{ alerts: { id: string; status: string; resolved_by: string }[] }>('/api/alerts?status=resolved')).alerts.find((a) => a.id === 'al-velocity');
    assert.equal(resolved?.resolved_by, 'manual');
    await page.locator('[data-testid="alert-status-filter"]').selectOption('resolved');
    await page.locator('[data-testid="alert-al-velocity"][data-status="resolved"]').waitFor();
  });

  test('a model without a price shows as "unpriced (N calls)" in the explorer, and its row opens exactly those calls', async () => {
    await page.goto(`${env.rt.url}/#/explorer?range=24h&granularity=none&group_by=model`);
    const row = rows('explorer-table').filter({ hasText: UNPRICED_MODEL });
    await row.waitFor();
    assert.match(await row.innerText(), /unpriced \(3 calls\)/);
    assert.doesNotMatch(await row.innerText(), /\$0\.00/);
    await row.click();
    await page.waitForURL(/#\/requests\?.*f\.model=ft%3Aacme-private-1/);
    await count(rows('events-table'), 3);
    assert.deepEqual(await rows('events-table').locator('[data-billing]').evaluateAll((els) => els.map((e) => e.getAttribute('data-billing'))), ['unpriced', 'unpriced', 'unpriced']);
  });

  test("the explorer's shares add up and each group's change is current minus the previous period", async () => {
    await page.goto(`${env.rt.url}/#/explorer?range=30d&granularity=none&group_by=team`);
    await rows('explorer-table').first().waitFor();
    const header = await page.locator('[data-testid="explorer-table"] thead').innerText();
    assert.match(header, /Share/);
    assert.match(header, /vs previous/);
    const shares = (await page.locator('[data-testid="explorer-table"] tbody td:nth-child(3)').allInnerTexts()).map((t) => Number(t.replace('%', '')));
    assert.ok(Math.abs(shares.reduce((a, b) => a + b, 0) - 100) < 0.6, `shares ${shares.join(', ')}`);
    const first = rows('explorer-table').first();
    const team = (await first.locator('td').first().innerText()).trim();
    const delta = await first.locator('[data-testid="delta"] .money').getAttribute('data-exact');
    // The page's window is "last 30 days" as of its load; the API's, a moment later, differs by at most a call at the boundary.
    const to = Date.now();
    const from = to - 30 * 86_400_000;
    const teamQ = team === '(none)' ? 'team=' : `team=${encodeURIComponent(team)}`;
    const cur = await env.get<Spend>(`/api/spend?from=${new Date(from).toISOString()}&${teamQ}`);
    const prev = await env.get<Spend>(`/api/spend?from=${new Date(from - 30 * 86_400_000).toISOString()}&to=${new Date(from).toISOString()}&${teamQ}`);
    const expected = Decimal.parse(cur.total.cost).sub(Decimal.parse(prev.total.cost));
    // History is synthetic and spread over 35 days: allow the boundary second to move one call at most.
    assert.ok(delta !== null);
    const diff = Decimal.parse(delta).sub(expected);
    assert.ok(Math.abs(Number(diff.toString())) < 0.05, `delta ${delta} vs ${expected.toString()}`);
  });

  test('trace_id groups the explorer by trace; a trace opens paged, 100 calls at a time', async () => {
    const top = await env.get<Spend>(`/api/spend?from=${new Date(Date.now() - 86_400_000).toISOString()}&group_by=trace_id`);
    assert.ok(top.rows.some((r) => r['trace_id'] === LONG_TRACE));
    await page.goto(`${env.rt.url}/#/explorer?range=24h&granularity=none&group_by=trace_id`);
    const row = rows('explorer-table').filter({ hasText: LONG_TRACE });
    await row.waitFor();
    await row.locator('[data-testid="row-trace"]').click();
    await page.waitForURL(new RegExp(`#/requests/trace/${LONG_TRACE}`));
    await page.locator('[data-testid="trace-calls"]', { hasText: String(LONG_TRACE_CALLS) }).waitFor();
    const items = page.locator('[data-testid="waterfall"] li');
    await count(items, 100);
    // Bars stay on their track whatever ended_at says (a bar 33 million pixels wide once hung screenshots).
    assert.ok((await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth')) <= 0);
    await page.locator('[data-testid="trace-older"]').click();
    await count(items, LONG_TRACE_CALLS - 100);
    const cost = await page.locator('[data-testid="trace-cost"] .money').getAttribute('data-exact');
    const spend = await env.get<Spend>(`/api/spend?trace_id=${LONG_TRACE}`);
    assert.equal(cost, spend.total.cost);
  });

  test('a bar of the overview chart opens that day and that provider in the explorer', async () => {
    await page.goto(`${env.rt.url}/#/overview`);
    const chart = page.locator('[data-testid="spend-chart"][data-rendered="true"]');
    await chart.waitFor();
    await page.locator('[data-testid="spend-chart"][data-hit*=","]').waitFor();
    const [x, y] = ((await chart.getAttribute('data-hit')) ?? '').split(',').map(Number);
    await chart.click({ position: { x: x ?? 0, y: y ?? 0 } });
    await page.waitForURL(/#\/explorer\?.*from=.*f\.provider=/);
    const params = new URLSearchParams(page.url().split('?')[1]);
    assert.equal(params.get('granularity'), 'hour');
    assert.equal(Date.parse(params.get('to') ?? '') - Date.parse(params.get('from') ?? '') <= 25 * 3_600_000, true);
    await page.locator('[data-testid="explorer-table"]').waitFor();
  });

  test('"calls without a team" opens the team-less calls in the requests list', async () => {
    await page.goto(`${env.rt.url}/#/overview`);
    await page.locator('[data-testid="unattributed"]').click();
    await page.waitForURL(/#\/requests\?.*f\.team=%28none%29/);
    await rows('events-table').first().waitFor();
    const teams = await page.locator('[data-testid="events-table"] tbody td:nth-child(2)').allInnerTexts();
    assert.ok(teams.length > 1, 'more than one call listed');
    assert.deepEqual([...new Set(teams)], ['—']);
  });

  test('requests filter by status and key; a blocked call is labelled blocked, its link reopens it, and its detail does not claim provider usage', async () => {
    await page.goto(`${env.rt.url}/#/requests`);
    await page.locator('[data-testid="filter-status"]').selectOption('blocked');
    await page.waitForURL(/f\.status=blocked/);
    await page.locator('[data-testid="events-table"] tbody tr', { hasText: 'frozen' }).waitFor();
    const statuses = await page.locator('[data-testid="events-table"] tbody .status').allInnerTexts();
    assert.deepEqual([...new Set(statuses)], ['blocked']);
    const blocked = rows('events-table').filter({ hasText: 'frozen' });
    assert.equal(await blocked.locator('[data-billing]').getAttribute('data-billing'), 'blocked');
    await blocked.click();
    await page.waitForURL(/call=/);
    const detail = page.locator('[data-testid="call-detail"]');
    await detail.waitFor();
    assert.doesNotMatch(await page.locator('[data-testid="detail-usage-source"]').innerText(), /reported by the provider/);
    assert.match(await page.locator('[data-testid="detail-cost"]').innerText(), /blocked/);
    assert.doesNotMatch(await page.locator('[data-testid="detail-cost"]').innerText(), /unpriced/);
    // The call's link stands alone: a fresh load with only the link shows the same call.
    const link = page.url();
    await page.goto(`${env.rt.url}/#/overview`);
    await page.goto(link.replace(/f\.status=blocked&?/, ''));
    await page.locator('[data-testid="call-detail"]', { hasText: 'kill_switch' }).waitFor();

    // The model listing is not billable, not unpriced.
    await page.goto(`${env.rt.url}/#/requests?f.team=listing`);
    await rows('events-table').first().waitFor();
    assert.equal(await rows('events-table').first().locator('[data-billing]').getAttribute('data-billing'), 'not_billable');

    // Key and time range filters go to the API as they are.
    const some = (await env.get<Events>('/api/events?limit=200')).events.find((e) => e.key_id);
    assert.ok(some?.key_id);
    const from = new Date(Date.now() - 6 * 3_600_000).toISOString();
    const expected = await env.get<Events>(`/api/events?limit=50&from=${encodeURIComponent(from)}&key_id=${encodeURIComponent(some.key_id)}`);
    await page.goto(`${env.rt.url}/#/requests?from=${encodeURIComponent(from)}&f.key_id=${encodeURIComponent(some.key_id)}`);
    await count(rows('events-table'), expected.events.length);
    const hrefs = await page.locator('[data-testid="events-table"] [data-testid="call-link"]').evaluateAll((els) => els.map((e) => new URLSearchParams((e.getAttribute('href') ?? '').split('?')[1]).get('call')));
    assert.deepEqual(hrefs, expected.events.map((e) => e.id));
  });

  test('on a phone the pages fold into a menu that opens and navigates', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.goto(`${env.rt.url}/#/overview`);
      const nav = page.locator('#main-nav');
      await page.locator('[data-testid="menu-toggle"]').waitFor();
      assert.equal(await nav.isVisible(), false);
      await page.locator('[data-testid="menu-toggle"]').click();
      await page.locator('[data-testid="nav-alerts"]').click();
      await page.waitForURL(/#\/alerts/);
      await page.locator('[data-testid="alerts"]').waitFor();
      assert.equal(await nav.isVisible(), false, 'the menu closes after navigating');
      const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
      assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone`);
    } finally {
      await page.setViewportSize({ width: 1440, height: 900 });
    }
  });
});
