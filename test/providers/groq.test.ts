import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyUsage, type ParseContext } from '../../src/providers/spec.js';
import { groqUsageParser } from '../../src/providers/groq/index.js';
import { fixtureBytes, fixtureJson } from '../helpers/fixtures.js';
import { assertMeterNeverThrows, runMeter } from './openai-test-kit.js';

const ctx: ParseContext = { api: 'chat.completions' };

test('non-stream: timing fields ignored; service tier on_demand', () => {
  const ex = groqUsageParser.fromBody(fixtureJson('groq_chat_nonstream_basic.json'), ctx);
  assert.deepEqual(ex?.usage, { ...emptyUsage(), input_tokens: 45, output_tokens: 607 });
  assert.equal(ex?.service_tier, 'on_demand');
  assert.equal(ex?.model, 'llama-3.3-70b-versatile');
});

test('stream: usage and x_groq.usage on the last chunk are counted once', () => {
  const out = runMeter(groqUsageParser, ctx, [fixtureBytes('groq_chat_stream_x_groq_usage.sse')]);
  assert.deepEqual(out.extraction?.usage, { ...emptyUsage(), input_tokens: 45, output_tokens: 662 });
  assert.ok(out.output_text.startsWith('Introducing "L'));
});

test('stream with only x_groq.usage (older Groq) still has usage', () => {
  const s =
    'data: {"model":"llama-3.1-8b-instant","choices":[{"delta":{"content":"hi"}}]}\n\n' +
    'data: {"model":"llama-3.1-8b-instant","choices":[{"delta":{},"finish_reason":"stop"}],"x_groq":{"id":"req_1","usage":{"prompt_tokens":7,"completion_tokens":1,"total_tokens":8,"queue_time":0.01}}}\n\n' +
    'data: [DONE]\n\n';
  const out = runMeter(groqUsageParser, ctx, [new TextEncoder().encode(s)]);
  assert.deepEqual(out.extraction?.usage, { ...emptyUsage(), input_tokens: 7, output_tokens: 1 });
});

test('property: groq meter never throws', () => {
  assertMeterNeverThrows(groqUsageParser, ctx, 80);
});
