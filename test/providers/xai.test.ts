import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyUsage, type ParseContext } from '../../src/providers/spec.js';
import { xaiUsageParser } from '../../src/providers/xai/index.js';
import { fixtureJson, loadMeta } from '../helpers/fixtures.js';
import { assertBodyOnlyPayloadErrors, assertMeterNeverThrows, runMeter } from './openai-test-kit.js';

const ctx: ParseContext = { api: 'chat.completions' };

test('reasoning 320 is outside completion 2: billed output = 2 + 320; cost from ticks', () => {
  const ex = xaiUsageParser.fromBody(fixtureJson('xai_chat_nonstream_reasoning_outside_completion.json'), ctx);
  assert.deepEqual(ex?.usage, { ...emptyUsage(), input_tokens: 10, cache_read_tokens: 2, output_tokens: 2, reasoning_tokens: 320 });
  assert.equal(ex?.provider_cost_usd, '0.00016415');
  const meta = loadMeta('xai_chat_nonstream_reasoning_outside_completion');
  assert.equal(Number(ex?.provider_cost_usd), meta.provider_reported_cost_usd);
  assert.equal(ex?.details, undefined, 'num_sources_used 0 is not reported');
});

test('Live Search sources go to details; odd tick values are dropped, not fatal', () => {
  const ex = xaiUsageParser.fromBody(
    { model: 'grok-3', usage: { prompt_tokens: 5, completion_tokens: 1, num_sources_used: 3, cost_in_usd_ticks: 12.5 } },
    ctx,
  );
  assert.deepEqual(ex?.details, { num_sources_used: 3 });
  assert.equal(ex?.provider_cost_usd, undefined);
  const big = xaiUsageParser.fromBody({ usage: { prompt_tokens: 1, cost_in_usd_ticks: '123456789012345678901' } }, ctx);
  assert.equal(big?.provider_cost_usd, '12345678901.2345678901');
});

test('stream: usage on the last chunk, reasoning_content accumulated', () => {
  const s =
    'data: {"model":"grok-3-mini","choices":[{"delta":{"reasoning_content":"Hmm."}}]}\n\n' +
    'data: {"model":"grok-3-mini","choices":[{"delta":{"content":"Grok"}}]}\n\n' +
    'data: {"model":"grok-3-mini","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":2,"total_tokens":334,"prompt_tokens_details":{"cached_tokens":2},"completion_tokens_details":{"reasoning_tokens":320},"cost_in_usd_ticks":1641500}}\n\n' +
    'data: [DONE]\n\n';
  const out = runMeter(xaiUsageParser, ctx, [new TextEncoder().encode(s)]);
  assert.equal(out.output_text, 'Hmm.Grok');
  assert.equal(out.extraction?.usage.output_tokens, 2);
  assert.equal(out.extraction?.usage.reasoning_tokens, 320);
  assert.equal(out.extraction?.provider_cost_usd, '0.00016415');
});

test('property: xai meter never throws; fromBody throws only ProviderPayloadError', () => {
  assertMeterNeverThrows(xaiUsageParser, ctx, 80);
  assertBodyOnlyPayloadErrors(xaiUsageParser, ctx, 100);
});
