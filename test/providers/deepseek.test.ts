import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyUsage, type ParseContext } from '../../src/providers/spec.js';
import { deepseekUsageParser } from '../../src/providers/deepseek/index.js';
import { fixtureJson } from '../helpers/fixtures.js';
import { assertMeterNeverThrows, runMeter } from './openai-test-kit.js';

const ctx: ParseContext = { api: 'chat.completions' };

test('cache hit counted once (prompt_cache_hit_tokens mirrors cached_tokens)', () => {
  const ex = deepseekUsageParser.fromBody(fixtureJson('deepseek_chat_nonstream_cache_hit.json'), ctx);
  assert.deepEqual(ex?.usage, { ...emptyUsage(), input_tokens: 19, cache_read_tokens: 320, output_tokens: 44, reasoning_tokens: 48 });
  assert.equal(ex?.model, 'deepseek-reasoner');
});

test('older responses with only prompt_cache_hit/miss still split the cache', () => {
  const ex = deepseekUsageParser.fromBody(
    { model: 'deepseek-chat', usage: { prompt_tokens: 100, completion_tokens: 5, prompt_cache_hit_tokens: 64, prompt_cache_miss_tokens: 36 } },
    ctx,
  );
  assert.deepEqual(ex?.usage, { ...emptyUsage(), input_tokens: 36, cache_read_tokens: 64, output_tokens: 5 });
});

test('stream: reasoning_content deltas accumulate; final usage chunk read', () => {
  const s =
    'data: {"model":"deepseek-reasoner","choices":[{"delta":{"reasoning_content":"think"}}],"usage":null}\n\n' +
    'data: {"model":"deepseek-reasoner","choices":[{"delta":{"content":"answer"}}],"usage":null}\n\n' +
    'data: {"model":"deepseek-reasoner","choices":[{"delta":{"content":""},"finish_reason":"stop"}],"usage":{"prompt_tokens":20,"completion_tokens":9,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":6},"prompt_cache_hit_tokens":0,"prompt_cache_miss_tokens":20}}\n\n' +
    'data: [DONE]\n\n';
  const out = runMeter(deepseekUsageParser, ctx, [new TextEncoder().encode(s)]);
  assert.equal(out.output_text, 'thinkanswer');
  assert.deepEqual(out.extraction?.usage, { ...emptyUsage(), input_tokens: 20, output_tokens: 3, reasoning_tokens: 6 });
});

test('property: deepseek meter never throws', () => {
  assertMeterNeverThrows(deepseekUsageParser, ctx, 80);
});
