/**
 * Issue 13: every confirmed catalog error and every added model prices to the provider's published
 * arithmetic at its date, using the shipped catalog (data/prices.json + data/model-aliases.json).
 * Each expected figure is worked out by hand in the comment beside it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadPriceBook } from '../../src/pricing/catalog-loader.js';
import { priceUsage } from '../../src/pricing/cost.js';
import { emptyUsage, type Usage } from '../../src/providers/spec.js';

const book = loadPriceBook();

function usage(u: Partial<Usage>): Usage {
  return { ...emptyUsage(), ...u };
}

function total(provider: string, model: string, at: string, u: Partial<Usage>): string {
  const r = priceUsage(book, { provider, model, usage: usage(u), at: new Date(at) });
  assert.equal(r.priced, true, `${provider}/${model} at ${at} unpriced: ${r.reason}`);
  return r.cost?.total ?? 'null';
}

// 100k input stays under every long-context threshold; output never counts toward one.
const M = { input_tokens: 100_000 };
const MO = { output_tokens: 1_000_000 };

test('claude-sonnet-5 stays at $2/$10 after 2026-09-01 (the rise was cancelled)', () => {
  // 100k in x $2 + 1M out x $10 = $10.20, before and after September (the old catalog gave 15.30 after).
  assert.equal(total('anthropic', 'claude-sonnet-5', '2026-08-15T00:00:00Z', { ...M, ...MO }), '10.2');
  assert.equal(total('anthropic', 'claude-sonnet-5', '2026-11-01T00:00:00Z', { ...M, ...MO }), '10.2');
  // 1h write 4, 5m write 2.50, read 0.20: 1M each = 6.70.
  assert.equal(total('anthropic', 'claude-sonnet-5', '2026-11-01T00:00:00Z', { cache_write_1h_tokens: 1_000_000, cache_write_tokens: 1_000_000, cache_read_tokens: 1_000_000 }), '6.7');
});

test('gpt-5.6-sol: 5/0.50/30 before 2026-08-21, 4/0.40/20 with 1.25x writes from it', () => {
  const u = { input_tokens: 10_000, cache_read_tokens: 10_000, cache_write_tokens: 10_000, output_tokens: 10_000 };
  // before: 0.01 x (5 + 0.5 + 6.25 + 30) = 0.4175
  assert.equal(total('openai', 'gpt-5.6-sol', '2026-08-20T23:59:59Z', u), '0.4175');
  // from: 0.01 x (4 + 0.4 + 5 + 20) = 0.294
  assert.equal(total('openai', 'gpt-5.6-sol', '2026-08-21T00:00:00Z', u), '0.294');
});

test('gpt-5.6-terra 2/12 and gpt-5.6-luna 0.20/0.02/1.20 from 2026-07-30, older calls at the old rates', () => {
  assert.equal(total('openai', 'gpt-5.6-terra', '2026-07-29T12:00:00Z', { ...M, ...MO }), '15.25'); // 0.1 x 2.5 + 15
  assert.equal(total('openai', 'gpt-5.6-terra', '2026-07-30T00:00:00Z', { ...M, ...MO }), '12.2'); // 0.1 x 2 + 12
  assert.equal(total('openai', 'gpt-5.6-luna', '2026-07-29T12:00:00Z', { ...M, ...MO }), '6.1'); // 0.1 x 1 + 6
  assert.equal(total('openai', 'gpt-5.6-luna', '2026-08-01T00:00:00Z', { ...M, ...MO, cache_read_tokens: 100_000 }), '1.222'); // 0.02 + 1.2 + 0.002
});

test('-pro and search-preview models bill cached tokens as input; grok-4-0709 has its $0.75 cached rate', () => {
  // 100k cached tokens: at the input rate 30 -> 3 (the old $3 cached rate gave 0.3), 2.5 -> 0.25, grok 0.75 -> 0.075.
  assert.equal(total('openai', 'gpt-5.4-pro', '2026-10-01T00:00:00Z', { cache_read_tokens: 100_000 }), '3');
  assert.equal(total('openai', 'gpt-5.5-pro', '2026-10-01T00:00:00Z', { cache_read_tokens: 100_000 }), '3');
  assert.equal(total('openai', 'gpt-4o-search-preview', '2026-10-01T00:00:00Z', { cache_read_tokens: 100_000 }), '0.25');
  assert.equal(total('xai', 'grok-4-0709', '2026-10-01T00:00:00Z', { cache_read_tokens: 100_000 }), '0.075');
});

test('open-mistral-nemo is 0.15/0.15 after the cut and 0.30 before it', () => {
  assert.equal(total('mistral', 'open-mistral-nemo', '2024-08-01T00:00:00Z', MO), '0.3');
  assert.equal(total('mistral', 'open-mistral-nemo', '2026-10-01T00:00:00Z', MO), '0.15');
});

test('tier boundaries: grok-4.3/4.5 and gpt-5.6 at >=; Claude Sonnet 4 and grok-4 at >', () => {
  const at = '2026-10-01T00:00:00Z';
  // grok-4.3: 199,999 input at 1.25 = 0.24999875; exactly 200,000 is already long-context: 200,000 x 2.5 = 0.5.
  assert.equal(total('xai', 'grok-4.3', at, { input_tokens: 199_999 }), '0.24999875');
  assert.equal(total('xai', 'grok-4.3', at, { input_tokens: 200_000 }), '0.5');
  assert.equal(total('xai', 'grok-4.5', at, { input_tokens: 200_000 }), '0.8'); // x 4
  assert.equal(total('xai', 'grok-4.7', at, { input_tokens: 200_000 }), '0.8');
  // gpt-5.6-sol after the cut: 272,000 input is long-context (8): 2.176; 271,999 at 4 = 1.087996.
  assert.equal(total('openai', 'gpt-5.6-sol', at, { input_tokens: 271_999 }), '1.087996');
  assert.equal(total('openai', 'gpt-5.6-sol', at, { input_tokens: 272_000 }), '2.176');
  // gpt-6-sol says "more than 272K": 272,000 stays at 2 = 0.544; 272,001 moves to 4 = 1.088004.
  assert.equal(total('openai', 'gpt-6-sol', at, { input_tokens: 272_000 }), '0.544');
  assert.equal(total('openai', 'gpt-6-sol', at, { input_tokens: 272_001 }), '1.088004');
  // Claude Sonnet 4 (kept as it was): 200,000 at 3 = 0.6; 200,001 at 6 = 1.200006.
  assert.equal(total('anthropic', 'claude-sonnet-4-20250514', at, { input_tokens: 200_000 }), '0.6');
  assert.equal(total('anthropic', 'claude-sonnet-4-20250514', at, { input_tokens: 200_001 }), '1.200006');
  // grok-4 (kept): 128,000 at 3 = 0.384; 128,001 at 6 = 0.768006.
  assert.equal(total('xai', 'grok-4-0709', at, { input_tokens: 128_000 }), '0.384');
  assert.equal(total('xai', 'grok-4-0709', at, { input_tokens: 128_001 }), '0.768006');
});

test('DeepSeek peak hours (Beijing time, start instant) bill twice off-peak; weekends off-peak from 2026-08-23', () => {
  const u = { input_tokens: 1_000_000, cache_read_tokens: 1_000_000, output_tokens: 1_000_000 };
  // Wed 2026-10-21 08:59:59 Beijing = 00:59:59Z: off-peak V4 Pro 0.66 + 0.022 + 1.98 = 2.662.
  assert.equal(total('deepseek', 'deepseek-v4-pro', '2026-10-21T00:59:59Z', u), '2.662');
  // 09:00:00 Beijing = 01:00:00Z: peak 1.32 + 0.044 + 3.96 = 5.324.
  assert.equal(total('deepseek', 'deepseek-v4-pro', '2026-10-21T01:00:00Z', u), '5.324');
  // 12:00 Beijing (lunch) is off-peak again; 17:59 is peak; 18:00 is off-peak.
  assert.equal(total('deepseek', 'deepseek-v4-pro', '2026-10-21T04:00:00Z', u), '2.662');
  assert.equal(total('deepseek', 'deepseek-v4-pro', '2026-10-21T09:59:00Z', u), '5.324');
  assert.equal(total('deepseek', 'deepseek-v4-pro', '2026-10-21T10:00:00Z', u), '2.662');
  // Saturday 2026-10-24 10:00 Beijing: off-peak from 2026-08-23 on.
  assert.equal(total('deepseek', 'deepseek-v4-pro', '2026-10-24T02:00:00Z', u), '2.662');
  // Saturday 2026-08-22 10:00 Beijing, before the weekend rule: peak.
  assert.equal(total('deepseek', 'deepseek-v4-pro', '2026-08-22T02:00:00Z', u), '5.324');
  // deepseek-flash (V4.1 Flash): off-peak 0.15 + 0.003 + 0.60 = 0.753, peak 1.506.
  assert.equal(total('deepseek', 'deepseek-flash', '2026-11-02T00:00:00Z', u), '0.753');
  assert.equal(total('deepseek', 'deepseek-flash', '2026-11-02T02:00:00Z', u), '1.506');
  // The legacy v4-flash name bills at Flash prices from 2026-10-16, and at the flat V4 price before 2026-08-17.
  assert.equal(total('deepseek', 'deepseek-v4-flash', '2026-11-02T00:00:00Z', u), '0.753');
  assert.equal(total('deepseek', 'deepseek-v4-flash', '2026-08-01T02:00:00Z', u), '0.4228'); // 0.14 + 0.0028 + 0.28
});

test('moving aliases resolve to the dated model of the call date, which the result names', () => {
  const r = priceUsage(book, { provider: 'mistral', model: 'mistral-small-latest', usage: usage({ ...M, ...MO }), at: new Date('2026-10-01T00:00:00Z') });
  assert.equal(r.priced, true, r.reason);
  assert.equal(r.cost?.total, '0.615'); // mistral-small-2603: 0.1 x 0.15 + 0.60
  assert.equal(r.resolved_model, 'mistral-small-2603');
  // Before the alias pointed at Small 4, it meant a model this catalog does not price: unpriced, never a wrong figure.
  const early = priceUsage(book, { provider: 'mistral', model: 'mistral-small-latest', usage: usage(M), at: new Date('2026-01-01T00:00:00Z') });
  assert.equal(early.priced, false);
  const flash = priceUsage(book, { provider: 'gemini', model: 'gemini-flash-latest', usage: usage(M), at: new Date('2026-08-01T00:00:00Z') });
  assert.equal(flash.resolved_model, 'gemini-3.6-flash');
  assert.equal(flash.cost?.total, '0.15'); // 0.1 x 1.50 (launch price)
  // A dated name is no alias: nothing is rewritten.
  assert.equal(priceUsage(book, { provider: 'mistral', model: 'mistral-small-2603', usage: usage(M), at: new Date('2026-10-01T00:00:00Z') }).resolved_model, undefined);
});

test('every model issue 13 found unpriced now prices at its published rates', () => {
  const at = '2026-11-20T00:00:00Z';
  // 100k input + 1M output, i.e. input rate / 10 + output rate.
  const cases: Array<[string, string, string]> = [
    ['gemini', 'gemini-3.6-flash', '3.825'], // promo 0.075 + 3.75
    ['gemini', 'gemini-3.7-flash', '3.825'],
    ['gemini', 'gemini-3.8-flash', '3.825'],
    ['mistral', 'mistral-small-latest', '0.615'],
    ['mistral', 'magistral-medium-2507', '5.2'],
    ['cohere', 'command-a-reasoning-08-2025', '10.25'],
    ['cohere', 'command-a', '10.25'],
    ['openai', 'gpt-6-sol', '10.2'],
    ['openai', 'gpt-6-luna', '0.51'],
    ['openai', 'gpt-6-astra', '51'],
    ['anthropic', 'claude-opus-5-5', '20.4'],
    ['anthropic', 'claude-sonnet-5-5', '10.2'],
    ['anthropic', 'claude-fable-5-1', '51'],
    ['anthropic', 'claude-fable-5-2', '40.8'],
    ['xai', 'grok-4.6', '6.2'],
    ['xai', 'grok-4.7', '6.2'],
    ['deepseek', 'deepseek-flash', '0.615'], // Friday 2026-11-20 08:00 Beijing: off-peak
    ['mistral', 'codestral-latest', '0.93'],
    ['mistral', 'ministral-3b-2512', '0.11'],
    ['mistral', 'ministral-14b-2512', '0.22'],
  ];
  for (const [p, m, want] of cases) assert.equal(total(p, m, at, { ...M, ...MO }), want, `${p}/${m}`);
  // Gemini 3.6-3.8 Flash promotional rates end 2026-12-31.
  assert.equal(total('gemini', 'gemini-3.8-flash', '2027-01-01T00:00:00Z', { ...M, ...MO }), '7.65');
});
