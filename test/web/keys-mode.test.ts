/**
 * The Keys page says which key mode the gateway is in, and creating the first virtual key asks
 * first, saying that provider-key calls will get 401 afterwards. Headless Chromium, as
 * dashboard.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { chromiumAvailable, openBrowser, type Browser } from './browser.js';
import { startDashboardEnv, type DashboardEnv } from './dashboard-env.js';

const skip = !chromiumAvailable() && process.env['CI'] !== 'true' ? 'no Chromium at /usr/bin/chromium' : false;

describe('Keys page: key mode', { skip }, () => {
  let env: DashboardEnv;
  let browser: Browser;
  let page: Page;
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

  test('shows pass-through, asks before the first key, and shows virtual keys after it', async () => {
    await page.goto(`${env.rt.url}/#/keys`);
    const mode = page.locator('[data-testid="key-mode"]');
    assert.equal(await mode.getAttribute('data-mode'), 'pass-through');
    assert.match(await mode.innerText(), /Pass-through/);

    await page.locator('[data-testid="new-key"]').click();
    await page.locator('[data-testid="key-form"] input[name="name"]').fill('first-key');
    await page.locator('[data-testid="key-form"] button[type="submit"]').first().click();
    const dialog = page.locator('[data-testid="end-pass-through"]');
    assert.match(await dialog.innerText(), /provider key.*401 invalid_api_key.*keys\.pass_through: true/s);
    await dialog.locator('button', { hasText: 'Back' }).click();
    await dialog.waitFor({ state: 'detached' });
    assert.equal((await env.get<{ keys: unknown[]; key_mode: string }>('/api/keys')).key_mode, 'pass-through', 'nothing created on Back');

    await page.locator('[data-testid="key-form"] button[type="submit"]').first().click();
    await page.locator('[data-testid="confirm-end-pass-through"]').click();
    assert.match(await page.locator('[data-testid="new-secret"] .secret-value').innerText(), /^cr_/);
    await page.reload();
    await page.locator('[data-testid="key-first-key"]').waitFor();
    assert.equal(await page.locator('[data-testid="key-mode"]').getAttribute('data-mode'), 'virtual-keys');
    assert.match(await page.locator('[data-testid="key-mode"]').innerText(), /refused \(401\)/);
  });
});
