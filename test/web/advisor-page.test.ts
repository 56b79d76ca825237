/**
 * The Advisor page in headless Chromium, on the synthetic month moved to the last days (priced by
 * price-overrides.json): the stacked recommendations with their exact savings, and a what-if.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startCostrail, type CostrailRuntime } from '../../src/server/costrail-runtime.js';
import { tempDir } from '../helpers/temp-dir.js';
import { ADVISOR_FROM, ADVISOR_MODELS, advisorLedger } from '../advisor/advisor-fixtures.js';
import { chromiumAvailable, openBrowser, type Browser } from './browser.js';

const skip = !chromiumAvailable() && process.env['CI'] !== 'true' ? 'no Chromium at /usr/bin/chromium' : false;

describe('Advisor page', { skip }, () => {
  let rt: CostrailRuntime;
  let browser: Browser;
  before(async () => {
    const dataDir = tempDir('costrail-advisor-page-');
    fs.writeFileSync(path.join(dataDir, 'price-overrides.json'), JSON.stringify({ models: ADVISOR_MODELS }));
    rt = await startCostrail({ port: 0, dataDir, quiet: true, upstreams: {} });
    // The fixture's days 1-5 become the last 10 days before now, same spacing within each day.
    const shift = Date.now() - 10 * 86_400_000 - Date.parse(ADVISOR_FROM);
    await rt.store.insertRecords(advisorLedger().map((r) => ({ ...r, started_at: new Date(Date.parse(r.started_at) + shift).toISOString() })));
    browser = await openBrowser();
  });
  after(async () => {
    await browser?.close();
    await rt?.close();
  });

  test('recommendations with evidence and confidence, and a what-if in the change grammar with inline errors', async () => {
    const page = browser.page;
    await page.goto(`${rt.url}/?token=${encodeURIComponent(rt.adminToken)}#/advisor`);
    await page.locator('[data-testid="nav-advisor"]').waitFor();
    const items = page.locator('[data-testid="advisor-recommendations"] li');
    await items.first().waitFor();
    assert.deepEqual(await items.evaluateAll((els) => els.map((e) => e.getAttribute('data-kind'))), ['prompt_caching', 'output_limit', 'model_fit', 'batch']);
    assert.deepEqual(await items.evaluateAll((els) => els.map((e) => e.getAttribute('data-confidence'))), ['estimated', 'estimated', 'estimated', 'estimated']);
    assert.match(await items.nth(2).innerText(), /gpt-4o-mini/);
    // The evidence behind each finding: the caching break-even (12.5 - 10) / (12.5 - 1).
    assert.match(await items.nth(0).locator('[data-testid="advisor-evidence"]').innerText(), /break even hit rate: 0\.2174/);
    assert.match(await page.locator('[data-testid="advisor-monthly"]').innerText(), /\$0\.41/);

    // A change that does not parse is named on its line, by the server's parser; nothing runs.
    const changes = page.locator('[data-testid="whatif-changes"]');
    await changes.fill('model:gpt-4o->gpt-4o-mini where feature=triage\nprice provider=openai 12');
    const errors = page.locator('[data-testid="whatif-errors"] li');
    await errors.first().waitFor();
    assert.equal(await errors.first().getAttribute('data-line'), '2');
    assert.match(await errors.first().innerText(), /line 2: change "price provider=openai 12": "12" is not a signed percentage/);
    assert.equal(await page.locator('[data-testid="whatif-run"]').isDisabled(), true);

    // Fixed, plus the batch change added from the batch recommendation's "Try in what-if".
    await changes.fill('model:gpt-4o->gpt-4o-mini where feature=triage');
    await items.nth(3).locator('[data-testid="advisor-try"]').click();
    assert.equal(await changes.inputValue(), 'model:gpt-4o->gpt-4o-mini where feature=triage\nbatch where feature=triage');
    await errors.first().waitFor({ state: 'detached' });
    await page.locator('[data-testid="whatif-run"]:not([disabled])').click();
    const result = page.locator('[data-testid="whatif-result"]');
    await result.waitFor();
    // triage: 0.058 -> 0.0029 (the mini at batch rates); the rest unchanged: 1.078 -> 1.0229, shown to the cent.
    assert.match(await page.locator('[data-testid="whatif-total"]').innerText(), /40 calls: \$1\.08 → \$1\.02, saving \$0\.055/);
    const byFeature = await page.locator('[data-testid="whatif-by-feature"] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-key') ?? r.querySelector('td')?.textContent));
    assert.deepEqual(byFeature, ['triage', 'support', 'summaries']);
    // By day (UTC): every call of the window on some day, once.
    const perDay = await page.locator('[data-testid="whatif-by-day"] tbody tr td:nth-child(2)').allInnerTexts();
    assert.equal(perDay.reduce((a, n) => a + Number(n), 0), 40);
  });

  test('opened with changes in the address, the what-if runs them', async () => {
    const page = browser.page;
    await page.goto(`${rt.url}/#/advisor?change=${encodeURIComponent('batch')}`);
    await page.locator('[data-testid="whatif-result"]').waitFor();
    // Everything at half price: 1.078 / 2.
    assert.match(await page.locator('[data-testid="whatif-total"]').innerText(), /\$1\.08 → \$0\.54/);
  });
});
