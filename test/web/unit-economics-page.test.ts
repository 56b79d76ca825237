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
  test('agents: cost per run and per successful run, the runs filtered by outcome, a run opening its calls', async () => {
    const page = browser.page;
    await page.goto(`${rt.url}/?token=${encodeURIComponent(rt.adminToken)}#/economics`);
    const agents = page.locator('[data-testid="ue-agents"] tbody tr');
    await agents.first().waitFor();
    // Costliest first. extractor: 140 runs, $3.00, 106 successful; $0.20 in the 20 runs without an outcome.
    assert.deepEqual(await agents.locator('td:first-child').allInnerTexts(), ['extractor', 'support-agent']);
    const exact = async (row: number, col: number) => page.locator('[data-testid="ue-agents"] tbody tr').nth(row).locator('td').nth(col).locator('.money').getAttribute('data-exact');
    assert.equal(await exact(0, 3), '3');
    assert.equal(await exact(0, 4), '0.021428571428571429'); // 3 / 140
    assert.equal(await exact(0, 5), '0.026415094339622642'); // (3 − 0.2) / 106
    assert.equal(await exact(1, 4), '0.007'); // 1.68 / 240
    assert.equal(await exact(1, 5), '0.011666666666666667'); // 1.68 / 144
    assert.equal((await agents.nth(0).locator('td').allInnerTexts())[2], '88.3%'); // 106 / 120 runs with an outcome

    // Failed runs of support-agent only, each linking to its agent's calls in the trace view.
    await page.locator('[data-testid="ue-run-agent"]').selectOption('support-agent');
    await page.locator('[data-testid="ue-run-status"]').selectOption('failed');
    const runs = page.locator('[data-testid="ue-runs"] tbody tr');
    // The previous list stays on screen while the filtered one loads: wait until no other run is left.
    await runs.filter({ hasNotText: 'failed' }).first().waitFor({ state: 'detached' });
    await runs.filter({ hasNotText: 'support-agent' }).first().waitFor({ state: 'detached' });
    await runs.first().waitFor();
    assert.equal(await runs.count(), 20);
    assert.ok((await runs.allInnerTexts()).every((t) => t.includes('support-agent') && t.includes('failed')));
    await runs.first().locator('[data-testid="run-link"]').click();
    await page.waitForURL(/#\/requests\/trace\/ue-support-bot-\d+\?agent=support-agent/);
    await page.locator('[data-testid="trace-run-status"]', { hasText: 'failed' }).waitFor();
    assert.match(await page.locator('.card', { hasText: 'Run of agent' }).innerText(), /Run of agent support-agent in trace ue-support-bot-/);
    assert.deepEqual(await page.locator('[data-testid="wf-status"]').allInnerTexts(), ['ok', 'ok']);
    assert.match(await page.locator('[data-testid="trace-cost"] .money').getAttribute('data-exact') ?? '', /^0\.00[68]$/);
  });
});
