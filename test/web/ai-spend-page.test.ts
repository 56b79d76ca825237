/**
 * The All AI spend page in headless Chromium: a month of card lines (test/web/ai-spend-seed.ts)
 * shows the API's exact total and shadow spend; confirming a queued line through the review queue
 * adds a descriptor rule, takes the line out of the queue and moves the total by exactly its amount.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Decimal } from '../../src/pricing/decimal.js';
import { startCostrail, type CostrailRuntime } from '../../src/server/costrail-runtime.js';
import type { ExpenseRule } from '../../src/store/spend-source.js';
import { tempDir } from '../helpers/temp-dir.js';
import { seedAiSpend } from './ai-spend-seed.js';
import { chromiumAvailable, openBrowser, type Browser } from './browser.js';

const skip = !chromiumAvailable() && process.env['CI'] !== 'true' ? 'no Chromium at /usr/bin/chromium' : false;
const DAY = 86_400_000;

describe('All AI spend page', { skip }, () => {
  let rt: CostrailRuntime;
  let browser: Browser;
  before(async () => {
    rt = await startCostrail({ port: 0, dataDir: tempDir('costrail-ai-spend-page-'), quiet: true, upstreams: {} });
    await seedAiSpend(rt.store);
    browser = await openBrowser({ timezoneId: 'UTC' });
  });
  after(async () => {
    await browser?.close();
    await rt?.close();
  });

  const get = async <T>(p: string): Promise<T> => {
    const res = await fetch(`${rt.url}${p}`, { headers: { authorization: `Bearer ${rt.adminToken}` } });
    assert.equal(res.status, 200, p);
    return (await res.json()) as T;
  };

  test('shows the exact total; confirming a queued match adds a rule and raises the total by that line', async () => {
    // The page's default range: this UTC month up to the end of today.
    const now = Date.now();
    const d = new Date(now);
    const range = new URLSearchParams({ from: new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1)).toISOString(), to: new Date(Math.floor(now / DAY) * DAY + DAY).toISOString() });
    const before = await get<{ total: string }>(`/api/ai-spend?${range.toString()}&by=category`);
    const status = await get<{ rows: { key: string; amount_usd: string }[] }>(`/api/ai-spend?${range.toString()}&by=status`);
    // The seed's matched lines, exactly: 393.99, of which Midjourney's 90 is shadow.
    assert.equal(before.total, '393.99');
    assert.equal(status.rows.find((r) => r.key === 'unsanctioned')?.amount_usd, '90');

    const page = browser.page;
    await page.goto(`${rt.url}/?token=${encodeURIComponent(rt.adminToken)}#/ai-spend`);
    await page.locator('[data-testid="ai-spend-total-value"]').waitFor();
    assert.equal(await page.locator('[data-testid="ai-spend-total-value"]').getAttribute('data-exact'), before.total);
    // Loaded by a request of its own: wait for it rather than read it early.
    await page.locator('[data-testid="ai-spend-shadow"] .money[data-exact="90"]').waitFor();
    await page.locator('[data-testid="ai-spend-trend"][data-rendered="true"]').waitFor();
    assert.ok((await page.locator('[data-testid="ai-spend-findings"] tbody tr').count()) > 0, 'findings listed');

    const queued = page.locator('li.review-line').filter({ hasText: 'ACME NEURAL LABS 4411' });
    await queued.getByTestId('review-confirm-open').click();
    await queued.getByTestId('review-vendor').fill('Acme Neural');
    await queued.getByTestId('review-product').fill('Acme Support Copilot');
    await queued.getByTestId('review-category').selectOption('chat_assistant');
    await queued.getByTestId('review-confirm').click();
    await page.getByTestId('review-done').waitFor();
    assert.match(await page.getByTestId('review-done').innerText(), /rule "ACME NEURAL LABS" added/);

    const want = Decimal.parse(before.total).add(Decimal.parse('45.00')).toString();
    await page.locator(`[data-testid="ai-spend-total-value"][data-exact="${want}"]`).waitFor();
    assert.equal(await page.locator('li.review-line').filter({ hasText: 'ACME NEURAL LABS 4411' }).count(), 0, 'the line left the queue');
    const rules = await get<{ rules: ExpenseRule[] }>('/api/inventory/rules');
    assert.deepEqual(rules.rules, [{ pattern: 'ACME NEURAL LABS', vendor: 'Acme Neural', product: 'Acme Support Copilot', category: 'chat_assistant' }]);
    const after = await get<{ total: string }>(`/api/ai-spend?${range.toString()}&by=category`);
    assert.equal(after.total, want);
  });
});
