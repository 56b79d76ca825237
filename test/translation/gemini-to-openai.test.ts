/**
 * Gemini generateContent client → OpenAI chat.completions and Anthropic messages upstreams:
 * request mapping (ids given to id-less function calls, responses matched by name), verbatim
 * OpenAI and Anthropic answers and streams in Gemini's shape, and errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { translatorFor, ShapeTranslationError } from '../../src/translation/translators.js';
import { fixtureBytes, fixtureJson } from '../helpers/fixtures.js';
import { byteByByte, sseBody, ssePayloads, translateStream, twoPieceSplits, utf8 } from './translation-kit.js';

const t = translatorFor('generateContent', 'chat.completions')!;
const ta = translatorFor('generateContent', 'messages')!;
type Rec = Record<string, unknown>;

test('request: contents, system, function calls and responses, tools (OpenAPI types lowered), config', () => {
  const out = t.request(
    {
      systemInstruction: { parts: [{ text: 'Be brief.' }] },
      contents: [
        { role: 'user', parts: [{ text: 'Weather?' }, { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } }] },
        { role: 'model', parts: [{ text: 'hmm', thought: true }, { functionCall: { name: 'weather', args: { city: 'Oslo' } } }] },
        { role: 'user', parts: [{ functionResponse: { name: 'weather', response: { output: '3C' } } }] },
      ],
      tools: [{ functionDeclarations: [{ name: 'weather', parameters: { type: 'OBJECT', properties: { city: { type: 'STRING' } } } }] }],
      toolConfig: { functionCallingConfig: { mode: 'ANY' } },
      generationConfig: { maxOutputTokens: 100, temperature: 0.3, stopSequences: ['END'], responseMimeType: 'application/json' },
    },
    'gpt-4o-mini',
    false,
  );
  assert.deepEqual(out.body, {
    model: 'gpt-4o-mini',
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: [{ type: 'text', text: 'Weather?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Oslo"}' } }] },
      { role: 'tool', tool_call_id: 'call_1_1', content: '3C' },
    ],
    max_completion_tokens: 100,
    temperature: 0.3,
    stop: ['END'],
    tools: [{ type: 'function', function: { name: 'weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
    tool_choice: 'required',
    response_format: { type: 'json_object' },
  });
});

test('request: Gemini-only features are refused', () => {
  const contents = [{ role: 'user', parts: [{ text: 'hi' }] }];
  const cases: [Rec, RegExp][] = [
    [{ contents, tools: [{ googleSearch: {} }] }, /functionDeclarations/],
    [{ contents, generationConfig: { candidateCount: 2 } }, /candidateCount/],
    [{ contents, cachedContent: 'cachedContents/abc' }, /cachedContent/],
    [{ contents, generationConfig: { responseModalities: ['AUDIO'] } }, /responseModalities/],
    [{ contents: [{ role: 'user', parts: [{ fileData: { fileUri: 'gs://x' } }] }] }, /cannot be translated/],
    [{ contents: [{ role: 'user', parts: [{ functionResponse: { name: 'f', response: {} } }] }] }, /answers no function call/],
  ];
  for (const [body, re] of cases) {
    assert.throws(() => t.request(body, 'gpt-4o', false), (e: unknown) => e instanceof ShapeTranslationError && re.test(e.message), JSON.stringify(body));
  }
});

test('response: verbatim OpenAI and Anthropic answers in Gemini shape with usageMetadata', () => {
  const o = t.response(fixtureJson('openai_chat_nonstream_reasoning.json') as Rec, 'gemini-2.5-pro');
  assert.equal((o.candidates as Rec[])[0]!.finishReason, 'STOP');
  assert.equal(o.modelVersion, 'gemini-2.5-pro');
  assert.deepEqual(o.usageMetadata, { promptTokenCount: 577, candidatesTokenCount: 2320 - 1792, totalTokenCount: 2897, thoughtsTokenCount: 1792 });
  const a = ta.response(fixtureJson('anthropic_messages_nonstream_cache_write5m_and_read.json') as Rec, 'gemini-2.5-pro');
  assert.deepEqual(a.usageMetadata, { promptTokenCount: 1532, candidatesTokenCount: 33, totalTokenCount: 1565, cachedContentTokenCount: 1111 });
});

test('stream: verbatim OpenAI stream, split at every byte boundary, gives the same Gemini stream', () => {
  const bytes = fixtureBytes('openai_chat_stream_include_usage.sse');
  const whole = translateStream(t, [bytes], 'gemini-2.5-flash');
  const chunks = ssePayloads(whole) as Rec[];
  const text = chunks.map((c) => (((c.candidates as Rec[])[0]!.content as Rec).parts as Rec[]).map((p) => (p.text as string | undefined) ?? '').join('')).join('');
  assert.equal(text, 'The capital of the UK is London.');
  const last = chunks[chunks.length - 1]!;
  assert.equal((last.candidates as Rec[])[0]!.finishReason, 'STOP');
  assert.deepEqual(last.usageMetadata, { promptTokenCount: 78, candidatesTokenCount: 9, totalTokenCount: 87 });
  for (const pieces of twoPieceSplits(bytes)) assert.equal(translateStream(t, pieces, 'gemini-2.5-flash'), whole);
});

test('stream: Anthropic tool_use streamed in pieces reaches the Gemini client as one whole functionCall', () => {
  const body = sseBody([
    { event: 'message_start', data: { type: 'message_start', message: { id: 'msg_1', usage: { input_tokens: 40, output_tokens: 1 } } } },
    { event: 'content_block_start', data: { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'toolu_1', name: 'weather', input: {} } } },
    { event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{"city":' } } },
    { event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '"Oslo"}' } } },
    { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
    { event: 'message_delta', data: { type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 12 } } },
    { event: 'message_stop', data: { type: 'message_stop' } },
  ]);
  const chunks = ssePayloads(translateStream(ta, byteByByte(utf8(body)), 'gemini-2.5-flash')) as Rec[];
  assert.equal(chunks.length, 1);
  const candidate = (chunks[0]!.candidates as Rec[])[0]!;
  assert.deepEqual((candidate.content as Rec).parts, [{ functionCall: { id: 'toolu_1', name: 'weather', args: { city: 'Oslo' } } }]);
  assert.equal(candidate.finishReason, 'STOP');
  assert.deepEqual(chunks[0]!.usageMetadata, { promptTokenCount: 40, candidatesTokenCount: 12, totalTokenCount: 52 });
});

test('stream and errors: a cut stream and an upstream error reach the Gemini client as error chunks with a status', () => {
  const cut = ssePayloads(translateStream(t, [fixtureBytes('openai_chat_stream_include_usage.sse').subarray(0, 900)])) as Rec[];
  assert.deepEqual(Object.keys(cut[cut.length - 1]!), ['error']);
  assert.equal((cut[cut.length - 1]!.error as Rec).code, 502);
  const e = JSON.parse(new TextDecoder().decode(ta.error(529, utf8(JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }))))) as Rec;
  assert.deepEqual(e, { error: { code: 529, message: 'Overloaded', status: 'UNAVAILABLE' } });
});

test('stream: tool-call arguments held for a Gemini client are capped; past the cap the stream ends with an error', () => {
  const s = ta.stream('gemini-2.5-flash');
  const head = sseBody([
    { event: 'message_start', data: { type: 'message_start', message: { id: 'msg_big', usage: { input_tokens: 1, output_tokens: 1 } } } },
    { event: 'content_block_start', data: { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'toolu_big', name: 'f', input: {} } } },
  ]);
  let out = new TextDecoder().decode(s.push(utf8(head)));
  const piece = utf8(sseBody([{ event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: 'x'.repeat(64 * 1024) } } }]));
  for (let i = 0; i < 140; i++) out += new TextDecoder().decode(s.push(piece));
  const chunks = ssePayloads(out) as Rec[];
  assert.equal(chunks.length, 1);
  assert.match((chunks[0]!.error as Rec).message as string, /arguments exceeded/);
  assert.equal(s.end().length, 0);
});
