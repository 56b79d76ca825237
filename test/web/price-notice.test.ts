/**
 * The top bar's price-coverage notice in headless Chromium: hidden while every call is priced,
 * shown with the count once a call the price book cannot price reaches the ledger.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startCostrail, type CostrailRuntime } from '../../src/server/costrail-runtime.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { chromiumAvailable, openBrowser, type Browser } from './browser.js';

const skip = !chromiumAvailable() && process.env['CI'] !== 'true' ? 'no Chromium at /usr/bin/chromium' : false;

describe('price-coverage notice', { skip }, () => {
  let rt: CostrailRuntime;
  let sim: Simulator;
  let browser: Browser;
  let dataDir: string;
  const chat = (model: string) =>
    fetch(`${rt.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: 'Bearer sk-client', 'content-type': 'application/json' }, body: JSON.stringify({ model, max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] }) }).then((r) => r.text());

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'costrail-notice-'));
    sim = await startSimulator({ chunkDelayMs: 1 });
    rt = await startCostrail({ port: 0, dataDir, quiet: true, upstreams: { openai: `${sim.url}/v1`, anthropic: sim.url, gemini: sim.url } });
    browser = await openBrowser();
  });
  after(async () => {
    await browser?.close();
    await rt?.close();
    await sim?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('absent while every call is priced, then counts the unpriced calls and links to them', async () => {
    await chat('gpt-4o-mini');
    await rt.writer.flush();
    const page = browser.page;
    await page.goto(`${rt.url}/?token=${encodeURIComponent(rt.adminToken)}#/overview`);
    await page.locator('[data-testid="who"]').waitFor();
    // The notice's own request must have answered before its absence means anything.
    await page.waitForLoadState('networkidle');
    assert.equal(await page.locator('[data-testid="price-notice"]').count(), 0);

    await chat('gpt-model-nobody-prices');
    await chat('gpt-model-nobody-prices');
    await rt.writer.flush();
    await page.reload();
    const notice = page.locator('[data-testid="price-notice"]');
    await notice.waitFor();
    assert.equal(await notice.locator('strong').innerText(), '2');
    assert.match((await notice.getAttribute('href')) ?? '', /explorer.*group_by=model.*sort=unpriced/);
  });
});
