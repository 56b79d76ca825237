import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Catalog } from '../../src/pricing/catalog-schema.js';
import { PriceBook } from '../../src/pricing/price-book.js';
import { priceUsage, type PricingInput } from '../../src/pricing/cost.js';
import { emptyUsage, type Usage } from '../../src/providers/spec.js';

// A small hand-written catalog: every expected figure below is worked out by hand from these rates.
const catalog: Catalog = {
  version: 'test-1',
  models: [
    {
      provider: 'openai',
      model: 'o3',
      aliases: ['o3-2025-04-16'],
      prices: [
        { effective_from: '2025-04-16', source: 'test', rates: { input: '10', cache_read: '2.5', output: '40' } },
        {
          effective_from: '2025-06-10',
          source: 'test: 80% cut',
          rates: { input: '2', cache_read: '0.5', output: '8' },
          batch: { multiplier: '0.5' },
          service_tiers: { flex: { multiplier: '0.5' }, priority: { rates: { input: '3.5', cache_read: '0.875', output: '14' } } },
        },
      ],
    },
    {
      provider: 'anthropic',
      model: 'claude-sonnet-4-5',
      aliases: ['claude-sonnet-4-5-20250929'],
      prices: [
        {
          effective_from: '2025-09-29',
          source: 'test',
          rates: { input: '3', cache_read: '0.30', cache_write: '3.75', cache_write_1h: '6', output: '15', web_search_call: '0.01' },
          tiers: [{ above_input_tokens: 200000, rates: { input: '6', cache_read: '0.60', cache_write: '7.50', cache_write_1h: '12', output: '22.50' } }],
          batch: { multiplier: '0.5' },
        },
      ],
    },
    {
      provider: 'bedrock',
      model: 'anthropic.claude-haiku-4-5-20251001-v1:0',
      prices: [{ effective_from: '2025-10-01', source: 'test', rates: { input: '1', output: '5', cache_read: '0.1', cache_write: '1.25' }, regional_multiplier: '1.1' }],
    },
    {
      provider: 'openai',
      model: 'gpt-4o-mini',
      aliases: ['gpt-4o-mini-2024-07-18'],
      prices: [{ effective_from: '2024-07-18', source: 'test', rates: { input: '0.15', cache_read: '0.075', output: '0.60' }, fine_tuned: { rates: { input: '0.30', cache_read: '0.15', output: '1.20' } } }],
    },
    {
      provider: 'gemini',
      model: 'gemini-2.5-flash',
      prices: [{ effective_from: '2025-06-17', source: 'test', rates: { input: '0.30', cache_read: '0.03', audio_input: '1', audio_cache_read: '0.1', output: '2.5' } }],
    },
  ],
};

const book = new PriceBook([catalog]);
const u = (p: Partial<Usage>): Usage => ({ ...emptyUsage(), ...p });
const price = (p: Partial<PricingInput> & { provider: string; model: string; usage: Usage }) => priceUsage(book, { at: new Date('2025-11-01T00:00:00Z'), ...p });

test('effective dates: the day before and the day of a price change are priced differently', () => {
  const usage = u({ input_tokens: 1000, output_tokens: 1000 });
  const before = price({ provider: 'openai', model: 'o3', usage, at: new Date('2025-06-09T23:59:59Z') });
  const after = price({ provider: 'openai', model: 'o3', usage, at: new Date('2025-06-10T00:00:00Z') });
  assert.equal(before.cost?.total, '0.05'); // 1000*10/1e6 + 1000*40/1e6
  assert.equal(after.cost?.total, '0.01'); // 1000*2/1e6 + 1000*8/1e6
  assert.equal(before.priced_as?.effective_from, '2025-04-16');
  const tooEarly = price({ provider: 'openai', model: 'o3', usage, at: new Date('2024-01-01T00:00:00Z') });
  assert.equal(tooEarly.priced, false);
  assert.equal(tooEarly.cost, null);
});

test('dated snapshot names resolve to the family entry', () => {
  const r = price({ provider: 'openai', model: 'o3-2025-04-16', usage: u({ input_tokens: 1 }) });
  assert.equal(r.priced_as?.model, 'o3');
  const r2 = price({ provider: 'openai', model: 'o3-2099-01-01', usage: u({ input_tokens: 1 }) });
  assert.equal(r2.priced_as?.match, 'snapshot-date');
});

test('unknown model is unpriced with a reason, never $0', () => {
  const r = price({ provider: 'openai', model: 'gpt-unknown', usage: u({ input_tokens: 100 }) });
  assert.equal(r.priced, false);
  assert.equal(r.cost, null);
  assert.match(r.reason ?? '', /gpt-unknown/);
});

test('batch, flex and priority tiers', () => {
  const usage = u({ input_tokens: 1_000_000, cache_read_tokens: 1_000_000, output_tokens: 1_000_000 });
  assert.equal(price({ provider: 'openai', model: 'o3', usage }).cost?.total, '10.5');
  assert.equal(price({ provider: 'openai', model: 'o3', usage, batch: true }).cost?.total, '5.25');
  assert.equal(price({ provider: 'openai', model: 'o3', usage, service_tier: 'flex' }).cost?.total, '5.25');
  assert.equal(price({ provider: 'openai', model: 'o3', usage, service_tier: 'priority' }).cost?.total, '18.375');
  assert.equal(price({ provider: 'openai', model: 'o3', usage, service_tier: 'default' }).cost?.total, '10.5');
  const noFlex = price({ provider: 'openai', model: 'gpt-4o-mini', usage, service_tier: 'flex' });
  assert.equal(noFlex.cost?.total, '0.825');
  assert.ok(noFlex.notes.some((n) => n.includes('no flex price')));
});

test('cache writes: 5-minute at 1.25x and 1-hour at 2x', () => {
  const r = price({ provider: 'anthropic', model: 'claude-sonnet-4-5-20250929', usage: u({ cache_write_tokens: 1000, cache_write_1h_tokens: 1000 }) });
  assert.equal(r.cost?.cache_write, '0.00975'); // 1000*3.75/1e6 + 1000*6/1e6
});

test('long-context tier switches the whole request just above the threshold', () => {
  const at200k = price({ provider: 'anthropic', model: 'claude-sonnet-4-5', usage: u({ input_tokens: 199_000, cache_read_tokens: 1000, output_tokens: 1000 }) });
  assert.equal(at200k.cost?.total, '0.6123'); // 199000*3 + 1000*0.3 + 1000*15, /1e6
  const over = price({ provider: 'anthropic', model: 'claude-sonnet-4-5', usage: u({ input_tokens: 199_000, cache_read_tokens: 1001, output_tokens: 1000 }) });
  assert.equal(over.cost?.total, '1.2171006'); // 199000*6 + 1001*0.6 + 1000*22.5, /1e6
  const aggregate = price({ provider: 'anthropic', model: 'claude-sonnet-4-5', usage: u({ input_tokens: 950_648, output_tokens: 13_856 }), tier_basis_tokens: null });
  assert.equal(aggregate.cost?.total, '3.059784');
  const perIteration = price({ provider: 'anthropic', model: 'claude-sonnet-4-5', usage: u({ input_tokens: 300_000 }), tier_basis_tokens: 150_000 });
  assert.equal(perIteration.cost?.total, '0.9');
});

test('web search calls carry a per-call fee', () => {
  const r = price({ provider: 'anthropic', model: 'claude-sonnet-4-5', usage: u({ web_search_calls: 3 }) });
  assert.equal(r.cost?.tools, '0.03');
  const noFee = price({ provider: 'openai', model: 'o3', usage: u({ web_search_calls: 1 }) });
  assert.ok(noFee.notes.some((n) => n.includes('web-search')));
});

test('Bedrock geo profile ids resolve to the bare id with the regional multiplier', () => {
  const usage = u({ input_tokens: 1_000_000 });
  const geo = price({ provider: 'bedrock', model: 'us.anthropic.claude-haiku-4-5-20251001-v1:0', usage });
  assert.equal(geo.cost?.total, '1.1');
  const arn = price({ provider: 'bedrock', model: 'arn:aws:bedrock:us-east-1:123:inference-profile/eu.anthropic.claude-haiku-4-5-20251001-v1:0', usage });
  assert.equal(arn.cost?.total, '1.1');
  const bare = price({ provider: 'bedrock', model: 'anthropic.claude-haiku-4-5-20251001-v1:0', usage });
  assert.equal(bare.cost?.total, '1');
});

test('fine-tuned ids use fine-tune rates, or stay unpriced when there are none', () => {
  const usage = u({ input_tokens: 1_000_000, output_tokens: 1_000_000 });
  const ft = price({ provider: 'openai', model: 'ft:gpt-4o-mini-2024-07-18:acme::abc123', usage });
  assert.equal(ft.cost?.total, '1.5');
  const noFt = price({ provider: 'openai', model: 'ft:o3-2025-04-16:acme::x', usage });
  assert.equal(noFt.priced, false);
});

test('azure falls back to openai list prices; deployment names map through overrides', () => {
  const usage = u({ input_tokens: 1_000_000 });
  assert.equal(price({ provider: 'azure', model: 'gpt-4o-mini', usage }).cost?.total, '0.15');
  const mapped = new PriceBook([catalog], { discounts: [], models: [], deployments: { azure: { 'prod-chat': 'gpt-4o-mini' } } });
  assert.equal(priceUsage(mapped, { provider: 'azure', model: 'prod-chat', usage, at: new Date('2025-11-01Z') }).cost?.total, '0.15');
});

test('negotiated discounts are effective-dated and change the price version', () => {
  const discounted = new PriceBook([catalog], {
    discounts: [{ provider: 'anthropic', models: ['claude-sonnet-*'], percent: '12.5', effective_from: '2025-10-01' }],
    models: [],
    deployments: {},
  });
  assert.notEqual(discounted.version, book.version);
  const usage = u({ input_tokens: 100_000, output_tokens: 100_000 });
  const at = (d: string) => priceUsage(discounted, { provider: 'anthropic', model: 'claude-sonnet-4-5', usage, at: new Date(d) });
  assert.equal(at('2025-09-30T12:00:00Z').cost?.total, '1.8');
  assert.equal(at('2025-10-01T00:00:00Z').cost?.total, '1.575'); // 1.8 x 0.875
  assert.equal(priceUsage(discounted, { provider: 'openai', model: 'o3', usage, at: new Date('2025-11-01Z') }).cost?.total, '1');
});

test('custom prices in overrides win over the catalog', () => {
  const custom = new PriceBook([catalog], {
    discounts: [],
    deployments: {},
    models: [{ provider: 'openai', model: 'gpt-4o-mini', prices: [{ effective_from: '2024-01-01', source: 'contract', rates: { input: '0.1', output: '0.4' } }] }],
  });
  assert.equal(priceUsage(custom, { provider: 'openai', model: 'gpt-4o-mini', usage: u({ input_tokens: 1_000_000 }), at: new Date('2025-11-01Z') }).cost?.total, '0.1');
});

test('audio and cached audio use their own rates; reasoning falls back to output', () => {
  const r = price({ provider: 'gemini', model: 'gemini-2.5-flash', usage: u({ input_tokens: 298, audio_input_tokens: 36, cache_read_tokens: 15498, audio_cache_read_tokens: 1881, output_tokens: 68, reasoning_tokens: 821 }) });
  assert.equal(r.cost?.total, '0.00300094');
  assert.equal(r.cost?.audio, '0.0002241');
});

test('provisioned throughput costs nothing per token', () => {
  const r = price({ provider: 'gemini', model: 'gemini-2.5-flash', usage: u({ input_tokens: 1000, output_tokens: 10 }), traffic_type: 'provisioned' });
  assert.equal(r.priced, true);
  assert.equal(r.cost?.total, '0');
});

test('a provider-reported charge becomes the total and any gap is shown', () => {
  const usage = u({ input_tokens: 1_000_000 });
  const same = price({ provider: 'openai', model: 'gpt-4o-mini', usage, provider_cost_usd: '0.15' });
  assert.equal(same.cost?.source, 'price_book');
  const diff = price({ provider: 'openai', model: 'gpt-4o-mini', usage, provider_cost_usd: '0.16' });
  assert.equal(diff.cost?.total, '0.16');
  assert.equal(diff.cost?.other, '0.01');
  const unknown = price({ provider: 'openrouter', model: 'mystery/model', usage, provider_cost_usd: '0.2' });
  assert.equal(unknown.priced, true);
  assert.equal(unknown.cost?.total, '0.2');
});
