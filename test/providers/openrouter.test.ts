import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyUsage, type ParseContext } from '../../src/providers/spec.js';
import { openrouterUsageParser } from '../../src/providers/openrouter/index.js';
import { fixtureBytes, fixtureJson, loadMeta } from '../helpers/fixtures.js';
import { assertBodyOnlyPayloadErrors, assertMeterNeverThrows, runMeter } from './openai-test-kit.js';

const ctx: ParseContext = { api: 'chat.completions' };

test('web search: server_tool_use_details.web_search_requests; usage.cost as exact decimal; cost_details in raw', () => {
  const body = fixtureJson('openrouter_chat_nonstream_cost_web_search.json') as { usage: Record<string, unknown> };
  const ex = openrouterUsageParser.fromBody(body, ctx);
  assert.deepEqual(ex?.usage, { ...emptyUsage(), input_tokens: 8174, output_tokens: 30, web_search_calls: 1 });
  assert.equal(ex?.provider_cost_usd, '0.0133176');
  assert.equal(ex?.service_tier, 'default');
  assert.deepEqual((ex?.raw as Record<string, unknown>).cost_details, body.usage.cost_details);
});

test('Anthropic via OpenRouter: 2649 = 1 uncached + 79 cache write + 2569 cache read', () => {
  const ex = openrouterUsageParser.fromBody(fixtureJson('openrouter_chat_nonstream_anthropic_cache_cost.json'), ctx);
  assert.deepEqual(ex?.usage, { ...emptyUsage(), input_tokens: 1, cache_write_tokens: 79, cache_read_tokens: 2569, output_tokens: 100 });
  assert.equal(ex?.provider_cost_usd, '0.00256995');
  assert.equal(Number(ex?.provider_cost_usd), loadMeta('openrouter_chat_nonstream_anthropic_cache_cost').provider_reported_cost_usd);
});

test('stream with ": OPENROUTER PROCESSING" comments: cost and web search on the last chunk', () => {
  const out = runMeter(openrouterUsageParser, ctx, [fixtureBytes('openrouter_chat_stream_cost_web_search.sse')]);
  assert.equal(out.extraction?.provider_cost_usd, '0.0133176');
  assert.equal(out.extraction?.usage.web_search_calls, 1);
  assert.equal(out.output_text, 'https://github.com/pydantic/pydantic-ai ');
});

test('cost in exponent notation is expanded without float maths', () => {
  const ex = openrouterUsageParser.fromBody({ usage: { prompt_tokens: 1, completion_tokens: 1, cost: 4.8e-5 } }, ctx);
  assert.equal(ex?.provider_cost_usd, '0.000048');
  const zero = openrouterUsageParser.fromBody({ usage: { prompt_tokens: 1, cost: 0 } }, ctx);
  assert.equal(zero?.provider_cost_usd, '0');
  const none = openrouterUsageParser.fromBody({ usage: { prompt_tokens: 1, cost: '0.1' } }, ctx);
  assert.equal(none?.provider_cost_usd, undefined);
});

test('stream: OpenRouter reasoning deltas accumulate', () => {
  const s = ': OPENROUTER PROCESSING\n\ndata: {"model":"x","choices":[{"delta":{"reasoning":"r1","content":"c1"}}]}\n\n';
  assert.equal(runMeter(openrouterUsageParser, ctx, [new TextEncoder().encode(s)]).output_text, 'c1r1');
});

test('property: openrouter meter never throws; fromBody throws only ProviderPayloadError', () => {
  assertMeterNeverThrows(openrouterUsageParser, ctx, 80);
  assertBodyOnlyPayloadErrors(openrouterUsageParser, ctx, 100);
});
