import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyUsage, type ParseContext } from '../../src/providers/spec.js';
import { azureUsageParser } from '../../src/providers/azure/index.js';
import { fixtureBytes, fixtureJson } from '../helpers/fixtures.js';
import { assertBodyOnlyPayloadErrors, assertMeterNeverThrows, runMeter } from './openai-test-kit.js';

const ctx: ParseContext = { api: 'chat.completions', model_requested: 'gpt-4o' };

test('non-stream: content filter results ignored; model from the response, not the deployment', () => {
  const ex = azureUsageParser.fromBody(fixtureJson('azure_chat_nonstream_prompt_filter.json'), ctx);
  assert.deepEqual(ex?.usage, { ...emptyUsage(), input_tokens: 14, output_tokens: 9 });
  assert.equal(ex?.model, 'gpt-4o-2024-11-20');
  assert.equal(azureUsageParser.id, 'azure');
});

test('model-router stream: the empty first chunk names no model; the served model is billed', () => {
  const m = azureUsageParser.createStreamMeter({ api: 'chat.completions', model_requested: 'model-router' });
  const bytes = fixtureBytes('azure_chat_stream_reasoning_prompt_filter.sse');
  const firstEventEnd = new TextDecoder().decode(bytes).indexOf('\n\n') + 2;
  m.push(bytes.subarray(0, firstEventEnd));
  m.push(bytes.subarray(firstEventEnd));
  const out = m.end();
  assert.equal(out.model, 'gpt-5-nano-2025-08-07');
  assert.deepEqual(out.extraction?.usage, { ...emptyUsage(), input_tokens: 15, output_tokens: 14, reasoning_tokens: 64 });
  assert.ok(out.output_text.includes('Denmark'));
});

test('a stream cut after the prompt-filter chunk has no model and no usage', () => {
  const bytes = fixtureBytes('azure_chat_stream_reasoning_prompt_filter.sse');
  const firstEventEnd = new TextDecoder().decode(bytes).indexOf('\n\n') + 2;
  const out = runMeter(azureUsageParser, ctx, [bytes.subarray(0, firstEventEnd)]);
  assert.deepEqual(out, { extraction: null, output_text: '' });
});

test('Azure serves the Responses API with OpenAI shapes', () => {
  const ex = azureUsageParser.fromBody(fixtureJson('openai_responses_nonstream_cached_reasoning.json'), { api: 'responses' });
  assert.equal(ex?.usage.cache_read_tokens, 3072);
});

test('property: azure meter never throws; fromBody throws only ProviderPayloadError', () => {
  assertMeterNeverThrows(azureUsageParser, ctx, 80);
  assertBodyOnlyPayloadErrors(azureUsageParser, ctx, 100);
});
