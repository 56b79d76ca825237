/**
 * Anthropic messages client → OpenAI chat.completions upstream: request mapping, verbatim OpenAI
 * answers and streams (test/fixtures/providers) in Anthropic's shape, usage made disjoint the way
 * Anthropic counts it, and errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { translatorFor, ShapeTranslationError } from '../../src/translation/translators.js';
import { fixtureBytes, fixtureJson, loadMeta } from '../helpers/fixtures.js';
import { byteByByte, sseBody, sseEvents, translateStream, twoPieceSplits, utf8 } from './translation-kit.js';

const t = translatorFor('messages', 'chat.completions')!;
type Rec = Record<string, unknown>;

test('request: system blocks, turns, images, tool use and results, sampling and tool_choice mapped', () => {
  const out = t.request(
    {
      model: 'claude-sonnet-4-5',
      max_tokens: 300,
      system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Weather?' }, { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/4AAQ' } }] },
        { role: 'assistant', content: [{ type: 'thinking', thinking: 'hmm', signature: 'sig' }, { type: 'text', text: 'Checking.' }, { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Oslo' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: '3C' }] }, { type: 'text', text: 'And tomorrow?' }] },
      ],
      tools: [{ name: 'weather', description: 'Weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
      temperature: 0.5,
      top_p: 0.8,
      stop_sequences: ['\n\nHuman:'],
      metadata: { user_id: 'u-1' },
      stream: true,
    },
    'gpt-4o-mini',
    true,
  );
  assert.equal(out.path, '/v1/chat/completions');
  assert.deepEqual(out.body, {
    model: 'gpt-4o-mini',
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: [{ type: 'text', text: 'Weather?' }, { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/4AAQ' } }] },
      { role: 'assistant', content: 'Checking.', tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Oslo"}' } }] },
      { role: 'tool', tool_call_id: 'toolu_1', content: '3C' },
      { role: 'user', content: 'And tomorrow?' },
    ],
    max_completion_tokens: 300,
    temperature: 0.5,
    top_p: 0.8,
    stop: ['\n\nHuman:'],
    user: 'u-1',
    tools: [{ type: 'function', function: { name: 'weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
    parallel_tool_calls: false,
    tool_choice: 'required',
    stream: true,
    stream_options: { include_usage: true },
  });
});

test('request: what chat.completions cannot express is refused', () => {
  const msg = [{ role: 'user', content: 'hi' }];
  const cases: [Rec, RegExp][] = [
    [{ max_tokens: 5, messages: msg, top_k: 5 }, /top_k/],
    [{ max_tokens: 5, messages: msg, thinking: { type: 'enabled', budget_tokens: 2000 } }, /thinking/],
    [{ max_tokens: 5, messages: msg, stop_sequences: ['a', 'b', 'c', 'd', 'e'] }, /at most 4 stop/],
    [{ max_tokens: 5, messages: msg, tools: [{ type: 'web_search_20250305', name: 'web_search' }] }, /server and client-defined/],
    [{ max_tokens: 5, messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'text', data: 'x' } }] }] }, /document/],
    [{ max_tokens: 5, messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'x', content: 'y' }] }] }, /answers no earlier/],
  ];
  for (const [body, re] of cases) {
    assert.throws(() => t.request(body, 'gpt-4o', false), (e: unknown) => e instanceof ShapeTranslationError && re.test(e.message), JSON.stringify(body));
  }
});

test('response: verbatim OpenAI answers in Anthropic shape; usage made disjoint (cached out of input_tokens)', () => {
  const basic = t.response(fixtureJson('openai_chat_nonstream_basic.json') as Rec, 'claude-sonnet-4-5');
  assert.equal(basic.type, 'message');
  assert.equal(basic.model, 'claude-sonnet-4-5');
  assert.equal(basic.stop_reason, 'end_turn');
  assert.match(((basic.content as Rec[])[0]!.text as string), /^\*\*Holiday Name:\*\* Galaxy Day/);
  assert.deepEqual(basic.usage, { input_tokens: 16, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 363 });
  const cached = t.response(fixtureJson('openai_chat_nonstream_cache_read.json') as Rec, 'claude-sonnet-4-5');
  assert.deepEqual(cached.usage, { input_tokens: 8, cache_creation_input_tokens: 0, cache_read_input_tokens: 4012, output_tokens: 4 });
  const reasoning = t.response(fixtureJson('openai_chat_nonstream_reasoning.json') as Rec, 'claude-sonnet-4-5');
  assert.equal((reasoning.usage as Rec).output_tokens, 2320); // reasoning stays inside output, as Anthropic counts thinking
});

test('response: tool calls become tool_use blocks; length becomes max_tokens', () => {
  const upstream = {
    id: 'chatcmpl-abc', object: 'chat.completion', model: 'gpt-4o',
    choices: [{ index: 0, finish_reason: 'tool_calls', message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_9', type: 'function', function: { name: 'weather', arguments: '{"city":"Oslo"}' } }] } }],
    usage: { prompt_tokens: 50, completion_tokens: 10, total_tokens: 60 },
  };
  const out = t.response(upstream, 'claude-haiku-4-5');
  assert.equal(out.stop_reason, 'tool_use');
  assert.deepEqual(out.content, [{ type: 'tool_use', id: 'call_9', name: 'weather', input: { city: 'Oslo' } }]);
  assert.match(out.id as string, /^msg_/);
  const cut = t.response({ ...upstream, choices: [{ index: 0, finish_reason: 'length', message: { role: 'assistant', content: 'abc' } }] }, 'c');
  assert.equal(cut.stop_reason, 'max_tokens');
});

/** Checks the Anthropic event protocol of a translated stream and returns its text and final usage. */
function readAnthropicStream(text: string): { text: string; stop: unknown; usage: Rec; blocks: Rec[]; json: string[] } {
  const events = sseEvents(text);
  const names = events.map((e) => e.event);
  assert.equal(names[0], 'message_start');
  assert.deepEqual(names.slice(-2), ['message_delta', 'message_stop']);
  let out = '';
  const blocks: Rec[] = [];
  const json: string[] = [];
  let open: number | undefined;
  for (const e of events) {
    const d = JSON.parse(e.data) as Rec;
    assert.equal(d.type, e.event);
    if (e.event === 'content_block_start') {
      assert.equal(open, undefined, 'a block opens only after the previous one closed');
      open = d.index as number;
      blocks.push(d.content_block as Rec);
    }
    if (e.event === 'content_block_stop') {
      assert.equal(d.index, open);
      open = undefined;
    }
    if (e.event === 'content_block_delta') {
      const delta = d.delta as Rec;
      if (delta.type === 'text_delta') out += delta.text as string;
      else json.push(delta.partial_json as string);
    }
  }
  assert.equal(open, undefined);
  const last = JSON.parse(events[events.length - 2]!.data) as Rec;
  return { text: out, stop: (last.delta as Rec).stop_reason, usage: last.usage as Rec, blocks, json };
}

test('stream: verbatim OpenAI stream, split at every byte boundary, gives the same Anthropic stream', () => {
  const bytes = fixtureBytes('openai_chat_stream_include_usage.sse');
  const whole = translateStream(t, [bytes]);
  const read = readAnthropicStream(whole);
  assert.equal(read.text, 'The capital of the UK is London.');
  assert.equal(read.stop, 'end_turn');
  assert.deepEqual(read.usage, { input_tokens: 78, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 9 });
  for (const pieces of twoPieceSplits(bytes)) assert.equal(translateStream(t, pieces), whole);
  assert.equal(translateStream(t, byteByByte(bytes)), whole);
});

test('stream: verbatim streams of OpenAI-compatible upstreams (Groq, Mistral, OpenRouter, Azure) give whole Anthropic streams with their usage', () => {
  for (const id of ['groq_chat_stream_x_groq_usage', 'mistral_chat_stream_reasoning', 'openrouter_chat_stream_cost_web_search', 'azure_chat_stream_reasoning_prompt_filter']) {
    const read = readAnthropicStream(translateStream(t, byteByByte(fixtureBytes(`${id}.sse`))));
    const expected = loadMeta(id).expected_usage;
    assert.ok(read.text.length > 0, id);
    assert.equal((read.usage.input_tokens as number) + (read.usage.cache_read_input_tokens as number), expected.input_tokens_total, id);
    assert.equal(read.usage.output_tokens, expected.output_tokens_total, id);
  }
});

test('stream: tool_call deltas become tool_use blocks with input_json_delta', () => {
  const base = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o' };
  const chunk = (delta: Rec, finish: string | null = null): Rec => ({ ...base, choices: [{ index: 0, delta, finish_reason: finish }] });
  const body = sseBody([
    { data: chunk({ role: 'assistant', content: null }) },
    { data: chunk({ content: 'Sure — ' }) },
    { data: chunk({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'weather', arguments: '' } }] }) },
    { data: chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }) },
    { data: chunk({ tool_calls: [{ index: 0, function: { arguments: '"Oslo"}' } }] }) },
    { data: chunk({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'time', arguments: '{}' } }] }) },
    { data: chunk({}, 'tool_calls') },
    { data: { ...base, choices: [], usage: { prompt_tokens: 20, completion_tokens: 15, total_tokens: 35 } } },
    { data: '[DONE]' },
  ]);
  const read = readAnthropicStream(translateStream(t, byteByByte(utf8(body))));
  assert.equal(read.text, 'Sure — ');
  assert.deepEqual(read.blocks, [
    { type: 'text', text: '' },
    { type: 'tool_use', id: 'call_a', name: 'weather', input: {} },
    { type: 'tool_use', id: 'call_b', name: 'time', input: {} },
  ]);
  assert.deepEqual(read.json, ['{"city":', '"Oslo"}', '{}']);
  assert.equal(read.stop, 'tool_use');
  assert.equal(read.usage.output_tokens, 15);
});

test('stream: a truncated OpenAI stream ends the Anthropic stream with an error event', () => {
  const bytes = fixtureBytes('openai_chat_stream_include_usage.sse');
  const events = sseEvents(translateStream(t, [bytes.subarray(0, 900)]));
  const last = events[events.length - 1]!;
  assert.equal(last.event, 'error');
  assert.equal(((JSON.parse(last.data) as Rec).error as Rec).type, 'api_error');
});

test('error: OpenAI error bodies become Anthropic error bodies', () => {
  const body = utf8(JSON.stringify({ error: { message: 'Rate limit reached for gpt-4o', type: 'requests', param: null, code: 'rate_limit_exceeded' } }));
  assert.deepEqual(JSON.parse(new TextDecoder().decode(t.error(429, body))), { type: 'error', error: { type: 'rate_limit_error', message: 'Rate limit reached for gpt-4o' } });
  assert.equal((JSON.parse(new TextDecoder().decode(t.error(503, new Uint8Array()))) as { error: Rec }).error.type, 'overloaded_error');
});
