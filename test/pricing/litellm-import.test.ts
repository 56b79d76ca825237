/**
 * LiteLLM import against the real community catalog (copy of ../shared/reference, mirrored 2026-07-24).
 * Expected figures were read by hand from that file and converted per token -> per MTok.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { CatalogSchema, type ModelPrice } from '../../src/pricing/catalog-schema.js';
import {
  catalogFromLiteLLM,
  isLiteLLMFormat,
  litellmProviderToCostrail,
  perTokenToPerMTok,
  shiftDecimal,
} from '../../src/pricing/litellm-import.js';

const FILE = join(process.cwd(), 'test', 'fixtures', 'reference', 'litellm_model_prices.json');
const raw: unknown = JSON.parse(readFileSync(FILE, 'utf8'));
const OPTS = { effectiveFrom: '2026-07-24', source: 'LiteLLM model_prices_and_context_window.json mirrored 2026-07-24' };
const result = catalogFromLiteLLM(raw, OPTS);

function find(provider: string, model: string): ModelPrice {
  const m = result.catalog.models.find((x) => x.provider === provider && x.model === model);
  assert.ok(m, `missing ${provider}/${model}`);
  return m;
}

function only(m: ModelPrice) {
  assert.equal(m.prices.length, 1);
  const p = m.prices[0];
  assert.ok(p);
  return p;
}

test('the converted catalog validates against CatalogSchema and is non-trivial', () => {
  assert.equal(CatalogSchema.safeParse(result.catalog).success, true);
  assert.ok(result.catalog.models.length > 1500, `only ${result.catalog.models.length} models`);
  assert.equal(result.catalog.version, 'litellm-2026-07-24');
});

test('gpt-4o: base, cached, batch and priority rates, limits', () => {
  const m = find('openai', 'gpt-4o');
  assert.equal(m.mode, 'chat');
  assert.equal(m.context_window, 128000);
  assert.equal(m.max_output_tokens, 16384);
  const p = only(m);
  assert.equal(p.effective_from, '2026-07-24');
  assert.match(p.source, /LiteLLM key "gpt-4o"/);
  assert.deepEqual(p.rates, { input: '2.5', output: '10', cache_read: '1.25' });
  assert.deepEqual(p.batch, { rates: { input: '1.25', output: '5' } });
  assert.deepEqual(p.service_tiers, { priority: { rates: { input: '4.25', output: '17', cache_read: '2.125' } } });
  assert.equal(p.tiers, undefined);
});

test('claude-sonnet-4-5-20250929: cache writes (5m and 1h), web search and the >200K tier', () => {
  const p = only(find('anthropic', 'claude-sonnet-4-5-20250929'));
  assert.deepEqual(p.rates, {
    input: '3',
    output: '15',
    cache_read: '0.3',
    cache_write: '3.75',
    cache_write_1h: '6',
    web_search_call: '0.01',
  });
  assert.deepEqual(p.tiers, [
    { above_input_tokens: 200000, rates: { input: '6', output: '22.5', cache_read: '0.6', cache_write: '7.5', cache_write_1h: '12' } },
  ]);
});

test('Bedrock geo profile id is kept as the key, with the geo (x1.1) prices', () => {
  const m = find('bedrock', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0');
  const p = only(m);
  assert.deepEqual(p.rates, {
    input: '3.3',
    output: '16.5',
    cache_read: '0.33',
    cache_write: '4.125',
    cache_write_1h: '6.6',
    web_search_call: '0.01',
  });
  assert.deepEqual(p.tiers?.[0], {
    above_input_tokens: 200000,
    rates: { input: '6.6', output: '24.75', cache_read: '0.66', cache_write: '8.25', cache_write_1h: '13.2' },
  });
  // "bedrock/<region>/<id>" keys lose only the leading "bedrock/".
  assert.deepEqual(only(find('bedrock', 'us-east-1/anthropic.claude-instant-v1')).rates, { input: '0.8', output: '2.4' });
});

test('provider-prefixed keys: groq, xai', () => {
  const groq = find('groq', 'llama-3.3-70b-versatile');
  assert.equal(groq.context_window, 128000);
  assert.equal(groq.max_output_tokens, 32768);
  assert.deepEqual(only(groq).rates, { input: '0.59', output: '0.79' });
  assert.deepEqual(only(find('xai', 'grok-3-mini')).rates, { input: '0.3', output: '0.5', cache_read: '0.075' });
  // Only the first prefix goes: OpenRouter keeps the vendor part of its own id.
  assert.ok(find('openrouter', 'openai/gpt-4.1-mini'));
  assert.ok(find('groq', 'openai/gpt-oss-120b'));
});

test('gemini-2.5-pro: Vertex (bare key) and Gemini API (gemini/ key) both carry the >200K tier', () => {
  const vx = only(find('vertex', 'gemini-2.5-pro'));
  assert.deepEqual(vx.rates, { input: '1.25', output: '10', cache_read: '0.125', web_search_call: '0.035' });
  assert.deepEqual(vx.tiers, [{ above_input_tokens: 200000, rates: { input: '2.5', output: '15', cache_read: '0.25', cache_write: '0.25' } }]);
  const gm = only(find('gemini', 'gemini-2.5-pro'));
  assert.deepEqual(gm.tiers, [{ above_input_tokens: 200000, rates: { input: '2.5', output: '15', cache_read: '0.25' } }]);
  assert.equal(find('gemini', 'gemini-2.5-pro').context_window, 1048576);
});

test('audio, flex, 272K tier, 128K tier and regional multiplier fields', () => {
  const audio = only(find('openai', 'gpt-4o-audio-preview-2024-12-17'));
  assert.deepEqual(audio.rates, { input: '2.5', output: '10', audio_input: '40', audio_output: '80' });
  const sol = only(find('openai', 'gpt-5.6-sol'));
  assert.equal(sol.rates.cache_write, '6.25');
  assert.deepEqual(sol.tiers?.[0], { above_input_tokens: 272000, rates: { input: '10', output: '45', cache_read: '1', cache_write: '12.5' } });
  assert.deepEqual(sol.service_tiers?.flex?.rates, { input: '2.5', output: '15', cache_read: '0.25', cache_write: '3.125' });
  assert.equal(sol.regional_multiplier, '1.1');
  const grok = only(find('xai', 'grok-4-0709'));
  assert.deepEqual(grok.tiers, [{ above_input_tokens: 128000, rates: { input: '6', output: '30' } }]);
  const flash = only(find('gemini', 'gemini-2.5-flash'));
  assert.equal(flash.rates.audio_input, '1');
  assert.equal(flash.rates.reasoning, '2.5');
});

test('fine-tuned keys become the base model fine_tuned rates', () => {
  const p = only(find('openai', 'gpt-4o-mini-2024-07-18'));
  assert.deepEqual(p.fine_tuned, { rates: { input: '0.3', output: '1.2', cache_read: '0.15' } });
  assert.equal(result.catalog.models.some((m) => m.model.startsWith('ft:gpt-4o-mini')), false);
});

test('provider ids map to Costrail ids', () => {
  assert.equal(litellmProviderToCostrail('text-completion-openai'), 'openai');
  assert.equal(litellmProviderToCostrail('vertex_ai-anthropic_models'), 'vertex');
  assert.equal(litellmProviderToCostrail('bedrock_converse'), 'bedrock');
  assert.equal(litellmProviderToCostrail('azure_ai'), 'azure');
  assert.equal(litellmProviderToCostrail('together_ai'), 'together');
  assert.equal(litellmProviderToCostrail('cohere_chat'), 'cohere');
  assert.equal(litellmProviderToCostrail('fireworks_ai'), 'fireworks_ai');
  assert.ok(find('together', 'meta-llama/Llama-3.3-70B-Instruct-Turbo'));
  assert.ok(find('cohere', 'command-r7b-12-2024'));
  assert.ok(find('mistral', 'mistral-large-latest'));
  assert.ok(find('azure', 'gpt-4o'));
  assert.ok(find('deepseek', 'deepseek-chat'));
});

test('skipped entries carry reasons; non-token and example entries are skipped', () => {
  const reasons = new Map(result.skipped.map((s) => [s.key, s.reason]));
  assert.ok(result.skipped.length > 100);
  for (const s of result.skipped) assert.ok(s.reason.trim().length > 0, `${s.key} has no reason`);
  assert.match(reasons.get('sample_spec') ?? '', /example/);
  assert.match(reasons.get('dall-e-3') ?? '', /per image/);
  assert.match(reasons.get('whisper-1') ?? '', /per second/);
  assert.match(reasons.get('tts-1') ?? '', /per character/);
  assert.match(reasons.get('rerank-v3.5') ?? '', /per query/);
  // deepseek-chat and deepseek/deepseek-chat are the same model: the second is reported, not merged.
  assert.match(reasons.get('deepseek/deepseek-chat') ?? '', /duplicate of "deepseek-chat"/);
  // Embeddings have no output price and are still imported.
  assert.deepEqual(only(find('mistral', 'mistral-embed')).rates, { input: '0.1' });
});

test('names are unique per provider, case-insensitively', () => {
  const seen = new Set<string>();
  for (const m of result.catalog.models) {
    const k = `${m.provider}\u0000${m.model.toLowerCase()}`;
    assert.equal(seen.has(k), false, `duplicate ${m.provider}/${m.model}`);
    seen.add(k);
  }
});

test('isLiteLLMFormat tells LiteLLM files from Costrail catalogs', () => {
  assert.equal(isLiteLLMFormat(raw), true);
  assert.equal(isLiteLLMFormat(result.catalog), false);
  assert.equal(isLiteLLMFormat({ version: 'x', models: [] }), false);
  assert.equal(isLiteLLMFormat([]), false);
  assert.equal(isLiteLLMFormat(null), false);
  assert.equal(isLiteLLMFormat({ 'm-1': { input_cost_per_token: 1e-6, output_cost_per_token: 2e-6 } }), true);
});

test('per-token floats convert to exact per-MTok strings', () => {
  const cases: [number, string][] = [
    [3.3e-7, '0.33'],
    [1e-5, '10'],
    [2.5e-6, '2.5'],
    [1.25e-7, '0.125'],
    [5e-9, '0.005'],
    [6.25e-8, '0.0625'],
    [3.75e-8, '0.0375'],
    [2.16e-5, '21.6'],
    [1.1e-6, '1.1'],
    [0.00012, '120'],
    [0.000168, '168'],
    [4.125e-6, '4.125'],
    [1.5625e-6, '1.5625'],
    [0, '0'],
    [1, '1000000'],
    [1e21, '1000000000000000000000000000'],
  ];
  for (const [v, want] of cases) assert.equal(perTokenToPerMTok(v), want, String(v));
  assert.equal(shiftDecimal(0.0275, 0), '0.0275');
  assert.throws(() => perTokenToPerMTok(-1e-6));
  assert.throws(() => perTokenToPerMTok(Number.NaN));
});

/** Independent reference: a * 10^(6 - k) written out with BigInt arithmetic. */
function expected(a: bigint, k: number): string {
  const shift = 6 - k;
  if (shift >= 0) return (a * 10n ** BigInt(shift)).toString();
  const den = 10n ** BigInt(-shift);
  const whole = a / den;
  const frac = (a % den).toString().padStart(-shift, '0').replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : whole.toString();
}

test('property: String(a * 10^-k)-style inputs convert exactly', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: 999_999_999_999_999n }), fc.integer({ min: 0, max: 24 }), (a, k) => {
      // Number(`${a}e-${k}`) is the double nearest a*10^-k; its shortest text form has a's digits.
      const value = Number(`${a}e-${k}`);
      assert.equal(perTokenToPerMTok(value), expected(a, k));
    }),
    { numRuns: 2000 },
  );
});
