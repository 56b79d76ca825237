/**
 * Fuzz suite (fast-check) over every provider's body reader and stream meter and the ledger
 * importer: arbitrary bytes and hostile numbers (1e30, 2^53+1, -1, "12", NaN, 1e999, ...) never
 * throw anything but the typed ProviderPayloadError, and whatever is accepted is within the usage
 * bounds and prices to a finite, non-negative, bounded cost.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { checkImportLine, toLedgerRecord } from '../../src/ledger/ledger-import.js';
import { loadPriceBook } from '../../src/pricing/catalog-loader.js';
import { priceUsage } from '../../src/pricing/cost.js';
import { Decimal } from '../../src/pricing/decimal.js';
import { parserFor, PROVIDER_IDS, readProviderResponse } from '../../src/providers/registry.js';
import { ProviderPayloadError, USAGE_KINDS, type ApiKind, type Usage, type UsageExtraction } from '../../src/providers/spec.js';
import type { ProviderId } from '../../src/providers/registry.js';
import { MAX_REPORTED_CALL_USD, MAX_TOKENS_PER_KIND } from '../../src/providers/usage-bounds.js';

const book = loadPriceBook();
const RUNS = { numRuns: 150 };
/** 11 kinds x 10^12 tokens at $1 per token would be 1.1e13: no call may cost more than that. */
const COST_CEILING = Decimal.parse('1.1e13');
const API_KINDS: ApiKind[] = ['chat.completions', 'responses', 'embeddings', 'batch', 'realtime', 'messages', 'generateContent', 'converse', 'invoke', 'chat', 'embed'];
/** A priced model per provider, so accepted usage really goes through the price book. */
const MODEL: Partial<Record<ProviderId, string>> = { openai: 'gpt-4o-mini', azure: 'gpt-4o-mini', anthropic: 'claude-sonnet-4-5', gemini: 'gemini-2.5-flash', vertex: 'gemini-2.5-flash', bedrock: 'anthropic.claude-3-5-haiku-20241022-v1:0', mistral: 'mistral-small-latest', deepseek: 'deepseek-chat', xai: 'grok-3', groq: 'llama-3.1-8b-instant', cohere: 'command-r' };

const HOSTILE_NUMBERS: unknown[] = [1e30, 1e20, 2 ** 53 + 1, 2 ** 53, Number.MAX_SAFE_INTEGER, MAX_TOKENS_PER_KIND + 1, MAX_TOKENS_PER_KIND, -1, -0, 1.5, 1e308, NaN, Infinity, -Infinity, '12', 'NaN', '1e400', '-5', '', null, true, [], {}, 0, 7];
const hostile = fc.oneof(fc.constantFrom(...HOSTILE_NUMBERS), fc.integer({ min: 0, max: 100_000 }), fc.double(), fc.integer());
/** Number literals as they appear in raw JSON text: some parse to values the bounds must refuse. */
const hostileLiteral = fc.oneof(fc.constantFrom('1e30', '9007199254740993', '1e999', '-1e999', '-1', '1.0', '12e-1', '0.5e1', '"12"', '1E+12', '1000000000001', 'null', '-0'), fc.integer({ min: 0, max: 10_000 }).map(String));

const USAGE_KEYS = ['prompt_tokens', 'completion_tokens', 'total_tokens', 'input_tokens', 'output_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens', 'cached_tokens', 'reasoning_tokens', 'audio_tokens', 'image_tokens', 'promptTokenCount', 'candidatesTokenCount', 'cachedContentTokenCount', 'thoughtsTokenCount', 'toolUsePromptTokenCount', 'totalTokenCount', 'inputTokens', 'outputTokens', 'totalTokens', 'cacheReadInputTokens', 'cacheWriteInputTokens', 'prompt_cache_hit_tokens', 'prompt_cache_miss_tokens', 'web_search_requests', 'cost', 'cost_in_usd_ticks', 'ephemeral_5m_input_tokens', 'ephemeral_1h_input_tokens'];
const usageObject = fc.dictionary(fc.constantFrom(...USAGE_KEYS), hostile, { maxKeys: 8 }).chain((flat) =>
  fc.record({ flat: fc.constant(flat), details: fc.dictionary(fc.constantFrom('cached_tokens', 'reasoning_tokens', 'audio_tokens', 'image_tokens', 'ephemeral_5m_input_tokens', 'ephemeral_1h_input_tokens'), hostile, { maxKeys: 3 }) }).map(({ flat: f, details }) => ({
    ...f,
    prompt_tokens_details: details,
    completion_tokens_details: details,
    input_tokens_details: details,
    output_tokens_details: details,
    cache_creation: details,
    server_tool_use: details,
  })),
);

/** One body that carries the usage wherever any provider looks for it. */
const kitchenSinkBody = (u: Record<string, unknown>, model: string): Record<string, unknown> => ({
  id: 'x',
  object: 'chat.completion',
  type: 'message',
  model,
  modelVersion: model,
  choices: [],
  usage: u,
  usageMetadata: u,
  response: { object: 'response', model, usage: u, status: 'completed' },
  meta: { billed_units: u, tokens: u },
  metrics: { latencyMs: 1 },
});

function isTyped(e: unknown): boolean {
  return e instanceof ProviderPayloadError;
}

/** Whatever was accepted: bounded usage, bounded provider charge, and a price that is finite, >= 0 and bounded. */
function assertSound(provider: ProviderId, x: UsageExtraction | null): void {
  if (!x) return;
  for (const k of USAGE_KINDS) {
    const v = x.usage[k];
    assert.ok(Number.isSafeInteger(v) && v >= 0 && v <= MAX_TOKENS_PER_KIND, `${provider} ${k} = ${v}`);
  }
  if (x.provider_cost_usd !== undefined) {
    const c = Decimal.parse(x.provider_cost_usd);
    assert.ok(!c.isNegative() && c.cmp(Decimal.parse(MAX_REPORTED_CALL_USD)) <= 0, `${provider} reported cost ${x.provider_cost_usd}`);
  }
  const p = priceUsage(book, { provider, model: x.model ?? MODEL[provider] ?? 'gpt-4o-mini', usage: x.usage as Usage, at: new Date('2026-11-22T00:00:00Z'), provider_cost_usd: x.provider_cost_usd, tier_basis_tokens: x.tier_basis_tokens, service_tier: x.service_tier });
  if (p.cost) {
    for (const [part, amount] of Object.entries(p.cost)) {
      if (part === 'currency' || part === 'source') continue;
      const d = Decimal.tryParse(amount as string);
      assert.ok(d, `${provider} cost.${part} is a decimal: ${String(amount)}`);
      if (part !== 'other') assert.ok(!d.isNegative(), `${provider} cost.${part} is negative: ${String(amount)}`);
    }
    const total = Decimal.parse(p.cost.total);
    assert.ok(!total.isNegative() && total.cmp(COST_CEILING) <= 0, `${provider} total ${p.cost.total}`);
  }
}

describe('fuzz: provider body readers', () => {
  it('hostile usage objects: only ProviderPayloadError escapes; anything accepted is bounded and priced sanely', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PROVIDER_IDS), fc.constantFrom(...API_KINDS), usageObject, (provider, api, u) => {
        let x: UsageExtraction | null;
        try {
          x = parserFor(provider).fromBody(kitchenSinkBody(u, MODEL[provider] ?? 'm'), { api, model_requested: MODEL[provider] });
        } catch (e) {
          assert.ok(isTyped(e), `${provider}/${api} threw ${String(e)}`);
          return;
        }
        assertSound(provider, x);
      }),
      RUNS,
    );
  });

  it('raw JSON text with hostile number literals (1e999, 2^53+1, "12"): typed error or bounded usage', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PROVIDER_IDS), fc.array(fc.tuple(fc.constantFrom(...USAGE_KEYS), hostileLiteral), { minLength: 1, maxLength: 6 }), (provider, pairs) => {
        const u = `{${pairs.map(([k, v]) => `"${k}":${v}`).join(',')}}`;
        const text = `{"id":"x","object":"chat.completion","type":"message","model":"${MODEL[provider] ?? 'm'}","choices":[],"usage":${u},"usageMetadata":${u},"meta":{"billed_units":${u}}}`;
        let reading;
        try {
          reading = readProviderResponse(provider, new TextEncoder().encode(text));
        } catch (e) {
          assert.ok(isTyped(e), `${provider} threw ${String(e)}`);
          return;
        }
        assertSound(provider, reading.extraction);
      }),
      RUNS,
    );
  });

  it('arbitrary bytes: typed error or a sound reading', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PROVIDER_IDS), fc.oneof(fc.uint8Array({ maxLength: 512 }), fc.string({ maxLength: 300 }).map((s) => new TextEncoder().encode(s)), fc.json().map((s) => new TextEncoder().encode(s))), (provider, bytes) => {
        let reading;
        try {
          reading = readProviderResponse(provider, bytes);
        } catch (e) {
          assert.ok(isTyped(e), `${provider} threw ${String(e)}`);
          return;
        }
        assertSound(provider, reading.extraction);
      }),
      RUNS,
    );
  });
});

describe('fuzz: stream meters', () => {
  /** Usage-bearing SSE events in every provider's dialect, with hostile numbers, cut at arbitrary points. */
  const sseEvents = (u: Record<string, unknown>, model: string): string[] => [
    JSON.stringify({ id: 'c', object: 'chat.completion.chunk', model, choices: [{ index: 0, delta: { content: 'hi' } }] }),
    JSON.stringify({ id: 'c', object: 'chat.completion.chunk', model, choices: [], usage: u }),
    JSON.stringify({ type: 'message_start', message: { id: 'm', model, usage: u } }),
    JSON.stringify({ type: 'message_delta', delta: {}, usage: u }),
    JSON.stringify({ type: 'response.completed', response: { object: 'response', model, usage: u, status: 'completed' } }),
    JSON.stringify({ candidates: [{ content: { parts: [{ text: 'x' }] } }], usageMetadata: u, modelVersion: model }),
    JSON.stringify({ type: 'message-end', delta: { usage: { billed_units: u, tokens: u } } }),
  ];

  it('meters never throw (they run in the gateway); a refused usage is reported, never priced', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...PROVIDER_IDS),
        fc.constantFrom<ApiKind>('chat.completions', 'responses', 'messages', 'generateContent', 'chat', 'converse'),
        usageObject,
        fc.subarray([0, 1, 2, 3, 4, 5, 6]),
        fc.array(fc.integer({ min: 1, max: 64 }), { maxLength: 12 }),
        fc.uint8Array({ maxLength: 64 }),
        (provider, api, u, which, cuts, garbage) => {
          const events = sseEvents(u, MODEL[provider] ?? 'm');
          const text = which.map((i) => `data: ${events[i]}\n\n`).join('') + 'data: [DONE]\n\n';
          const bytes = Buffer.concat([Buffer.from(text), Buffer.from(garbage)]);
          const meter = parserFor(provider).createStreamMeter({ api, model_requested: MODEL[provider] });
          let at = 0;
          for (const c of cuts) {
            if (at >= bytes.length) break;
            meter.push(bytes.subarray(at, at + c));
            at += c;
          }
          if (at < bytes.length) meter.push(bytes.subarray(at));
          const outcome = meter.end();
          assertSound(provider, outcome.extraction);
          if (outcome.usage_problem !== undefined) assert.equal(typeof outcome.usage_problem, 'string');
          assert.equal(typeof outcome.output_text, 'string');
        },
      ),
      RUNS,
    );
  });
});

describe('fuzz: ledger importer', () => {
  const line = fc.record({
    usage: fc.dictionary(fc.constantFrom(...USAGE_KINDS), hostile, { maxKeys: 5 }),
    cost: fc.option(fc.dictionary(fc.constantFrom('total', 'input', 'output', 'other'), fc.oneof(fc.constantFrom('-1', '1e30', '1e400', 'NaN', '0.5', '12', '-0', '1e6', '1000001'), hostile), { maxKeys: 4 }), { nil: undefined }),
  });

  it('hostile lines are refused with a message or imported with bounded usage and a non-negative bounded cost', () => {
    fc.assert(
      fc.property(line, ({ usage, cost }) => {
        const text = JSON.stringify({ id: 'r1', started_at: '2026-11-22T08:00:00Z', provider: 'openai', model: 'gpt-4o-mini', usage, ...(cost ? { cost } : {}) });
        const checked = checkImportLine(text);
        if (!checked.ok) {
          assert.equal(typeof checked.error, 'string');
          return;
        }
        const r = toLedgerRecord(checked.record, book);
        for (const k of USAGE_KINDS) {
          const v = r.usage?.[k] ?? 0;
          assert.ok(Number.isSafeInteger(v) && v >= 0 && v <= MAX_TOKENS_PER_KIND, `${k} = ${v}`);
        }
        if (r.cost) {
          const total = Decimal.parse(r.cost.total);
          assert.ok(!total.isNegative() && total.cmp(COST_CEILING) <= 0, `total ${r.cost.total}`);
          assert.ok(!Decimal.parse(r.cost.other ?? '0').isNegative(), `other ${r.cost.other}`);
        }
      }),
      RUNS,
    );
  });

  it('arbitrary text never throws out of the line check', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 400 }), fc.json()), (text) => {
        const checked = checkImportLine(text);
        assert.equal(typeof checked.ok, 'boolean');
      }),
      RUNS,
    );
  });
});
