/**
 * The simulator against the official SDKs (so its wire format is what real clients accept) and
 * against Costrail's own parsers on the raw bytes (so gateway tests built on it measure what they
 * think they measure). Usage is asserted against countPromptTokens, the documented rule.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import { encode } from 'gpt-tokenizer';
import { countPromptTokens, startSimulator, type Simulator } from '../../src/simulator/index.js';
import { meterStream, parseBody, postRaw, sseData } from './sim-kit.js';

const SYS = 'You are a terse assistant for a cost platform.';
const USER = 'Explain prompt caching in two sentences, please.';
const PROMPT = countPromptTokens([SYS, USER]);

let sim: Simulator;
let openai: OpenAI;
let anthropic: Anthropic;
let gemini: GoogleGenAI;

before(async () => {
  sim = await startSimulator();
  openai = new OpenAI({ apiKey: 'sk-test', baseURL: `${sim.url}/v1`, maxRetries: 0 });
  anthropic = new Anthropic({ apiKey: 'sk-ant-test', baseURL: sim.url, maxRetries: 0 });
  gemini = new GoogleGenAI({ apiKey: 'g-test', httpOptions: { baseUrl: sim.url } });
});
after(() => sim.close());

test('countPromptTokens sums per-string tokenizer counts', () => {
  assert.equal(countPromptTokens([SYS, USER]), encode(SYS).length + encode(USER).length);
  assert.equal(countPromptTokens([]), 0);
  assert.ok(PROMPT > 10);
});

test('openai chat, non-stream: SDK usage and Costrail parser agree with the rule', async () => {
  const messages = [
    { role: 'system' as const, content: SYS },
    { role: 'user' as const, content: USER },
  ];
  const r = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages });
  const text = r.choices[0]?.message.content ?? '';
  assert.equal(r.usage?.prompt_tokens, PROMPT);
  assert.equal(r.usage?.completion_tokens, encode(text).length);
  assert.equal(encode(text).length, 40, 'default output is 40 tokens');
  assert.equal(r.choices[0]?.finish_reason, 'stop');

  const raw = await postRaw(`${sim.url}/v1/chat/completions`, { model: 'gpt-4o-mini', messages, max_tokens: 12 }, { 'x-sim-cached-tokens': '4' });
  const x = parseBody('openai', 'chat.completions', raw);
  assert.equal(x?.usage.cache_read_tokens, 4);
  assert.equal(x?.usage.input_tokens, PROMPT - 4);
  assert.equal(x?.usage.output_tokens, encode(JSON.parse(raw.text).choices[0].message.content).length);
  assert.equal(JSON.parse(raw.text).choices[0].finish_reason, 'length');
});

test('openai chat, stream with include_usage: >=20 deltas, final usage chunk, [DONE]', async () => {
  const s = await openai.chat.completions.create({
    model: 'gpt-5-mini', messages: [{ role: 'user', content: USER }], stream: true, stream_options: { include_usage: true },
  });
  let text = '';
  let deltas = 0;
  let usage: OpenAI.CompletionUsage | null | undefined;
  for await (const chunk of s) {
    const d = chunk.choices[0]?.delta.content;
    if (d) {
      text += d;
      deltas++;
    }
    if (chunk.usage) usage = chunk.usage;
  }
  assert.ok(deltas >= 20);
  assert.equal(usage?.prompt_tokens, countPromptTokens([USER]));
  assert.equal(usage?.completion_tokens_details?.reasoning_tokens, 64, 'gpt-5* is a reasoning model');
  assert.equal(usage?.completion_tokens, encode(text).length + 64);

  const body = { model: 'gpt-5-mini', messages: [{ role: 'user', content: USER }], stream: true, stream_options: { include_usage: true } };
  const raw = await postRaw(`${sim.url}/v1/chat/completions`, body);
  assert.ok(raw.text.endsWith('data: [DONE]\n\n'));
  const events = sseData(raw.text) as { choices: unknown[] }[];
  assert.deepEqual(events.at(-1)?.choices, []);
  const out = meterStream('openai', 'chat.completions', raw);
  assert.equal(out.extraction?.usage.input_tokens, countPromptTokens([USER]));
  assert.equal(out.extraction?.usage.reasoning_tokens, 64);
  assert.equal(out.extraction?.usage.output_tokens, encode(text).length);
});

test('openai chat, stream without include_usage carries no usage at all', async () => {
  const raw = await postRaw(`${sim.url}/v1/chat/completions`, { model: 'gpt-4o-mini', messages: [{ role: 'user', content: USER }], stream: true });
  assert.ok(!raw.text.includes('"usage"'));
  assert.equal(meterStream('openai', 'chat.completions', raw).extraction, null);
});

test('openai responses, non-stream and stream', async () => {
  const r = await openai.responses.create({ model: 'gpt-4o-mini', instructions: SYS, input: USER, max_output_tokens: 25 });
  assert.equal(r.usage?.input_tokens, PROMPT);
  assert.equal(r.usage?.output_tokens, encode(r.output_text).length);

  const s = await openai.responses.create({ model: 'o3-mini', instructions: SYS, input: [{ role: 'user', content: USER }], stream: true });
  let text = '';
  let completed: OpenAI.Responses.Response | undefined;
  for await (const ev of s) {
    if (ev.type === 'response.output_text.delta') text += ev.delta;
    if (ev.type === 'response.completed') completed = ev.response;
  }
  assert.equal(completed?.usage?.input_tokens, PROMPT);
  assert.equal(completed?.usage?.output_tokens_details.reasoning_tokens, 64);
  assert.equal(completed?.usage?.output_tokens, encode(text).length + 64);

  const raw = await postRaw(`${sim.url}/v1/responses`, { model: 'o3-mini', instructions: SYS, input: USER, stream: true }, { 'x-sim-cached-tokens': '3' });
  const out = meterStream('openai', 'responses', raw);
  assert.equal(out.extraction?.usage.cache_read_tokens, 3);
  assert.equal(out.extraction?.usage.input_tokens, PROMPT - 3);
  assert.equal(out.extraction?.usage.output_tokens, encode(text).length);
});

test('openai embeddings and models through the SDK', async () => {
  const e = await openai.embeddings.create({ model: 'text-embedding-3-small', input: [SYS, USER] });
  assert.equal(e.data.length, 2);
  assert.equal(e.data[0]?.embedding.length, 16);
  assert.equal(e.usage.prompt_tokens, PROMPT);
  const raw = await postRaw(`${sim.url}/v1/embeddings`, { model: 'text-embedding-3-small', input: USER });
  assert.equal(parseBody('openai', 'embeddings', raw)?.usage.input_tokens, countPromptTokens([USER]));
  const list = await openai.models.list();
  assert.ok(list.data.some((m) => m.id === 'gpt-4o-mini'));
});

test('anthropic messages, non-stream with 1h cache_control and a cache read', async () => {
  const body = {
    model: 'claude-sonnet-4-5', max_tokens: 30,
    system: [{ type: 'text' as const, text: SYS, cache_control: { type: 'ephemeral' as const, ttl: '1h' as const } }],
    messages: [{ role: 'user' as const, content: USER }],
  };
  const m = await anthropic.messages.create(body, { headers: { 'x-sim-cached-tokens': '2' } });
  const text = m.content[0]?.type === 'text' ? m.content[0].text : '';
  const prefix = countPromptTokens([SYS]);
  assert.equal(m.usage.cache_read_input_tokens, 2);
  assert.equal(m.usage.cache_creation_input_tokens, prefix - 2);
  assert.equal(m.usage.cache_creation?.ephemeral_1h_input_tokens, prefix - 2);
  assert.equal(m.usage.input_tokens, countPromptTokens([USER]));
  assert.equal(m.usage.output_tokens, encode(text).length);
  assert.equal(m.stop_reason, 'max_tokens');

  const raw = await postRaw(`${sim.url}/v1/messages`, body, { 'x-sim-cached-tokens': '2' });
  const x = parseBody('anthropic', 'messages', raw);
  assert.deepEqual([x?.usage.input_tokens, x?.usage.cache_read_tokens, x?.usage.cache_write_1h_tokens], [countPromptTokens([USER]), 2, prefix - 2]);
  const n = await anthropic.messages.countTokens({ model: 'claude-sonnet-4-5', system: SYS, messages: [{ role: 'user', content: USER }] });
  assert.equal(n.input_tokens, PROMPT);
});

test('anthropic messages, stream: SDK final message and parser agree', async () => {
  const params = { model: 'claude-haiku-4-5', max_tokens: 1024, system: SYS, messages: [{ role: 'user' as const, content: USER }] };
  const stream = anthropic.messages.stream(params, { headers: { 'x-sim-output-tokens': '60' } });
  let deltas = 0;
  stream.on('text', () => deltas++);
  const final = await stream.finalMessage();
  const text = final.content[0]?.type === 'text' ? final.content[0].text : '';
  assert.ok(deltas >= 20);
  assert.equal(final.usage.input_tokens, PROMPT);
  assert.equal(final.usage.output_tokens, encode(text).length);
  assert.equal(final.stop_reason, 'end_turn');

  const raw = await postRaw(`${sim.url}/v1/messages`, { ...params, stream: true }, { 'x-sim-output-tokens': '60' });
  for (const ev of ['message_start', 'content_block_start', 'ping', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']) {
    assert.ok(raw.text.includes(`event: ${ev}\n`), ev);
  }
  const out = meterStream('anthropic', 'messages', raw);
  assert.equal(out.extraction?.usage.input_tokens, PROMPT);
  assert.equal(out.extraction?.usage.output_tokens, encode(text).length);
});

test('gemini generateContent and streamGenerateContent (SSE) through the SDK', async () => {
  const config = { systemInstruction: SYS, maxOutputTokens: 50 };
  const r = await gemini.models.generateContent({ model: 'gemini-2.0-flash', contents: USER, config });
  assert.equal(r.usageMetadata?.promptTokenCount, PROMPT);
  assert.equal(r.usageMetadata?.candidatesTokenCount, encode(r.text ?? '').length);
  assert.equal(r.usageMetadata?.thoughtsTokenCount, undefined);

  const s = await gemini.models.generateContentStream({ model: 'gemini-2.5-flash', contents: USER, config });
  let text = '';
  let last: number | undefined;
  let chunks = 0;
  for await (const c of s) {
    text += c.text ?? '';
    chunks++;
    const now = c.usageMetadata?.candidatesTokenCount;
    assert.ok(last === undefined || (now ?? 0) >= last, 'counts are cumulative');
    last = now;
    assert.equal(c.usageMetadata?.thoughtsTokenCount, 64);
  }
  assert.ok(chunks >= 20);
  assert.equal(last, encode(text).length);
  const req = sim.lastRequests().at(-1);
  assert.equal(req?.path, '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
  assert.equal(req?.headers['x-goog-api-key'], 'g-test');
});

test('gemini raw bytes: SSE and JSON-array streams read by the Costrail parser', async () => {
  const body = { contents: [{ role: 'user', parts: [{ text: USER }] }], systemInstruction: { parts: [{ text: SYS }] } };
  const h = { 'x-sim-cached-tokens': '5' };
  const base = `${sim.url}/v1beta/models/gemini-2.5-pro`;
  const one = parseBody('gemini', 'generateContent', await postRaw(`${base}:generateContent`, body, h));
  assert.deepEqual([one?.usage.input_tokens, one?.usage.cache_read_tokens, one?.usage.reasoning_tokens], [PROMPT - 5, 5, 64]);
  for (const url of [`${base}:streamGenerateContent?alt=sse`, `${base}:streamGenerateContent`]) {
    const raw = await postRaw(url, body, h);
    if (!url.endsWith('sse')) assert.equal((JSON.parse(raw.text) as unknown[]).length, 20);
    const out = meterStream('gemini', 'generateContent', raw);
    assert.deepEqual(out.extraction?.usage, { ...one?.usage }, url);
  }
});
