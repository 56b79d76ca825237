/**
 * OpenAI chat.completions client → Gemini generateContent upstream (and the Anthropic → Gemini
 * pair, which shares the Gemini half): request mapping, verbatim Gemini answers and streams
 * (CRLF-separated, as recorded), function calls, and errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { translatorFor, ShapeTranslationError } from '../../src/translation/translators.js';
import { fixtureBytes, fixtureJson, loadMeta } from '../helpers/fixtures.js';
import { byteByByte, sseBody, sseEvents, ssePayloads, translateStream, twoPieceSplits, utf8 } from './translation-kit.js';

const t = translatorFor('chat.completions', 'generateContent')!;
type Rec = Record<string, unknown>;

test('request: contents, systemInstruction, function calls and responses by name, toolConfig, generationConfig', () => {
  const out = t.request(
    {
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'Weather?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Oslo"}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: '{"c":3}' },
      ],
      tools: [{ type: 'function', function: { name: 'weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, additionalProperties: false } } }],
      tool_choice: { type: 'function', function: { name: 'weather' } },
      max_tokens: 256,
      temperature: 1.4,
      top_p: 0.9,
      stop: ['END'],
      presence_penalty: 0.1,
      seed: 3,
      response_format: { type: 'json_schema', json_schema: { name: 'w', schema: { type: 'object' } } },
    },
    'gemini-2.5-flash',
    true,
  );
  assert.equal(out.path, '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
  assert.deepEqual(out.body, {
    contents: [
      { role: 'user', parts: [{ text: 'Weather?' }, { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } }] },
      { role: 'model', parts: [{ functionCall: { name: 'weather', args: { city: 'Oslo' } } }] },
      { role: 'user', parts: [{ functionResponse: { name: 'weather', response: { output: { c: 3 } } } }] },
    ],
    systemInstruction: { parts: [{ text: 'Be brief.' }] },
    tools: [{ functionDeclarations: [{ name: 'weather', parametersJsonSchema: { type: 'object', properties: { city: { type: 'string' } }, additionalProperties: false } }] }],
    toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['weather'] } },
    generationConfig: { maxOutputTokens: 256, temperature: 1.4, topP: 0.9, stopSequences: ['END'], presencePenalty: 0.1, seed: 3, responseMimeType: 'application/json', responseJsonSchema: { type: 'object' } },
  });
  assert.equal(t.request({ messages: [{ role: 'user', content: 'hi' }] }, 'gemini-2.5-flash', false).path, '/v1beta/models/gemini-2.5-flash:generateContent');
});

test('request: Gemini 3 history calls carry the documented foreign thought signature; image URLs are refused', () => {
  const body = t.request(
    { messages: [{ role: 'user', content: 'x' }, { role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] }, { role: 'tool', tool_call_id: 'c', content: 'ok' }] },
    'gemini-3-pro-preview',
    false,
  ).body;
  assert.equal(((body.contents as Rec[])[1]!.parts as Rec[])[0]!.thoughtSignature, 'skip_thought_signature_validator');
  assert.throws(() => t.request({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/a.png' } }] }] }, 'gemini-2.5-flash', false), ShapeTranslationError);
});

test('response: verbatim Gemini answers in OpenAI shape; thoughts are reasoning, cached and tool-use prompt tokens counted', () => {
  const thinking = t.response(fixtureJson('gemini_generatecontent_nonstream_thinking.json') as Rec, 'gpt-4o');
  assert.equal(((thinking.choices as Rec[])[0]!.message as Rec).content, "There are **3** r's in strawberry.\n\nHere is the breakdown: st**r**awbe**rr**y.");
  assert.equal((thinking.choices as Rec[])[0]!.finish_reason, 'stop');
  assert.deepEqual(thinking.usage, {
    prompt_tokens: 9, completion_tokens: 272, total_tokens: 281,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 244, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  });
  const cached = t.response(fixtureJson('gemini_generatecontent_nonstream_implicit_cache_image.json') as Rec, 'gpt-4o').usage as Rec;
  assert.equal(cached.prompt_tokens, 373);
  assert.deepEqual(cached.prompt_tokens_details, { cached_tokens: 204, audio_tokens: 0 });
  const search = t.response(fixtureJson('gemini_generatecontent_nonstream_google_search.json') as Rec, 'gpt-4o').usage as Rec;
  assert.equal(search.prompt_tokens, 17 + 119);
  assert.equal(search.total_tokens, 550);
});

test('response: function calls become tool_calls with ids and finish_reason tool_calls', () => {
  const out = t.response(
    { candidates: [{ content: { role: 'model', parts: [{ functionCall: { name: 'weather', args: { city: 'Oslo' } } }, { functionCall: { name: 'time', args: {} } }] }, finishReason: 'STOP' }], responseId: 'r1', usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 4 } },
    'gpt-4o',
  );
  const choice = (out.choices as Rec[])[0]!;
  assert.equal(choice.finish_reason, 'tool_calls');
  assert.deepEqual((choice.message as Rec).tool_calls, [
    { id: 'call_r1_0', type: 'function', function: { name: 'weather', arguments: '{"city":"Oslo"}' } },
    { id: 'call_r1_1', type: 'function', function: { name: 'time', arguments: '{}' } },
  ]);
  const blocked = t.response({ promptFeedback: { blockReason: 'SAFETY' }, usageMetadata: { promptTokenCount: 5 } }, 'gpt-4o');
  assert.equal((blocked.choices as Rec[])[0]!.finish_reason, 'content_filter');
});

test('stream: verbatim Gemini stream (CRLF), split at every byte boundary, gives the same OpenAI stream', () => {
  const bytes = fixtureBytes('gemini_streamgeneratecontent_thinking.sse');
  const req = { stream_options: { include_usage: true } };
  const whole = translateStream(t, [bytes], 'client-model', req);
  const payloads = ssePayloads(whole);
  assert.equal(payloads[payloads.length - 1], '[DONE]');
  const chunks = payloads.slice(0, -1) as Rec[];
  const text = chunks.map((c) => (((c.choices as Rec[])[0]?.delta as Rec | undefined)?.content as string | undefined) ?? '').join('');
  assert.equal(text, 'There are **3** "r"s in strawberry.\n\nst**r**awbe**rr**y');
  const usage = chunks[chunks.length - 1]!.usage as Rec;
  assert.equal(usage.prompt_tokens, 9);
  assert.equal((usage.completion_tokens_details as Rec).reasoning_tokens, 185);
  const normalise = (s: string): string => s.replace(/"created":\d+/g, '');
  for (const pieces of twoPieceSplits(bytes)) assert.equal(normalise(translateStream(t, pieces, 'client-model', req)), normalise(whole));
});

test('stream: verbatim Gemini and Vertex streams give the usage their metadata states, in OpenAI counters', () => {
  for (const id of ['gemini_streamgeneratecontent_thinking', 'gemini_streamgeneratecontent_google_search', 'vertex_streamgeneratecontent_provisioned_throughput', 'vertex_streamgeneratecontent_traffic_type']) {
    const payloads = ssePayloads(translateStream(t, byteByByte(fixtureBytes(`${id}.sse`)), 'client-model', { stream_options: { include_usage: true } }));
    assert.equal(payloads[payloads.length - 1], '[DONE]', id);
    const usage = (payloads[payloads.length - 2] as Rec).usage as Rec;
    const expected = loadMeta(id).expected_usage;
    assert.equal(usage.prompt_tokens, expected.input_tokens_total, id);
    assert.equal(usage.completion_tokens, expected.output_tokens_total, id);
  }
});

test('stream: google-search stream ends cleanly; a stream cut before finishReason ends with an error', () => {
  const bytes = fixtureBytes('gemini_streamgeneratecontent_google_search.sse');
  const payloads = ssePayloads(translateStream(t, byteByByte(bytes)));
  assert.equal(payloads[payloads.length - 1], '[DONE]');
  const cut = ssePayloads(translateStream(t, [bytes.subarray(0, 700)]));
  assert.ok(((cut[cut.length - 1] as Rec).error as Rec | undefined)?.message);
});

test('stream: a function call chunk becomes one tool_call delta; finish_reason tool_calls', () => {
  const body = sseBody([
    { data: { candidates: [{ content: { role: 'model', parts: [{ functionCall: { name: 'weather', args: { city: 'Oslo' } } }] }, finishReason: 'STOP', index: 0 }], usageMetadata: { promptTokenCount: 8, candidatesTokenCount: 5, totalTokenCount: 13 }, responseId: 'abc' } },
  ]);
  const chunks = (ssePayloads(translateStream(t, [utf8(body)])).slice(0, -1) as Rec[]).map((c) => (c.choices as Rec[])[0]!);
  const calls = chunks.flatMap((c) => ((c.delta as Rec).tool_calls as Rec[] | undefined) ?? []);
  assert.deepEqual(calls, [
    { index: 0, id: 'call_abc_0', type: 'function', function: { name: 'weather', arguments: '' } },
    { index: 0, function: { arguments: '{"city":"Oslo"}' } },
  ]);
  assert.equal(chunks[chunks.length - 1]!.finish_reason, 'tool_calls');
});

test('error: Gemini error bodies become OpenAI error bodies', () => {
  const body = utf8(JSON.stringify({ error: { code: 429, message: 'Resource has been exhausted (e.g. check quota).', status: 'RESOURCE_EXHAUSTED' } }));
  assert.deepEqual(JSON.parse(new TextDecoder().decode(t.error(429, body))), { error: { message: 'Resource has been exhausted (e.g. check quota).', type: 'rate_limit_error', param: null, code: 'rate_limit_exceeded' } });
});

test('Anthropic → Gemini: a Messages request and a Gemini stream round-trip through the shared halves', () => {
  const a = translatorFor('messages', 'generateContent')!;
  const req = a.request({ model: 'claude-haiku-4-5', max_tokens: 100, top_k: 20, system: 'Be brief.', messages: [{ role: 'user', content: 'hi' }] }, 'gemini-2.5-flash', false);
  assert.deepEqual(req.body, { contents: [{ role: 'user', parts: [{ text: 'hi' }] }], systemInstruction: { parts: [{ text: 'Be brief.' }] }, generationConfig: { maxOutputTokens: 100, topK: 20 } });
  const events = sseEvents(translateStream(a, byteByByte(fixtureBytes('gemini_streamgeneratecontent_thinking.sse'))));
  assert.deepEqual(events.map((e) => e.event).slice(-2), ['message_delta', 'message_stop']);
  const delta = JSON.parse(events[events.length - 2]!.data) as Rec;
  assert.deepEqual(delta.usage, { input_tokens: 9, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 23 + 185 });
  const err = JSON.parse(new TextDecoder().decode(a.error(400, utf8(JSON.stringify({ error: { code: 400, message: 'bad', status: 'INVALID_ARGUMENT' } }))))) as Rec;
  assert.deepEqual(err, { type: 'error', error: { type: 'invalid_request_error', message: 'bad' } });
});
