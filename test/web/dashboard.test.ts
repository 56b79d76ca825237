/**
 * The dashboard end to end in headless Chromium against a real Costrail process (simulated
 * provider, demo traffic, synthetic history): sign in by link, overview totals equal the API's,
 * the explorer regroups, the ledger and a trace read back. Screenshots go to test-artifacts/.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import { Decimal } from '../../src/pricing/decimal.js';
import { chromiumAvailable, openBrowser, screenshot, type Browser } from './browser.js';
import { startDashboardEnv, type DashboardEnv } from './dashboard-env.js';

interface Spend {
  rows: Record<string, string | number | null>[];
  total: { cost: string; requests: number; unpriced_requests?: number };
}
interface Events {
  events: { id: string; trace_id: string | null; cost: { total: string } | null; attribution: { team: string | null } }[];
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
  /** One OpenAI-style call through the gateway (pass-through key unless headers say otherwise). */
  const chat = (headers: Record<string, string>) =>
    fetch(`${env.rt.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: 'Bearer sk-client', 'content-type': 'application/json', ...headers }, body: JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 200, messages: [{ role: 'user', content: 'hi' }] }) });

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
    // Polled with a locator: the dashboard's CSP forbids the eval a string predicate would need.
    const rows = page.locator('[data-testid="explorer-table"] tbody tr');
    for (let i = 0; i < 100 && (await rows.count()) !== models.size; i++) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(new Set(await columnValues(page, 'explorer-table', 1)), models);
    assert.match(page.url(), /group_by=model/);
    await page.locator('[data-testid="spend-chart"][data-rendered="true"]').waitFor();
    await screenshot(page, '2-explorer');
    // The shared view reloads as it was.
    await page.reload();
    await page.locator('[data-testid="explorer-table"] th', { hasText: 'model' }).waitFor();

    // CSV: the rows the API gave the page (period x model), exact amounts, one header line.
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid="csv"]').click()]);
    const csv = fs.readFileSync((await download.path()) ?? '', 'utf8').trim().split('\r\n');
    assert.equal(csv[0], 'period,model,cost,requests,unpriced_requests,input_tokens,output_tokens,cache_read_tokens,cache_write_tokens,reasoning_tokens');
    const perDay = await env.get<Spend>(`/api/spend?from=${encodeURIComponent(new Date(Date.now() - 30 * 86_400_000).toISOString())}&group_by=model&granularity=day&tz=${encodeURIComponent(ZONE)}`);
    assert.ok(Math.abs(csv.length - 1 - perDay.rows.length) <= 2, `${csv.length - 1} CSV rows vs ${perDay.rows.length}`);
  });

  test("the overview's cache savings equal /api/spend's saved for this month's cached calls", async () => {
    // A response-cache hit as the gateway records it: cost 0, usage null, saved = what the call would have cost.
    const [paid] = (await env.get<{ events: LedgerRecord[] }>('/api/events?limit=20')).events.filter((e) => e.status === 'ok' && e.cost);
    assert.ok(paid?.cost);
    const zero = Object.fromEntries(Object.entries(paid.cost).map(([k, v]) => [k, k === 'currency' || k === 'source' ? v : '0'])) as LedgerRecord['cost'];
    await env.rt.store.insertRecords([{ ...paid, id: `${paid.id}-hit`, status: 'cached', cost: zero, usage: null, usage_source: null, raw_usage: null, saved: paid.cost.total, response_id: null }]);
    await page.goto(`${env.rt.url}/#/overview`);
    const flag = page.locator('[data-testid="cache-savings"]');
    await flag.waitFor();
    const monthStart = await page.evaluate<string>('new Date(new Date().getFullYear(), new Date().getMonth(), 1).toISOString()');
    const api = await env.get<Spend & { total: { saved?: string } }>(`/api/spend?from=${encodeURIComponent(monthStart)}&status=cached`);
    assert.ok(api.total.saved && sameMoney(api.total.saved, paid.cost.total), `API saved ${api.total.saved}`);
    assert.ok(sameMoney(await flag.getAttribute('data-saved'), api.total.saved));
    assert.ok(sameMoney(await flag.locator('.money').getAttribute('data-exact'), api.total.saved));
    await screenshot(page, '1b-overview-cache-savings');
  });

  test("the overview's unattributed figure links to exactly those calls in the requests list", async () => {
    await page.goto(`${env.rt.url}/#/overview`);
    const link = page.locator('[data-testid="unattributed"]');
    const shown = await link.locator('.money').getAttribute('data-exact');
    assert.ok(shown && Decimal.parse(shown).cmp(Decimal.ZERO) > 0, 'synthetic history has team-less calls');
    await link.click();
    await page.waitForURL(/#\/requests\?.*f\.team=%28none%29/);
    const monthStart = await page.evaluate<string>('new Date(new Date().getFullYear(), new Date().getMonth(), 1).toISOString()');
    const expected = await env.get<Events>(`/api/events?team=&limit=50&from=${encodeURIComponent(monthStart)}`);
    assert.ok(expected.events.length > 0);
    const listed = page.locator('[data-testid="events-table"] tbody tr');
    await listed.nth(expected.events.length - 1).waitFor();
    await listed.nth(expected.events.length).waitFor({ state: 'detached' });
    assert.deepEqual([...new Set(await columnValues(page, 'events-table', 2))], ['—']);
  });

  test('the requests page lists the ledger newest first and opens a call and a trace', async () => {
    const newest = (await env.get<Events>('/api/events?limit=1')).events[0];
    assert.ok(newest);
    await page.goto(`${env.rt.url}/#/requests`);
    // The unfiltered list has arrived (the previous page may have been the team-less calls).
    await page.locator(`[data-testid="events-table"] tbody tr:first-child a[href*="call=${newest.id}"]`).waitFor();
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

  test('a team-scoped token reads only its team through the API, and the dashboard shows only that team', async () => {
    const created = await env.send<{ secret: string }>('POST', '/api/tokens', { name: 'search showback', scope: { team: 'search' } });
    const scoped = created.secret;
    const mine = await env.get<Events>('/api/events?limit=1000', scoped);
    assert.ok(mine.events.length > 0);
    assert.ok(mine.events.every((e) => e.attribution.team === 'search'));
    // Asking for another team's events is refused or answers within the scope, never with their records.
    const res = await fetch(`${env.rt.url}/api/events?team=support&limit=1000`, { headers: { authorization: `Bearer ${scoped}` } });
    if (res.ok) assert.deepEqual(((await res.json()) as Events).events.filter((e) => e.attribution.team !== 'search'), []);
    else assert.ok(res.status === 403 || res.status === 400, `status ${res.status}`);
    const spend = await env.get<Spend>('/api/spend?group_by=team', scoped);
    assert.deepEqual([...new Set(spend.rows.map((r) => r['team']))], ['search']);
    // Admin-only endpoints stay closed to it.
    assert.equal((await fetch(`${env.rt.url}/api/keys`, { headers: { authorization: `Bearer ${scoped}` } })).status, 403);

    const other = await browser.context.newPage();
    try {
      await other.goto(`${env.rt.url}/?token=${encodeURIComponent(scoped)}`);
      await other.locator('[data-testid="who"]', { hasText: 'team=search' }).waitFor();
      await other.locator('[data-testid="top-team"]').waitFor();
      assert.deepEqual(await other.locator('[data-testid="top-team"] .bar-label').allInnerTexts(), ['search']);
      await screenshot(other, '7-scoped-overview');
    } finally {
      await other.close();
    }
  });

  test('a budget created in the dashboard makes the gateway refuse calls past it', async () => {
    await page.goto(`${env.rt.url}/#/budgets`);
    await page.locator('[data-testid="new-budget"]').click();
    const form = page.locator('[data-testid="budget-form"]');
    await form.locator('input[name="name"]').fill('checkout daily cap');
    await form.locator('input[name="scope"]').fill('team=checkout');
    await form.locator('select[name="period"]').selectOption('day');
    await form.locator('input[name="limit"]').fill('0.0005');
    await form.locator('button[type="submit"]').click();
    const item = page.locator('[data-testid="budget-checkout daily cap"]');
    await item.waitFor();
    assert.match(await item.innerText(), /team=checkout/);

    // A call reserves its worst case (200 output tokens, ~$0.00012) and costs less: a few pass, then 429.
    const statuses: number[] = [];
    let refusal: { error?: { type?: string } } | undefined;
    for (let i = 0; i < 40 && !refusal; i++) {
      const res = await chat({ 'x-costrail-team': 'checkout' });
      statuses.push(res.status);
      if (res.status === 429) refusal = (await res.json()) as typeof refusal;
      else await res.arrayBuffer();
    }
    assert.ok(statuses[0] === 200, `the first call is under the budget (${statuses.join(',')})`);
    assert.equal(refusal?.error?.type, 'budget_exceeded', `statuses ${statuses.join(',')}`);
    // Other teams are not affected.
    assert.equal((await chat({ 'x-costrail-team': 'search' })).status, 200);

    await page.reload();
    await item.locator('.meter').waitFor();
    const budgets = await env.get<{ budgets: { name: string; spent: string; remaining: string }[] }>('/api/budgets');
    const b = budgets.budgets.find((x) => x.name === 'checkout daily cap');
    assert.ok(b && Decimal.parse(b.spent).cmp(Decimal.ZERO) > 0);
    assert.ok(sameMoney(await item.locator('.budget-figures strong .money').first().getAttribute('data-exact'), b.spent));
    await screenshot(page, '5-budgets');
  });

  test('a kill switch set in the dashboard refuses its scope until lifted with one click', async () => {
    await page.goto(`${env.rt.url}/#/budgets`);
    await page.locator('[data-testid="new-kill-switch"]').click();
    const form = page.locator('[data-testid="kill-switch-form"]');
    await form.locator('input[name="scope"]').fill('team=research');
    await form.locator('input[name="reason"]').fill('runaway agent loop');
    await form.locator('button[type="submit"]').click();
    const item = page.locator('[data-testid="kill-switches"] li', { hasText: 'runaway agent loop' });
    await item.waitFor();
    const blocked = await chat({ 'x-costrail-team': 'research' });
    assert.equal(blocked.status, 403);
    assert.equal(((await blocked.json()) as { error?: { type?: string } }).error?.type, 'kill_switch');
    await screenshot(page, '5b-kill-switch');
    await item.locator('button', { hasText: 'Lift' }).click();
    await item.waitFor({ state: 'detached' });
    assert.equal((await chat({ 'x-costrail-team': 'research' })).status, 200);
  });

  // Last: once a virtual key exists, the gateway stops passing provider keys through.
  test('a key created in the dashboard works, shows its secret once, and is refused after one-click revoke', async () => {
    await env.send('PUT', '/api/provider-credentials', { provider: 'openai', secret: 'sk-held-by-costrail' });
    await page.goto(`${env.rt.url}/#/keys`);
    await page.locator('[data-testid="new-key"]').click();
    await page.locator('[data-testid="key-form"] input[name="name"]').fill('checkout-bot');
    await page.locator('[data-testid="key-form"] input[name="defaults"]').fill('team=growth, feature=checkout');
    await page.locator('[data-testid="key-form"] button[type="submit"]').first().click();
    // The first key ends pass-through: the form says so and asks (test/web/keys-mode.test.ts covers the wording).
    await page.locator('[data-testid="confirm-end-pass-through"]').click();
    const secret = await page.locator('[data-testid="new-secret"] .secret-value').innerText();
    assert.match(secret, /^cr_/);

    const call = (key: string) => chat({ authorization: `Bearer ${key}` });
    const ok = await call(secret);
    assert.equal(ok.status, 200, await ok.text());
    await env.rt.writer.flush();
    await page.locator('[data-testid="new-secret"] button', { hasText: 'Done' }).click();
    await page.reload();
    const row = page.locator('[data-testid="key-checkout-bot"]');
    await row.waitFor();
    assert.match(await row.innerText(), /team=growth/);
    assert.doesNotMatch(await row.innerText(), /never/, 'last use is shown after the call');
    assert.equal(await page.locator('[data-testid="new-secret"]').count(), 0, 'the secret is not shown again');
    await screenshot(page, '6-keys');

    page.once('dialog', (d) => void d.accept());
    await row.locator('button', { hasText: 'Revoke' }).click();
    await row.locator('.pill', { hasText: 'revoked' }).waitFor();
    const refused = await call(secret);
    assert.equal(refused.status, 401);
    assert.equal(((await refused.json()) as { error?: { type?: string } }).error?.type, 'invalid_api_key');
  });
});
