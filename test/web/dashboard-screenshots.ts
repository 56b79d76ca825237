/**
 * `npm run screenshots`: seeds a realistic ledger (demo traffic through the gateway and the
 * simulator, five weeks of synthetic history, the demo budgets, an unpriced model, a long agent
 * trace, alerts, a virtual key) and writes a PNG of every dashboard page at desktop (1440×900)
 * and phone (390×844) width into docs/screenshots/. Pages are read from the app's own navigation,
 * so a page added to it is captured without touching this file; detail views (a call, a trace, an
 * alert) are added by hand. Needs Chromium (COSTRAIL_CHROMIUM, default /usr/bin/chromium).
 * `-- --only overview,reconciliation` captures just the named shots (the seed is the same).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { alertServiceFor } from '../../src/alerts/alert-service.js';
import type { Alert } from '../../src/alerts/alert-types.js';
import { ensureDemoBudgets } from '../../src/demo/demo-setup.js';
import { emptyAttribution } from '../../src/ledger/ledger-record.js';
import { makeRecord } from '../store/ledger-fixtures.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { chromiumAvailable, CHROMIUM, openBrowser } from './browser.js';
import { startDashboardEnv, type DashboardEnv } from './dashboard-env.js';
import { seedAdvisor } from './advisor-seed.js';
import { seedEconomics } from './economics-seed.js';
import { seedBills } from './reconciliation-seed.js';

const OUT = path.join(REPO_ROOT, 'docs', 'screenshots');
const VIEWPORTS = [
  { name: 'desktop', width: 1440, height: 900 },
  { name: 'phone', width: 390, height: 844 },
] as const;

async function seed(env: DashboardEnv): Promise<{ call: { id: string; started_at: string }; trace: string; alert: string }> {
  const now = Date.now();
  const trace = 'agent-run-7f3a';
  const loop = Array.from({ length: 140 }, (_, i) =>
    makeRecord(i, { id: `shot-trace-${String(i).padStart(4, '0')}`, started_at: new Date(now - 2 * 3_600_000 + i * 1500).toISOString(), ended_at: new Date(now - 2 * 3_600_000 + i * 1500 + 1250).toISOString(), trace_id: trace, attribution: { ...emptyAttribution(), team: 'research', feature: 'deep-research', agent: i % 3 === 0 ? 'planner' : 'worker' } }),
  );
  const unpriced = [0, 1, 2, 3].map((i) =>
    makeRecord(900 + i, { id: `shot-unpriced-${i}`, started_at: new Date(now - 90 * 60_000 + i * 60_000).toISOString(), model: 'ft:acme-support-v2', model_requested: 'ft:acme-support-v2', cost: null, priced: false, price_version: null, unpriced_reason: 'no price for model ft:acme-support-v2', trace_id: null, attribution: { ...emptyAttribution(), team: 'support', feature: 'triage' } }),
  );
  // Response-cache hits on the support FAQ: cost 0, saved what the calls would have cost (the overview's savings flag).
  const hits = Array.from({ length: 12 }, (_, i) => {
    const r = makeRecord(950 + i, { id: `shot-cached-${i}`, started_at: new Date(now - 70 * 60_000 + i * 60_000).toISOString(), trace_id: null, attribution: { ...emptyAttribution(), team: 'support', feature: 'faq' } });
    const zero = r.cost && (Object.fromEntries(Object.entries(r.cost).map(([k, v]) => [k, k === 'currency' || k === 'source' ? v : '0'])) as typeof r.cost);
    return { ...r, status: 'cached' as const, cost: zero, saved: r.cost?.total ?? null, usage: null, usage_source: null, raw_usage: null };
  });
  await env.rt.store.insertRecords([...loop, ...unpriced, ...hits]);
  await ensureDemoBudgets(env.rt);
  await seedEconomics(env.rt.store);
  // The long agent trace delivered its report: the trace view and its agent runs show the outcome.
  await env.rt.store.economics.insertOutcomes([{ id: 'shot-outcome-7f3a', occurred_at: new Date(now - 3_600_000).toISOString(), type: 'report_delivered', success: true, trace_id: trace, call_ids: [], customer: null, feature: 'deep-research', team: 'research', value_usd: null, attributes: {} }]);
  await seedAdvisor(env.rt.store, env.rt.context.prices.current());
  await env.rt.writer.flush();
  // After the traffic is in the store: the bill is built from the ledger it reconciles against.
  await seedBills(env.rt.store, now);
  await env.rt.writer.flush();
  const repo = alertServiceFor(env.rt.store).repo;
  const base: Omit<Alert, 'id'> = {
    scope: { team: 'research' },
    kind: 'spend_velocity',
    severity: 'critical',
    observed: 48.2,
    expected: 6.1,
    expected_low: 3.9,
    expected_high: 8.4,
    unit: 'usd',
    window_minutes: 15,
    summary: 'Spend for team=research ran at $48.20 over 15 min, 7.9x the usual $6.10 (agent-run-7f3a made 140 calls).',
    status: 'open',
    detected_at: now - 25 * 60_000,
    last_seen_at: now - 4 * 60_000,
    acknowledged_at: null,
    resolved_at: null,
    resolved_by: null,
    peak_observed: 48.2,
    contributors: [
      { dimension: 'trace_id', value: trace, cost: '31.40', requests: 140 },
      { dimension: 'model', value: 'gpt-4o-mini', cost: '12.10', requests: 96 },
    ],
    link: '/#/explorer?team=research',
  };
  await repo.save({ ...base, id: 'shot-alert-velocity' });
  await repo.save({ ...base, id: 'shot-alert-error', kind: 'error_storm', severity: 'warning', scope: { provider: 'anthropic' }, unit: 'errors', observed: 61, expected: 2, expected_low: 0, expected_high: 5, peak_observed: 61, window_minutes: 5, status: 'acknowledged', acknowledged_at: now - 10 * 60_000, summary: 'provider=anthropic: 61 errors in 5 min (usually 2), 74% of calls.', contributors: [] });
  await repo.save({ ...base, id: 'shot-alert-new', kind: 'new_source', severity: 'info', scope: { team: 'support' }, status: 'resolved', resolved_at: now - 3_600_000, resolved_by: 'manual', summary: 'team=support started using ft:acme-support-v2 (no price known).', contributors: [] });
  const call = (await env.get<{ events: { id: string; started_at: string }[] }>('/api/events?limit=1&status=ok')).events[0];
  if (!call) throw new Error('no call to show');
  // The Prices page with a negotiated discount and a self-hosted model's price (after the traffic, so recorded costs stay at list).
  await env.send('POST', '/api/price-overrides/discounts', { provider: 'anthropic', percent: 15, effective_from: '2026-01-01', note: 'enterprise agreement 2026' });
  await env.send('POST', '/api/price-overrides/custom-prices', { provider: 'my-vllm', model: 'llama-3.1-70b', input: '0.20', output: '0.60', effective_from: '2026-01-01' });
  // Last: a virtual key ends pass-through, which the traffic above relied on.
  await env.send('POST', '/api/keys', { name: 'checkout-bot', team: 'growth', feature: 'checkout', end_pass_through: true });
  return { call, trace, alert: 'shot-alert-velocity' };
}

/** Waits until the page has its data: no spinner, and any chart drawn. */
async function settle(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle');
  // Locators, not waitForFunction: the dashboard's CSP forbids evaluating string predicates.
  for (const pending of ['.state.loading', '.chart-placeholder', '.chart:not([data-rendered="true"])']) {
    await page.locator(pending).first().waitFor({ state: 'detached', timeout: 30_000 });
  }
}

async function main(): Promise<void> {
  if (!chromiumAvailable()) throw new Error(`no Chromium at ${CHROMIUM} (set COSTRAIL_CHROMIUM)`);
  fs.mkdirSync(OUT, { recursive: true });
  const env = await startDashboardEnv({ demoCalls: 120, history: 4000 });
  const browser = await openBrowser({ timezoneId: 'UTC' });
  try {
    const { call, trace, alert } = await seed(env);
    const page = browser.page;
    await page.goto(`${env.rt.url}/?token=${encodeURIComponent(env.rt.adminToken)}`);
    await page.locator('[data-testid="who"]').waitFor();
    const pages = await page.locator('nav [data-testid^="nav-"]').evaluateAll((els) => els.map((e) => (e.getAttribute('data-testid') ?? '').slice(4)).filter(Boolean));
    // `ready`: a selector to wait for when the page loads more after settling (a what-if run on open).
    const shots: { name: string; hash: string; ready?: string }[] = [
      ...pages.map((p) => ({ name: p, hash: `#/${p}` })),
      { name: 'call-detail', hash: `#/requests?call=${encodeURIComponent(call.id)}&at=${encodeURIComponent(call.started_at)}` },
      { name: 'trace', hash: `#/requests/trace/${encodeURIComponent(trace)}` },
      { name: 'agent-run', hash: `#/requests/trace/${encodeURIComponent(trace)}?agent=worker` },
      { name: 'alert-detail', hash: `#/alerts?id=${alert}` },
      { name: 'explorer-by-trace', hash: '#/explorer?range=24h&granularity=none&group_by=trace_id' },
      { name: 'economics-compare', hash: '#/economics?range=30d&feature=support-bot&compare_by=prompt_version' },
      { name: 'advisor-whatif', hash: `#/advisor?${['model:gpt-4o->gpt-4o-mini where feature=classify', 'batch where feature=nightly-report', 'cache prefix where feature=support'].map((c) => `change=${encodeURIComponent(c)}`).join('&')}`, ready: '[data-testid="whatif-result"]' },
    ];
    const onlyAt = process.argv.indexOf('--only');
    const only = onlyAt >= 0 ? new Set((process.argv[onlyAt + 1] ?? '').split(',').filter(Boolean)) : null;
    const wanted = only ? shots.filter((s) => only.has(s.name)) : shots;
    if (only && wanted.length !== only.size) throw new Error(`--only: no such shot among ${shots.map((s) => s.name).join(', ')}`);
    const written: string[] = [];
    for (const vp of VIEWPORTS) {
      await page.setViewportSize({ width: vp.width, height: vp.height });
      for (const s of wanted) {
        await page.goto(`${env.rt.url}/${s.hash}`);
        await settle(page);
        if (s.ready) {
          await page.locator(s.ready).waitFor({ timeout: 60_000 });
          await settle(page);
        }
        const file = path.join(OUT, `${s.name}-${vp.name}.png`);
        // Generous: a full-page capture of a long list is slow on a busy machine.
        await page.screenshot({ path: file, fullPage: true, timeout: 120_000 });
        written.push(path.relative(REPO_ROOT, file));
        process.stdout.write(`  ${path.relative(REPO_ROOT, file)}\n`);
      }
    }
    process.stdout.write(`${written.length} screenshots:\n${written.map((w) => `  ${w}`).join('\n')}\n`);
  } finally {
    await browser.close();
    await env.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
