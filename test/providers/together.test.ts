/**
 * Together AI. No recorded payload exists in the fixtures, so these payloads are SYNTHETIC:
 * made up in the OpenAI chat shape Together documents, not copied from a live response.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyUsage, type ParseContext } from '../../src/providers/spec.js';
import { togetherUsageParser } from '../../src/providers/together/index.js';
import { assertMeterNeverThrows, runMeter } from './openai-test-kit.js';

const ctx: ParseContext = { api: 'chat.completions' };

test('SYNTHETIC body: OpenAI-shaped usage', () => {
  const synthetic = {
    id: 'synthetic-1',
    object: 'chat.completion',
    model: 'meta-llama/Llama-3.3-70B-Instruct-Turbo',
    choices: [{ index: 0, message: { role: 'assistant', content: 'Hi' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 31, completion_tokens: 7, total_tokens: 38 },
  };
  const ex = togetherUsageParser.fromBody(synthetic, ctx);
  assert.deepEqual(ex?.usage, { ...emptyUsage(), input_tokens: 31, output_tokens: 7 });
  assert.equal(ex?.model, 'meta-llama/Llama-3.3-70B-Instruct-Turbo');
  assert.equal(togetherUsageParser.id, 'together');
});

test('SYNTHETIC stream: usage on the final chunk', () => {
  const s =
    'data: {"id":"synthetic-2","object":"chat.completion.chunk","model":"Qwen/Qwen3-235B","choices":[{"index":0,"delta":{"content":"Hel"}}]}\n\n' +
    'data: {"id":"synthetic-2","object":"chat.completion.chunk","model":"Qwen/Qwen3-235B","choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":2,"total_tokens":14}}\n\n' +
    'data: [DONE]\n\n';
  const out = runMeter(togetherUsageParser, ctx, [new TextEncoder().encode(s)]);
  assert.deepEqual(out.extraction?.usage, { ...emptyUsage(), input_tokens: 12, output_tokens: 2 });
  assert.equal(out.output_text, 'Hello');
  assert.equal(out.model, 'Qwen/Qwen3-235B');
});

test('property: together meter never throws', () => {
  assertMeterNeverThrows(togetherUsageParser, ctx, 60);
});
