/**
 * The routing table without the network: rule matching by model, attribution, time window and
 * budget state; deterministic splits; cheapest-capable against the price book; back-off and
 * Retry-After bounds; config errors that name their entry (a cross-shape entry without a
 * translator among them).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProviderRouter } from '../../src/gateway/provider-router.js';
import { routeRequest, type Route } from '../../src/gateway/route.js';
import { emptyAttribution, type Attribution } from '../../src/ledger/ledger-record.js';
import { loadPriceBook } from '../../src/pricing/catalog-loader.js';
import { builtinCapabilities } from '../../src/routing/model-capabilities.js';
import { backoffMs, retryAfterMs, retryPolicyFrom } from '../../src/routing/retry-policy.js';
import { RetrySchema, RoutingSectionSchema, type RoutingSectionInput } from '../../src/routing/routing-schema.js';
import { RoutingTable, type BudgetUsageView } from '../../src/routing/routing-table.js';
import { splitBucket } from '../../src/routing/weighted-split.js';
import { ZoneClock } from '../../src/routing/zone-clock.js';
import { translatorFor } from '../../src/translation/translators.js';
import { routingFromConfig } from '../../src/config/routing-config.js';
import { loadServeConfig, ServeConfigSchema } from '../../src/config/serve-config.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp-dir.js';

const book = loadPriceBook();
const router = new ProviderRouter({ upstreams: { openai: 'http://o/v1', anthropic: 'http://a', gemini: 'http://g' }, named: { backup: { baseUrl: 'http://b/v1' } } });
const table = (s: RoutingSectionInput, budgets?: BudgetUsageView) => new RoutingTable(RoutingSectionSchema.parse(s), { router, book, capabilities: builtinCapabilities(), budgets });
const chat = routeRequest('/v1/chat/completions') as Route;
const who = (a: Partial<Attribution> = {}): Attribution => ({ ...emptyAttribution(), ...a });
// Wednesday 2026-12-02 10:30 UTC.
const WED_1030 = Date.UTC(2026, 11, 2, 10, 30);
const call = (model: string, a: Partial<Attribution> = {}, now = WED_1030, traceId: string | null = null) => ({ route: chat, model, attribution: who(a), traceId, requestId: 'req-1', now });

test('first matching rule wins: model pattern (case-insensitive), attribution, provider', () => {
  const t = table({
    rules: [
      { id: 'search-4o', match: { model: 'GPT-4o', team: 'search', priority: 'background' }, target: { provider: 'openai', model: 'gpt-4o-mini' } },
      { id: 'any-4o', match: { model: 'gpt-4o*', provider: 'openai' }, target: { provider: 'backup', model: 'gpt-4o' } },
    ],
  });
  assert.equal(t.decide(call('gpt-4o', { team: 'search', priority: 'background' }))?.ruleId, 'search-4o');
  assert.equal(t.decide(call('gpt-4o', { team: 'search' }))?.ruleId, 'any-4o');
  assert.equal(t.decide(call('gpt-4o-2024-08-06'))?.target?.label, 'backup/gpt-4o');
  assert.equal(t.decide(call('o3')), undefined);
  // Hostile input: an absurd model name never reaches the patterns; a pattern cannot have many stars.
  assert.equal(t.decide(call(`gpt-4o${'a'.repeat(100_000)}`)), undefined);
  assert.throws(() => RoutingSectionSchema.parse({ rules: [{ id: 'r', match: { model: 'a*b*c*d*e*f' }, target: { provider: 'openai', model: 'm' } }] }), /at most four \*/);
});

test('the config file: a routing: section is read with the rest, an unknown key named with its section', () => {
  const dir = tempDir('costrail-routing-yaml-');
  const file = join(dir, 'costrail.yaml');
  writeFileSync(file, ['routing:', '  retry: { max_attempts: 3 }', '  rules:', '    - id: r1', '      match: { team: search, model: "gpt-4o" }', '      target: { provider: openai, model: gpt-4o-mini }', ''].join('\n'));
  const cfg = loadServeConfig(file);
  assert.equal(cfg.routing?.rules[0]?.id, 'r1');
  assert.equal(cfg.routing?.retry.max_attempts, 3);
  writeFileSync(file, 'routing:\n  rule: []\n');
  assert.throws(() => loadServeConfig(file), /unknown key "routing\.rule" \(known: rules, pools, fallbacks, retry\)/);
});

test('time windows in a zone, wrapping past midnight, by weekday', () => {
  const t = table({
    rules: [
      { id: 'office', match: { time: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00', timezone: 'Europe/Paris' } }, target: { provider: 'openai', model: 'gpt-4o' } },
      { id: 'night', match: { time: { from: '22:00', to: '06:00' } }, target: { provider: 'openai', model: 'gpt-4o-mini' } },
    ],
  });
  assert.equal(t.decide(call('m'))?.ruleId, 'office'); // 11:30 in Paris on a Wednesday
  assert.equal(t.decide(call('m', {}, Date.UTC(2026, 11, 5, 10, 30))), undefined); // Saturday
  assert.equal(t.decide(call('m', {}, Date.UTC(2026, 11, 2, 23, 0)))?.ruleId, 'night');
  assert.equal(t.decide(call('m', {}, Date.UTC(2026, 11, 3, 5, 59)))?.ruleId, 'night');
  assert.equal(t.decide(call('m', {}, Date.UTC(2026, 11, 3, 6, 0))), undefined);
  const ny = new ZoneClock('America/New_York').at(Date.UTC(2026, 6, 1, 3, 15)); // 23:15 EDT on Tuesday 30 June
  assert.deepEqual([ny.weekday, ny.minute], [1, 23 * 60 + 15]);
  assert.throws(() => table({ rules: [{ id: 'x', match: { time: { timezone: 'Mars/Base' } }, target: { provider: 'openai', model: 'm' } }] }), /match\.time\.timezone: "Mars\/Base"/);
});

test('budget state: a rule applies from the fraction it names, by budget name or id', () => {
  let used = 0.5;
  const view: BudgetUsageView = { usedFraction: (n) => (n === 'search-monthly' || n === 'budget-1' ? used : undefined) };
  const t = table({ rules: [{ id: 'b', match: { model: 'gpt-4o', budget: { name: 'search-monthly', used_at_least: 0.8 } }, target: { provider: 'openai', model: 'gpt-4o-mini' } }] }, view);
  assert.equal(t.decide(call('gpt-4o')), undefined);
  used = 0.8;
  assert.equal(t.decide(call('gpt-4o'))?.plan?.model, 'gpt-4o-mini');
  const missing = table({ rules: [{ id: 'b', match: { budget: { name: 'nope', used_at_least: 0 } }, target: { provider: 'openai', model: 'x' } }] }, view);
  assert.equal(missing.decide(call('gpt-4o')), undefined, 'an unknown budget never matches');
});

test('weighted split: deterministic per trace, proportional to the weights', () => {
  const t = table({ rules: [{ id: 'ab', split: [{ arm: 'a', weight: 3, provider: 'openai', model: 'gpt-4o' }, { arm: 'b', weight: 1, provider: 'openai', model: 'gpt-4o-mini' }, { arm: 'off', weight: 0, provider: 'openai', model: 'o3' }] }] });
  const counts: Record<string, number> = {};
  for (let i = 0; i < 4000; i++) {
    const d = t.decide(call('m', {}, WED_1030, `trace-${i}`));
    assert.equal(d?.arm, t.decide(call('m', {}, WED_1030, `trace-${i}`))?.arm);
    counts[d?.arm ?? '?'] = (counts[d?.arm ?? '?'] ?? 0) + 1;
  }
  assert.equal(counts['off'], undefined);
  assert.ok((counts['a'] ?? 0) > 2800 && (counts['a'] ?? 0) < 3200, JSON.stringify(counts));
  assert.equal(splitBucket('same', 100), splitBucket('same', 100));
});

test('cheapest_capable: the cheapest pool model with the needs, from the price book', () => {
  const t = table({
    pools: { p: { models: ['openai/gpt-4o', 'openai/gpt-4o-mini', 'openai/gpt-3.5-turbo', 'anthropic/claude-haiku-4-5'] } },
    rules: [
      { id: 'cheap', match: { team: 'a' }, cheapest_capable: { pool: 'p' } },
      { id: 'long', match: { team: 'b' }, cheapest_capable: { pool: 'p', requires: { context_tokens: 150000 } } },
      { id: 'json-vision', match: { team: 'c' }, cheapest_capable: { pool: 'p', requires: { vision: true, json_mode: true } } },
    ],
  });
  // gpt-4o-mini $0.15/$0.60 < gpt-3.5-turbo $0.50/$1.50 < claude-haiku-4-5 $1/$5 < gpt-4o $2.50/$10.
  assert.equal(t.decide(call('m', { team: 'a' }))?.plan?.model, 'gpt-4o-mini');
  assert.equal(t.decide(call('m', { team: 'b' }))?.target?.label, 'anthropic/claude-haiku-4-5');
  assert.equal(t.decide(call('m', { team: 'c' }))?.plan?.model, 'gpt-4o-mini');
  const why = t.explain().find((e) => e.rule === 'long');
  assert.equal(why?.candidates.find((c) => c.model === 'gpt-4o-mini')?.excluded, 'context window 128000 < 150000');
  assert.throws(() => table({ pools: { p: { models: ['openai/gpt-3.5-turbo'] } }, rules: [{ id: 'v', cheapest_capable: { pool: 'p', requires: { vision: true } } }] }), /no model in pool "p" meets .*gpt-3\.5-turbo: no vision/);
  assert.throws(() => table({ rules: [{ id: 'v', cheapest_capable: { pool: 'nope' } }] }), /cheapest_capable\.pool: no pool "nope"/);
});

test('fallback chains: the rule its own, else the first entry matching the failed model and provider', () => {
  const t = table({
    rules: [{ id: 'r', match: { team: 'x' }, target: { provider: 'openai', model: 'gpt-4o' }, fallbacks: [{ provider: 'backup', model: 'gpt-4o' }] }],
    fallbacks: [
      { match: 'gpt-4o', provider: 'backup', chain: [{ provider: 'openai', model: 'gpt-4o-mini' }] },
      { match: 'gpt-4o*', chain: [{ provider: 'backup', model: 'gpt-4o-mini' }] },
    ],
  });
  const d = t.decide(call('gpt-4o', { team: 'x' }));
  assert.deepEqual(t.fallbacksFor(d, 'openai', 'gpt-4o').map((c) => c.label), ['backup/gpt-4o']);
  assert.deepEqual(t.fallbacksFor(undefined, 'openai', 'gpt-4o').map((c) => c.label), ['backup/gpt-4o-mini']);
  assert.deepEqual(t.fallbacksFor(undefined, 'backup', 'gpt-4o').map((c) => c.label), ['openai/gpt-4o-mini']);
  assert.deepEqual(t.fallbacksFor(undefined, 'openai', 'o3'), []);
});

test('config errors name the entry: unknown provider, a provider that takes no shape, a translation nobody provides', () => {
  assert.throws(() => table({ rules: [{ id: 'r', target: { provider: 'nosuch', model: 'm' } }] }), /routing\.rules\[0\] \(r\)\.target\.provider: "nosuch"/);
  assert.throws(() => table({ fallbacks: [{ match: '*', chain: [{ provider: 'cohere', model: 'command-r' }] }] }), /routing\.fallbacks\[0\]\.chain\[0\]: cohere\/command-r cannot serve any client API/);
  const cross = { rules: [{ id: 'x', match: { api: 'chat.completions' as const }, target: { provider: 'anthropic', model: 'claude-haiku-4-5', api: 'messages' as const } }] };
  if (translatorFor('chat.completions', 'messages') === undefined) {
    assert.throws(() => table(cross), /routing\.rules\[0\] \(x\)\.target: anthropic\/claude-haiku-4-5 speaks messages, and no translator from chat\.completions to messages/);
  } else {
    assert.equal(table(cross).decide(call('gpt-4o'))?.plan?.translator?.to, 'messages');
  }
  // Without an explicit shape, Anthropic serves OpenAI-shaped calls on its OpenAI-compatible endpoint (no translation).
  const compat = table({ rules: [{ id: 'y', target: { provider: 'anthropic', model: 'claude-haiku-4-5' } }] });
  assert.equal(compat.decide(call('gpt-4o'))?.plan?.translator, undefined);
  assert.throws(() => RoutingSectionSchema.parse({ rules: [{ id: 'z', target: { provider: 'openai', model: 'a' }, split: [{ arm: 'a', weight: 1, provider: 'openai', model: 'b' }] }] }), /exactly one of target, cheapest_capable, split/);
  assert.throws(() => RoutingSectionSchema.parse({ rules: [{ id: 'z', match: { tem: 'x' }, target: { provider: 'openai', model: 'a' } }] }));
  // The serve config's routing: section is checked when the file is loaded.
  assert.throws(() => routingFromConfig(ServeConfigSchema.parse({ routing: { rules: [{ id: 'r', target: { provider: 'nosuch', model: 'm' } }] } }), {}), /routing\.rules\[0\] \(r\)\.target\.provider/);
});

test('back-off: jittered, doubling, at least Retry-After, bounded per wait and in total', () => {
  const p = retryPolicyFrom(RetrySchema.parse({ max_attempts: 4, base_delay_ms: 100, max_delay_ms: 1000, max_total_wait_ms: 1500 }));
  assert.equal(backoffMs(p, 1, undefined, 0, () => 0.999), 99);
  assert.equal(backoffMs(p, 3, undefined, 0, () => 0.999), 399);
  assert.equal(backoffMs(p, 10, undefined, 0, () => 0.5), 500, 'capped at max_delay_ms');
  assert.equal(backoffMs(p, 1, 700, 0, () => 0), 700, 'never sooner than the provider asked');
  assert.equal(backoffMs(p, 1, 2000, 0, () => 0), undefined, 'a Retry-After beyond max_delay_ms is not waited for');
  assert.equal(backoffMs(p, 1, 700, 900, () => 0), undefined, 'nor one past the total');
  assert.equal(retryAfterMs({ 'retry-after': '2' }), 2000);
  assert.equal(retryAfterMs({ 'retry-after-ms': '150', 'retry-after': '9' }), 150);
  assert.equal(retryAfterMs({ 'retry-after': new Date(Date.UTC(2026, 0, 1, 0, 0, 3)).toUTCString() }, Date.UTC(2026, 0, 1)), 3000);
  assert.equal(retryAfterMs({ 'retry-after': 'soon' }), undefined);
});
