/**
 * The Prices page: a discount added in the UI makes the next gateway call cheaper by exactly that
 * percent (no restart), the offer re-prices past calls after showing a dry run, and removing the
 * discount (after confirming) restores the list price. Headless Chromium, as dashboard.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { Decimal } from '../../src/pricing/decimal.js';
import { chromiumAvailable, openBrowser, type Browser } from './browser.js';
import { startDashboardEnv, type DashboardEnv } from './dashboard-env.js';

const skip = !chromiumAvailable() && process.env['CI'] !== 'true' ? 'no Chromium at /usr/bin/chromium' : false;

describe('Prices page', { skip }, () => {
  let env: DashboardEnv;
  let browser: Browser;
  let page: Page;
  /** One call through the gateway; the simulator's usage is deterministic, so only prices differ between calls. */
  const callCost = async (): Promise<string> => {
    const res = await fetch(`${env.rt.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-test', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'what does this cost' }], max_tokens: 20 }),
    });
    await res.text();
    assert.equal(res.status, 200);
    return res.headers.get('x-costrail-cost') ?? 'unpriced';
  };

  before(async () => {
    env = await startDashboardEnv({ history: 20, demoCalls: 4 });
    browser = await openBrowser();
    page = browser.page;
    await page.goto(`${env.rt.url}/?token=${encodeURIComponent(env.rt.adminToken)}`);
  });
  after(async () => {
    await browser?.close();
    await env?.close();
  });

  test('the catalog filters by provider and model', async () => {
    await page.goto(`${env.rt.url}/#/prices`);
    await page.locator('[data-testid="catalog-table"]').waitFor();
    await page.locator('[data-testid="catalog-provider"]').selectOption('openai');
    await page.locator('[data-testid="catalog-search"]').fill('gpt-4o-mini');
    const rows = await page.locator('[data-testid="catalog-table"] tbody tr').allInnerTexts();
    assert.ok(rows.length > 0);
    assert.ok(rows.every((r) => r.startsWith('openai') && r.includes('gpt-4o-mini')), rows.join('\n'));
  });

  test('a discount added in the UI prices the next call exactly that much lower; reprice previews then applies; removing restores list price', async () => {
    const list = await callCost();
    await env.rt.writer.flush();
    await page.goto(`${env.rt.url}/#/prices`);
    await page.locator('[data-testid="add-discount"]').click();
    const form = page.locator('[data-testid="discount-form"]');
    await form.locator('input[name="percent"]').fill('20%');
    await form.locator('input[name="provider"]').fill('openai');
    await form.locator('input[name="models"]').fill('gpt-4o-mini*');
    await form.locator('input[name="note"]').fill('contract 2026-07');
    await form.locator('button[type="submit"]').click();
    const offer = page.locator('[data-testid="reprice-offer"]');
    await offer.waitFor();
    assert.match(await page.locator('[data-testid="overrides-table"]').innerText(), /20% off list[\s\S]*contract 2026-07/);

    assert.equal(await callCost(), Decimal.parse(list).mul(Decimal.parse('0.8')).toString(), 'the next call is 20% cheaper, exactly');

    // Past calls: the dry run shows the change and writes nothing; apply writes it.
    await env.rt.writer.flush();
    await offer.locator('[data-testid="reprice-preview"]').click();
    await page.locator('[data-testid="reprice-offer"][data-step="previewed"]').waitFor();
    assert.match(await offer.innerText(), /Would re-price [1-9]\d* of/);
    assert.ok(Decimal.parse(await offer.locator('[data-testid="reprice-difference"]').innerText()).isNegative(), 'the discount lowers past costs');
    const before = await env.get<{ total: { cost: string } }>('/api/spend?from=2000-01-01&to=2100-01-01');
    await offer.locator('[data-testid="reprice-apply"]').click();
    await page.locator('[data-testid="reprice-offer"][data-step="applied"]').waitFor();
    const afterApply = await env.get<{ total: { cost: string } }>('/api/spend?from=2000-01-01&to=2100-01-01');
    assert.ok(Decimal.parse(afterApply.total.cost).cmp(Decimal.parse(before.total.cost)) < 0, 'applied to recorded calls');

    page.once('dialog', (d) => void d.accept());
    await page.locator('[data-testid="remove-override"]').click();
    await page.locator('[data-testid="overrides-table"]').waitFor({ state: 'detached' });
    assert.equal(await callCost(), list, 'list price again');
    assert.deepEqual((await env.get<{ discounts: unknown[] }>('/api/price-overrides')).discounts, []);
  });
});
