/**
 * OpenAI chat.completions client → Anthropic messages upstream: the request mapping, verbatim
 * Anthropic answers (test/fixtures/providers) read back in OpenAI's shape, the stream state
 * machine under every byte split, and errors kept with their status.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { translatorFor, ShapeTranslationError } from '../../src/translation/translators.js';
import { fixtureBytes, fixtureJson, loadMeta } from '../helpers/fixtures.js';
import { byteByByte, sseBody, ssePayloads, translateStream, twoPieceSplits, utf8 } from './translation-kit.js';

const t = translatorFor('chat.completions', 'messages')!;
type Rec = Record<string, unknown>;

test('registered for the pair', () => {
  assert.ok(t);
  assert.equal(t.from, 'chat.completions');
  assert.equal(t.to, 'messages');
});

test('request: system hoisted, turns, images, tools, results and sampling mapped; max_tokens defaulted', () => {
  const out = t.request(
    {
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'developer', content: [{ type: 'text', text: 'Use metric units.' }] },
        { role: 'user', content: [{ type: 'text', text: 'Weather here?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Oslo"}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: '{"c":3}' },
        { role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.jpg' } }] },
      ],
      tools: [{ type: 'function', function: { name: 'weather', description: 'Weather by city', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
      tool_choice: 'required',
      parallel_tool_calls: false,
      temperature: 0.2,
      top_p: 0.9,
      stop: 'END',
      user: 'u-17',
      seed: 7,
    },
    'claude-sonnet-4-5',
    true,
  );
  assert.equal(out.path, '/v1/messages');
  assert.deepEqual(out.body, {
    model: 'claude-sonnet-4-5',
    max_tokens: 4096,
    system: 'Be brief.\n\nUse metric units.',
    messages: [
      { role: 'user', content: [{ type: 'text', text: 'Weather here?' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } }] },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'call_1', name: 'weather', input: { city: 'Oslo' } }] },
      // The tool result and the next user message share one user turn, results first.
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_1', content: '{"c":3}' }, { type: 'image', source: { type: 'url', url: 'https://example.com/a.jpg' } }] },
    ],
    temperature: 0.2,
    top_p: 0.9,
    stop_sequences: ['END'],
    metadata: { user_id: 'u-17' },
    tools: [{ name: 'weather', description: 'Weather by city', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
    tool_choice: { type: 'any', disable_parallel_tool_use: true },
    stream: true,
  });
});

test('request: max_completion_tokens wins, named tool_choice, none', () => {
  const base = { messages: [{ role: 'user', content: 'hi' }], tools: [{ type: 'function', function: { name: 'f' } }] };
  const a = t.request({ ...base, max_completion_tokens: 50, max_tokens: 9, tool_choice: { type: 'function', function: { name: 'f' } } }, 'claude-haiku-4-5', false).body;
  assert.equal(a.max_tokens, 50);
  assert.deepEqual(a.tool_choice, { type: 'tool', name: 'f' });
  assert.equal(a.stream, undefined);
  assert.deepEqual((a.tools as Rec[])[0], { name: 'f', input_schema: { type: 'object', properties: {} } });
  assert.deepEqual(t.request({ ...base, tool_choice: 'none' }, 'm', false).body.tool_choice, { type: 'none' });
});

test('request: JSON mode becomes one forced tool whose input is the answer', () => {
  const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
  const body = t.request({ messages: [{ role: 'user', content: 'city?' }], response_format: { type: 'json_schema', json_schema: { name: 'c', schema } } }, 'm', false).body;
  assert.deepEqual(body.tools, [{ name: 'costrail_json_answer', description: 'Give the complete answer as this JSON object.', input_schema: schema }]);
  assert.deepEqual(body.tool_choice, { type: 'tool', name: 'costrail_json_answer' });
  const obj = t.request({ messages: [{ role: 'user', content: 'x' }], response_format: { type: 'json_object' } }, 'm', false).body;
  assert.deepEqual((obj.tools as Rec[])[0]!.input_schema, { type: 'object' });
});

test('request: what Anthropic cannot express is refused with a clear error', () => {
  const msg = [{ role: 'user', content: 'hi' }];
  const cases: [Rec, RegExp][] = [
    [{ messages: msg, n: 2 }, /n > 1/],
    [{ messages: msg, temperature: 1.5 }, /temperature outside 0 to 1/],
    [{ messages: msg, logprobs: true }, /logprobs/],
    [{ messages: msg, presence_penalty: 0.5 }, /presence_penalty/],
    [{ messages: msg, logit_bias: { '50256': -100 } }, /logit_bias/],
    [{ messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'x', format: 'wav' } }] }] }, /input_audio/],
    [{ messages: [{ role: 'tool', tool_call_id: 'nope', content: 'x' }] }, /answers no earlier/],
    [{ messages: [] }, /non-empty/],
    [{ messages: msg, tools: [{ type: 'function', function: { name: 'f' } }], response_format: { type: 'json_object' } }, /JSON mode together with tools/],
    [{ messages: msg, functions: [] }, /legacy functions/],
    [{ messages: 'hi' }, /messages must be an array/],
    [{ messages: [{ role: 'system', content: 'only a system prompt' }, { role: 'user', content: '' }] }, /no user or assistant message/],
  ];
  for (const [body, re] of cases) {
    assert.throws(() => t.request(body, 'claude-haiku-4-5', false), (e: unknown) => e instanceof ShapeTranslationError && re.test(e.message), JSON.stringify(body));
  }
});

test('response: verbatim Anthropic answer in OpenAI shape, usage as OpenAI counts it', () => {
  const out = t.response(fixtureJson('anthropic_messages_nonstream_basic.json') as Rec, 'gpt-4o');
  assert.equal(out.object, 'chat.completion');
  assert.equal(out.model, 'gpt-4o');
  assert.match(out.id as string, /^chatcmpl-msg_/);
  const choice = (out.choices as Rec[])[0]!;
  assert.equal(choice.finish_reason, 'stop');
  assert.match((choice.message as Rec).content as string, /^Hello! I'm doing well/);
  assert.deepEqual(out.usage, {
    prompt_tokens: 12, completion_tokens: 29, total_tokens: 41,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  });
});

test('response: cache reads and writes fold into prompt_tokens; cache reads are cached_tokens', () => {
  const out = t.response(fixtureJson('anthropic_messages_nonstream_cache_write5m_and_read.json') as Rec, 'gpt-4o');
  const usage = out.usage as Rec;
  // input 3 + cache write 418 + cache read 1111 (OpenAI's prompt_tokens includes every input token).
  assert.equal(usage.prompt_tokens, 1532);
  assert.deepEqual(usage.prompt_tokens_details, { cached_tokens: 1111, audio_tokens: 0 });
  assert.equal(usage.completion_tokens, 33);
});

test('response: thinking blocks dropped, thinking tokens reported as reasoning_tokens', () => {
  const out = t.response(fixtureJson('anthropic_messages_nonstream_thinking_tokens_detail.json') as Rec, 'o3');
  const message = (out.choices as Rec[])[0]!.message as Rec;
  assert.match(message.content as string, /^## Step 1/);
  const usage = out.usage as Rec;
  assert.equal(usage.completion_tokens, 1699);
  assert.equal((usage.completion_tokens_details as Rec).reasoning_tokens, 139);
});

test('response: server-tool blocks dropped, every text block kept in order', () => {
  const src = fixtureJson('anthropic_messages_nonstream_web_search.json') as Rec;
  const texts = (src.content as Rec[]).filter((b) => b.type === 'text').map((b) => b.text as string);
  const out = t.response(src, 'gpt-4o');
  assert.equal(((out.choices as Rec[])[0]!.message as Rec).content, texts.join(''));
});

test('response: tool_use blocks become tool_calls with finish_reason tool_calls; the JSON-mode tool becomes content', () => {
  const upstream = {
    id: 'msg_01Aq9w938a90dw8q', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', stop_reason: 'tool_use', stop_sequence: null,
    content: [
      { type: 'text', text: 'Let me check.' },
      { type: 'tool_use', id: 'toolu_01A09q90qw90lq917835lq9', name: 'get_weather', input: { location: 'San Francisco, CA' } },
    ],
    usage: { input_tokens: 400, output_tokens: 60 },
  };
  const out = t.response(upstream, 'gpt-4o');
  const choice = (out.choices as Rec[])[0]!;
  assert.equal(choice.finish_reason, 'tool_calls');
  assert.deepEqual((choice.message as Rec).tool_calls, [{ id: 'toolu_01A09q90qw90lq917835lq9', type: 'function', function: { name: 'get_weather', arguments: '{"location":"San Francisco, CA"}' } }]);
  const json = t.response({ ...upstream, content: [{ type: 'tool_use', id: 'toolu_1', name: 'costrail_json_answer', input: { city: 'Oslo' } }] }, 'gpt-4o');
  const jchoice = (json.choices as Rec[])[0]!;
  assert.equal(jchoice.finish_reason, 'stop');
  assert.equal((jchoice.message as Rec).content, '{"city":"Oslo"}');
  assert.equal((jchoice.message as Rec).tool_calls, undefined);
});

/** Text and final usage of a translated OpenAI stream; asserts its framing. */
function readOpenAIStream(text: string, includeUsage: boolean): { content: string; finish: unknown; usage: Rec | undefined } {
  const payloads = ssePayloads(text);
  assert.equal(payloads[payloads.length - 1], '[DONE]');
  const chunks = payloads.slice(0, -1) as Rec[];
  assert.deepEqual(((chunks[0]!.choices as Rec[])[0]!.delta as Rec).role, 'assistant');
  let content = '';
  let finish: unknown = null;
  let usage: Rec | undefined;
  for (const c of chunks) {
    assert.equal(c.object, 'chat.completion.chunk');
    assert.equal(c.model, 'client-model');
    if (includeUsage) assert.ok('usage' in c);
    else assert.equal('usage' in c, false);
    const choice = (c.choices as Rec[])[0];
    if (choice === undefined) {
      usage = c.usage as Rec;
      continue;
    }
    content += ((choice.delta as Rec).content as string | undefined) ?? '';
    if (choice.finish_reason !== null) finish = choice.finish_reason;
  }
  return { content, finish, usage };
}

const BASIC_TEXT = "Hello! I'm doing well, thank you for asking. How are you doing today? Is there anything I can help you with?";

test('stream: verbatim Anthropic stream, split at every byte boundary, gives the same OpenAI stream', () => {
  const bytes = fixtureBytes('anthropic_messages_stream_basic.sse');
  const req = { stream: true, stream_options: { include_usage: true } };
  const whole = translateStream(t, [bytes], 'client-model', req);
  const read = readOpenAIStream(whole, true);
  assert.equal(read.content, BASIC_TEXT);
  assert.equal(read.finish, 'stop');
  assert.equal(read.usage?.prompt_tokens, 12);
  assert.equal(read.usage?.completion_tokens, 30); // message_delta's cumulative count overrides message_start's 1
  const normalise = (s: string): string => s.replace(/"created":\d+/g, '"created":0');
  for (const pieces of twoPieceSplits(bytes)) assert.equal(normalise(translateStream(t, pieces, 'client-model', req)), normalise(whole));
  assert.equal(normalise(translateStream(t, byteByByte(bytes), 'client-model', req)), normalise(whole));
});

test('stream: no usage chunk unless the client asked for include_usage', () => {
  const read = readOpenAIStream(translateStream(t, [fixtureBytes('anthropic_messages_stream_basic.sse')], 'client-model', { stream: true }), false);
  assert.equal(read.usage, undefined);
  assert.equal(read.content, BASIC_TEXT);
});

test('stream: every verbatim Anthropic stream (thinking, web search, cache) ends cleanly with its text and the usage its metadata states', () => {
  for (const id of ['anthropic_messages_stream_thinking', 'anthropic_messages_stream_web_search', 'anthropic_messages_stream_cache_servertool_cumulative']) {
    const read = readOpenAIStream(translateStream(t, byteByByte(fixtureBytes(`${id}.sse`)), 'client-model', { stream_options: { include_usage: true } }), true);
    const expected = loadMeta(id).expected_usage;
    assert.ok(read.content.length > 0, id);
    assert.equal(read.usage?.prompt_tokens, expected.input_tokens_total, id);
    assert.equal((read.usage?.prompt_tokens_details as Rec).cached_tokens, expected.cached_read_tokens, id);
    assert.equal(read.usage?.completion_tokens, expected.output_tokens_total, id);
  }
});

const toolStream = sseBody([
  { event: 'message_start', data: { type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude', content: [], stop_reason: null, usage: { input_tokens: 472, output_tokens: 2 } } } },
  { event: 'content_block_start', data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } } },
  { event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Okay, café ☕' } } },
  { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
  { event: 'content_block_start', data: { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', name: 'get_weather', input: {} } } },
  { event: 'content_block_delta', data: { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '' } } },
  { event: 'content_block_delta', data: { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"location": "San Fra' } } },
  { event: 'content_block_delta', data: { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: 'ncisco, CA"}' } } },
  { event: 'content_block_stop', data: { type: 'content_block_stop', index: 1 } },
  { event: 'message_delta', data: { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 89 } } },
  { event: 'message_stop', data: { type: 'message_stop' } },
]);

test('stream: tool_use blocks become indexed tool_call deltas, split anywhere (multi-byte text included)', () => {
  const bytes = utf8(toolStream);
  const whole = translateStream(t, [bytes]);
  const chunks = (ssePayloads(whole).slice(0, -1) as Rec[]).map((c) => (c.choices as Rec[])[0]!);
  const calls = chunks.flatMap((c) => ((c.delta as Rec).tool_calls as Rec[] | undefined) ?? []);
  assert.deepEqual(calls[0], { index: 0, id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', type: 'function', function: { name: 'get_weather', arguments: '' } });
  assert.equal(calls.slice(1).map((c) => (c.function as Rec).arguments).join(''), '{"location": "San Francisco, CA"}');
  assert.equal(chunks[chunks.length - 1]!.finish_reason, 'tool_calls');
  const normalise = (s: string): string => s.replace(/"created":\d+/g, '');
  for (const pieces of twoPieceSplits(bytes)) assert.equal(normalise(translateStream(t, pieces)), normalise(whole));
});

test('stream: an upstream error event and a truncated stream reach the client as OpenAI stream errors, without [DONE]', () => {
  const overloaded = sseBody([
    { event: 'message_start', data: { type: 'message_start', message: { id: 'msg_2', usage: { input_tokens: 5, output_tokens: 1 } } } },
    { event: 'error', data: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } },
  ]);
  const a = ssePayloads(translateStream(t, [utf8(overloaded)]));
  assert.deepEqual(a[a.length - 1], { error: { message: 'Overloaded', type: 'server_error', param: null, code: null } });
  const cut = fixtureBytes('anthropic_messages_stream_basic.sse');
  const b = ssePayloads(translateStream(t, [cut.subarray(0, cut.length - 60)]));
  assert.notEqual(b[b.length - 1], '[DONE]');
  assert.match(((b[b.length - 1] as Rec).error as Rec).message as string, /ended before the end of the answer/);
});

test('stream: an event that never ends is cut at the cap, and later bytes are ignored', () => {
  const s = t.stream('m');
  const head = s.push(utf8('event: message_start\ndata: {"type":"message_start","message":{"id":"x"}}\n\ndata: "'));
  assert.ok(head.length > 0);
  const junk = new Uint8Array(1024 * 1024).fill(0x61);
  let out = '';
  for (let i = 0; i < 9; i++) out += new TextDecoder().decode(s.push(junk));
  assert.match(out, /exceeded/);
  assert.equal(s.push(junk).length, 0);
  assert.equal(s.end().length, 0);
});

test('error: Anthropic error bodies become OpenAI error bodies with the same status meaning', () => {
  const body = utf8(JSON.stringify({ type: 'error', error: { type: 'rate_limit_error', message: 'Number of request tokens has exceeded your per-minute rate limit' } }));
  assert.deepEqual(JSON.parse(new TextDecoder().decode(t.error(429, body))), {
    error: { message: 'Number of request tokens has exceeded your per-minute rate limit', type: 'rate_limit_error', param: null, code: 'rate_limit_exceeded' },
  });
  const html = JSON.parse(new TextDecoder().decode(t.error(502, utf8('<html>Bad gateway</html>')))) as Rec;
  assert.deepEqual(html, { error: { message: 'anthropic upstream returned HTTP 502: <html>Bad gateway</html>', type: 'server_error', param: null, code: null } });
});
