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

  test('recommendations with stacked savings, and a what-if re-pricing', async () => {
    const page = browser.page;
    await page.goto(`${rt.url}/?token=${encodeURIComponent(rt.adminToken)}#/advisor`);
    await page.locator('[data-testid="nav-advisor"]').waitFor();
    const items = page.locator('[data-testid="advisor-recommendations"] li');
    await items.first().waitFor();
    assert.deepEqual(await items.evaluateAll((els) => els.map((e) => e.getAttribute('data-kind'))), ['prompt_caching', 'output_limit', 'model_fit', 'batch']);
    assert.match(await items.nth(2).innerText(), /gpt-4o-mini/);
    assert.match(await page.locator('[data-testid="advisor-monthly"]').innerText(), /\$0\.41/);

    await page.locator('[data-testid="whatif-feature"]').fill('triage');
    await page.locator('[data-testid="whatif-model"]').fill('gpt-4o-mini');
    await page.locator('[data-testid="whatif-batch"]').check();
    await page.locator('[data-testid="whatif-run"]').click();
    const result = page.locator('[data-testid="whatif-result"]');
    await result.waitFor();
    // 1.078 -> 0.5129, saving 0.5651 (exact figures: test/advisor/what-if.test.ts), shown to the cent.
    assert.match(await result.innerText(), /40 calls: \$1\.08 → \$0\.51, saving \$0\.57/);
  });
});
