/**
 * The Reconciliation page and the overview's coverage card in headless Chromium: a ledger and a
 * bill planted in the last three days (a discount, tax, a credit, unmetered workspaces), and every
 * figure on the page equal to what GET /api/reconciliation answers for the same range.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { ReconciliationResult } from '../../src/billing/reconciliation.js';
import { Decimal } from '../../src/pricing/decimal.js';
import { startCostrail, type CostrailRuntime } from '../../src/server/costrail-runtime.js';
import { tempDir } from '../helpers/temp-dir.js';
import { chromiumAvailable, openBrowser, type Browser } from './browser.js';
import { plantReconciliation } from './reconciliation-seed.js';

const skip = !chromiumAvailable() && process.env['CI'] !== 'true' ? 'no Chromium at /usr/bin/chromium' : false;
const DAY = 86_400_000;

describe('Reconciliation page', { skip }, () => {
  let rt: CostrailRuntime;
  let browser: Browser;
  before(async () => {
    rt = await startCostrail({ port: 0, dataDir: tempDir('costrail-recon-page-'), quiet: true, upstreams: {} });
    await plantReconciliation(rt.store, Date.now());
    browser = await openBrowser({ timezoneId: 'UTC' });
  });
  after(async () => {
    await browser?.close();
    await rt?.close();
  });

  const get = async (query: Record<string, string>): Promise<ReconciliationResult> => {
    const res = await fetch(`${rt.url}/api/reconciliation?${new URLSearchParams(query).toString()}`, { headers: { authorization: `Bearer ${rt.adminToken}` } });
    assert.equal(res.status, 200);
    return (await res.json()) as ReconciliationResult;
  };
  const exact = (page: Page, testId: string): Promise<string | null> => page.locator(`[data-testid="${testId}"] .money`).first().getAttribute('data-exact');
  const pct = (p: number | null): string => (p === null ? '—' : `${p}%`);

  test('totals, explanations, unmetered accounts and the coverage trend are the API\'s', async () => {
    // The page's range: the last 30 whole UTC days up to the next midnight.
    const end = Math.ceil(Date.now() / DAY) * DAY;
    const range = { from: new Date(end - 30 * DAY).toISOString(), to: new Date(end).toISOString(), tz: 'UTC' };
    const api = await get({ ...range, trend: 'day' });
    // The planted figures, exactly (test/web/reconciliation-seed.ts).
    assert.deepEqual([api.total.observed, api.total.billed, api.total.gap], ['7.5', '9.55', '2.05']);

    const page = browser.page;
    await page.goto(`${rt.url}/?token=${encodeURIComponent(rt.adminToken)}#/reconciliation`);
    await page.locator('[data-testid="recon-observed"]').waitFor();
    assert.equal(await exact(page, 'recon-observed'), api.total.observed);
    assert.equal(await exact(page, 'recon-billed'), api.total.billed);
    assert.equal(await exact(page, 'recon-gap'), api.total.gap);
    assert.match(await page.locator('[data-testid="recon-metered-pct"]').innerText(), new RegExp(pct(api.coverage.metered_pct).replace('.', '\\.')));
    assert.match(await page.locator('[data-testid="recon-attributed-pct"]').innerText(), new RegExp(pct(api.coverage.attributed_pct).replace('.', '\\.')));

    const explained = await page.locator('[data-testid="recon-explained"] tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-kind'), tr.querySelector('.money')?.getAttribute('data-exact') ?? null]));
    const unexplained = Decimal.parse(api.total.gap).sub(Decimal.sum(api.total.explained.map((e) => Decimal.parse(e.amount)))).toString();
    assert.deepEqual(explained, [...api.total.explained.map((e) => [e.kind, e.amount]), ['unexplained', unexplained]]);
    assert.ok(api.total.explained.some((e) => e.kind === 'tax') && api.total.explained.some((e) => e.kind === 'credit') && api.total.explained.some((e) => e.kind === 'unmetered_account'));

    // Unmetered accounts: the API split by account, summed per account.
    const byAccount = await get({ ...range, by: 'provider,day,account' });
    const want = new Map<string, Decimal>();
    for (const r of byAccount.rows) for (const e of r.explained) if (e.kind === 'unmetered_account') want.set(`${r.provider}/${r.account}`, (want.get(`${r.provider}/${r.account}`) ?? Decimal.ZERO).add(Decimal.parse(e.amount)));
    await page.locator('[data-testid="recon-unmetered"] tr').first().waitFor();
    const shown = await page.locator('[data-testid="recon-unmetered"] tr').evaluateAll((lis) => lis.map((li) => [`${li.getAttribute('data-provider')}/${li.getAttribute('data-account')}`, li.querySelector('.money')?.getAttribute('data-exact') ?? null]));
    assert.deepEqual(shown, [...want].sort((a, b) => b[1].cmp(a[1])).map(([k, v]) => [k, v.toString()]));
    assert.deepEqual(shown, [['openai/proj_shadow', '2.5'], ['anthropic/wrkspc_dark', '0.75']]);

    // The coverage trend table, point for point.
    const trend = await page.locator('[data-testid="recon-coverage-trend"] tbody tr').evaluateAll((trs) =>
      trs.map((tr) => [tr.getAttribute('data-period'), tr.getAttribute('data-provider'), tr.querySelector('.money')?.getAttribute('data-exact') ?? null, tr.querySelector('[data-testid="metered-pct"]')?.textContent ?? null, tr.querySelector('[data-testid="attributed-pct"]')?.textContent ?? null]),
    );
    assert.deepEqual(trend, api.coverage_trend.map((p) => [p.period, p.provider ?? 'all', p.billed_usage, pct(p.metered_pct), pct(p.attributed_pct)]));
    // One billed-vs-observed chart per provider, and the coverage chart, drawn.
    await page.locator('[data-testid="recon-chart"][data-rendered="true"]').nth(1).waitFor();
    assert.equal(await page.locator('[data-testid="recon-chart"][data-rendered="true"]').count(), 2);
    await page.locator('[data-testid="recon-coverage-chart"][data-rendered="true"]').waitFor();

    // By week: the page asks again and shows the API's weekly points.
    await page.locator('[data-testid="trend-week"]').click();
    const weekly = await get({ ...range, trend: 'week' });
    await page.locator(`[data-testid="recon-coverage-trend"] tbody tr[data-period="${weekly.coverage_trend[0]?.period}"]`).first().waitFor({ state: 'attached' });
    assert.equal(await page.locator('[data-testid="recon-coverage-trend"] tbody tr').count(), weekly.coverage_trend.length);
  });

  test('the overview\'s coverage card shows the month\'s coverage from the API', async () => {
    const page = browser.page;
    await page.goto(`${rt.url}/?token=${encodeURIComponent(rt.adminToken)}#/overview`);
    const card = page.locator('[data-testid="coverage-card"]');
    await card.waitFor();
    const from = await card.getAttribute('data-from');
    const to = await card.getAttribute('data-to');
    assert.ok(from && to);
    const api = await get({ from, to, tz: 'UTC' });
    assert.equal(await page.locator('[data-testid="coverage-metered"]').innerText(), pct(api.coverage.metered_pct));
    assert.equal(await page.locator('[data-testid="coverage-attributed"]').innerText(), pct(api.coverage.attributed_pct));
    const providers = await page.locator('[data-testid="coverage-providers"] li').evaluateAll((lis) => lis.map((li) => [li.getAttribute('data-provider'), li.querySelector('[data-testid="coverage-provider-pct"]')?.textContent ?? null]));
    assert.deepEqual(providers, api.coverage_by_provider.map((p) => [p.provider, pct(p.metered_pct)]));
  });
});

