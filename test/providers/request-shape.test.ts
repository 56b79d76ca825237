/** The adapters' request-shape and finish-reason readers, on the verbatim provider payloads. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adapterFor } from '../../src/providers/registry.js';
import type { ApiKind } from '../../src/providers/spec.js';
import { canonicalJson } from '../../src/providers/request-shape.js';
import { fixtureBytes, fixtureJson } from '../helpers/fixtures.js';

function body(file: string): Record<string, unknown> {
  return fixtureJson(file) as Record<string, unknown>;
}

function streamFinish(provider: 'openai' | 'anthropic' | 'gemini', api: ApiKind, file: string): string | undefined {
  const meter = adapterFor(provider).createStreamMeter({ api });
  const bytes = fixtureBytes(file);
  // Cut mid-event: the reason must survive any chunking.
  meter.push(bytes.subarray(0, 37));
  meter.push(bytes.subarray(37));
  return meter.end().finish_reason;
}

test('finish reasons from complete bodies', () => {
  assert.equal(adapterFor('openai').finishReason?.(body('openai_chat_nonstream_basic.json'), 'chat.completions'), 'stop');
  assert.equal(adapterFor('openai').finishReason?.(body('openai_responses_nonstream_web_search.json'), 'responses'), 'completed');
  assert.equal(adapterFor('anthropic').finishReason?.(body('anthropic_messages_nonstream_basic.json'), 'messages'), 'end_turn');
  assert.equal(adapterFor('gemini').finishReason?.(body('gemini_generatecontent_nonstream_thinking.json'), 'generateContent'), 'STOP');
  assert.equal(adapterFor('openai').finishReason?.({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } }, 'responses'), 'incomplete:max_output_tokens');
  assert.equal(adapterFor('openai').finishReason?.({ choices: [] }, 'chat.completions'), undefined);
});

test('finish reasons from streams, from the events the meters already read', () => {
  assert.equal(streamFinish('openai', 'chat.completions', 'openai_chat_stream_include_usage.sse'), 'stop');
  assert.equal(streamFinish('openai', 'responses', 'openai_responses_stream_web_search.sse'), 'completed');
  assert.equal(streamFinish('anthropic', 'messages', 'anthropic_messages_stream_basic.sse'), 'end_turn');
  assert.equal(streamFinish('gemini', 'generateContent', 'gemini_streamgeneratecontent_thinking.sse'), 'STOP');
});

test('request shape: counts, limits, and a request_hash blind to key order and delivery fields', () => {
  const read = (b: Record<string, unknown>) => adapterFor('openai').requestShape?.(b, 'chat.completions', undefined);
  const a = read({ model: 'm', messages: [{ role: 'developer', content: 'rules' }, { role: 'user', content: 'q' }], tools: [{}, {}], max_tokens: 9 });
  const b = read({ stream: true, user: 'u1', metadata: { x: 1 }, stream_options: { include_usage: true }, max_tokens: 9, tools: [{}, {}], messages: [{ content: 'rules', role: 'developer' }, { role: 'user', content: 'q' }], model: 'm' });
  assert.ok(a && b);
  assert.equal(a.request_hash, b.request_hash);
  assert.deepEqual([a.message_count, a.tool_count, a.max_output_tokens], [2, 2, 9]);
  const other = read({ model: 'm', messages: [{ role: 'developer', content: 'rules' }, { role: 'user', content: 'another' }], tools: [{}, {}], max_tokens: 9 });
  assert.equal(other?.prompt_prefix_hash, a.prompt_prefix_hash);
  assert.notEqual(other?.request_hash, a.request_hash);
  // The same body on another API is another request.
  assert.notEqual(adapterFor('openai').requestShape?.({ model: 'm', input: 'q' }, 'responses', undefined)?.request_hash, adapterFor('openai').requestShape?.({ model: 'm', input: 'q' }, 'chat.completions', undefined)?.request_hash);
  // A negative or fractional limit is not a limit.
  assert.equal(read({ model: 'm', messages: [], max_tokens: -1 })?.max_output_tokens, null);
});

test('request shape: Anthropic breakpoint and Gemini function declarations', () => {
  const system = [{ type: 'text', text: 'policy' }];
  const plain = adapterFor('anthropic').requestShape?.({ model: 'c', max_tokens: 5, system, messages: [{ role: 'user', content: 'a' }, { role: 'user', content: 'b' }] }, 'messages', undefined);
  const cached = adapterFor('anthropic').requestShape?.({ model: 'c', max_tokens: 5, system, messages: [{ role: 'user', content: [{ type: 'text', text: 'a', cache_control: { type: 'ephemeral' } }] }, { role: 'user', content: 'b' }] }, 'messages', undefined);
  assert.ok(plain && cached);
  assert.equal(plain.prompt_prefix_tokens, Math.ceil(Buffer.byteLength(canonicalJson([system])) / 4));
  assert.ok((cached.prompt_prefix_tokens ?? 0) > (plain.prompt_prefix_tokens ?? 0));
  const g = adapterFor('gemini').requestShape?.({ contents: [{}, {}, {}], tools: [{ functionDeclarations: [{}, {}] }, { googleSearch: {} }], generationConfig: { maxOutputTokens: 12 } }, 'generateContent', 'gemini-2.5-flash');
  assert.deepEqual([g?.message_count, g?.tool_count, g?.max_output_tokens, g?.prompt_prefix_hash?.length], [3, 3, 12, 64]);
  assert.equal(adapterFor('gemini').requestShape?.({ contents: [] }, 'generateContent', 'x')?.prompt_prefix_hash, null);
});
