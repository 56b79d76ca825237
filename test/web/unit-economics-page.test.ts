/**
 * The Unit economics page in headless Chromium: cost per outcome by feature with unlinked cost
 * shown apart, the margin table sortable and worst-first, the A/B comparison naming its test, and
 * revenue in a second currency refused until a rate is given.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startCostrail, type CostrailRuntime } from '../../src/server/costrail-runtime.js';
import { tempDir } from '../helpers/temp-dir.js';
import { chromiumAvailable, openBrowser, type Browser } from './browser.js';
import { seedEconomics } from './economics-seed.js';

const skip = !chromiumAvailable() && process.env['CI'] !== 'true' ? 'no Chromium at /usr/bin/chromium' : false;

describe('Unit economics page', { skip }, () => {
  let rt: CostrailRuntime;
  let browser: Browser;
  before(async () => {
    rt = await startCostrail({ port: 0, dataDir: tempDir('costrail-ue-page-'), quiet: true, upstreams: {} });
    await seedEconomics(rt.store, Date.now() - 2 * 3_600_000, ['USD', 'EUR']);
    browser = await openBrowser();
  });
  after(async () => {
    await browser?.close();
    await rt?.close();
  });

  test('features, margins (refused without a rate, then worst first) and the comparison', async () => {
    const page = browser.page;
    await page.goto(`${rt.url}/?token=${encodeURIComponent(rt.adminToken)}#/economics`);
    await page.locator('[data-testid="nav-economics"]').waitFor();
    const features = page.locator('[data-testid="ue-features"] tbody tr');
    await features.first().waitFor();
    // Costliest first: doc-extract $3.00 (1.00 + 2.00), support-bot $1.68.
    assert.deepEqual(await features.locator('td:first-child').allInnerTexts(), ['doc-extract', 'support-bot']);
    const support = await features.nth(1).locator('td').allInnerTexts();
    // 240 outcomes, 84 (v1) + 60 (v2) = 144 successful: 60.0%.
    assert.equal(support[2], '240');
    assert.equal(support[3], '60.0%');
    await page.locator('[data-testid="ue-unlinked"]').waitFor();
    assert.match(await page.locator('[data-testid="ue-unlinked"]').innerText(), /\$0\.20 of \$4\.68 belongs to no outcome/);

    // EUR revenue without a rate: the margin is refused, naming the currency.
    const marginCard = page.locator('.card', { hasText: 'Customer margin' });
    await marginCard.locator('.error').waitFor();
    assert.match(await marginCard.innerText(), /EUR \(acme\)/);
    await page.locator('[data-testid="ue-rates"]').fill('EUR=1.08');
    await page.locator('[data-testid="ue-rates"]').blur();
    const margins = page.locator('[data-testid="ue-margin"] tbody tr');
    await margins.first().waitFor();
    // Worst margin first: initech (cost, no revenue), then globex (revenue below cost), then acme.
    assert.deepEqual(await margins.locator('td:first-child').allInnerTexts(), ['initech', 'globex', 'acme']);
    await page.locator('[data-testid="ue-margin"] th', { hasText: 'Gross margin' }).locator('button').click();
    assert.deepEqual(await margins.locator('td:first-child').allInnerTexts(), ['acme', 'globex', 'initech']);

    // The comparison of the first feature with outcomes; v1 and v2 differ (70% vs 50%, n = 120 each).
    await page.locator('[data-testid="ue-compare-feature"]').selectOption('support-bot');
    await page.locator('[data-testid="ue-compare"]', { hasText: 'v2' }).waitFor();
    const text = await page.locator('[data-testid="ue-compare"]').innerText();
    assert.match(text, /v1 \(baseline\)|v2 \(baseline\)/);
    assert.match(text, /yes/);
    assert.match(await page.locator('.card', { hasText: 'Prompt and model comparison' }).innerText(), /two-proportion z-test/);
  });

  test('the trace view shows the outcome of the run beside its calls and cost', async () => {
    const page = browser.page;
    await page.goto(`${rt.url}/?token=${encodeURIComponent(rt.adminToken)}#/requests/trace/ue-support-bot-0`);
    const outcome = page.locator('[data-testid="trace-outcome"]', { hasText: 'ticket_resolved' });
    await outcome.waitFor();
    assert.match(await outcome.innerText(), /ticket_resolved: success/);
    assert.equal(await page.locator('[data-testid="waterfall"] li').count(), 2);
  });
});
