/**
 * The lazy chat stream meter must read exactly what the eager one reads: every verbatim chat
 * stream fixture, cut into chunks in several ways, and hostile shapes the byte searches could
 * get wrong (usage split across chunks, CR line endings, a tail without its blank line, a model
 * named late, usage null on every chunk, no usage at all).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHAT_LAZY_PLAN, ChatStreamMeter, lazyChatStreamMeter } from '../../src/providers/openai-compatible/chat-stream-meter.js';
import { LazySseMeter, MAX_LOG_BYTES } from '../../src/providers/lazy-sse-meter.js';
import { AnthropicStreamMeter, lazyAnthropicStreamMeter } from '../../src/providers/anthropic/anthropic-stream-meter.js';
import { lazyResponsesStreamMeter, ResponsesStreamMeter } from '../../src/providers/openai/responses-stream-meter.js';
import { CohereStreamMeter, lazyCohereStreamMeter } from '../../src/providers/cohere/cohere-stream-meter.js';
import type { StreamMeter, StreamOutcome } from '../../src/providers/spec.js';
import { fixtureBytes } from '../helpers/fixtures.js';

const CHAT_FIXTURES = ['openai_chat_stream_include_usage', 'azure_chat_stream_reasoning_prompt_filter', 'groq_chat_stream_x_groq_usage', 'mistral_chat_stream_reasoning', 'openrouter_chat_stream_cost_web_search'];

/** The bytes as 1 chunk, as one chunk per event, in 7-byte pieces and in 1-byte pieces. */
function cuts(bytes: Buffer): Buffer[][] {
  const every = (n: number) => Array.from({ length: Math.ceil(bytes.length / n) }, (_v, i) => bytes.subarray(i * n, (i + 1) * n));
  const events: Buffer[] = [];
  let at = 0;
  for (let sep = bytes.indexOf('\n\n'); sep !== -1; sep = bytes.indexOf('\n\n', at)) {
    events.push(bytes.subarray(at, sep + 2));
    at = sep + 2;
  }
  if (at < bytes.length) events.push(bytes.subarray(at));
  return [[bytes], events, every(7), every(1)];
}

function reading(m: StreamMeter, chunks: Buffer[], withText: boolean): Partial<StreamOutcome> {
  for (const c of chunks) m.push(c);
  const o = m.end();
  const r: Partial<StreamOutcome> = { extraction: o.extraction, model: o.model, usage_problem: o.usage_problem, upstream_error: o.upstream_error };
  if (withText) r.output_text = o.output_text;
  return r;
}

function same(bytes: Buffer, what: string, eagerMeter: () => StreamMeter = () => new ChatStreamMeter({}), lazyMeter: () => StreamMeter = () => lazyChatStreamMeter({})): void {
  for (const [i, chunks] of cuts(bytes).entries()) {
    for (const withText of [false, true]) {
      const eager = reading(eagerMeter(), chunks, withText);
      const lazy = reading(lazyMeter(), chunks, withText);
      assert.deepEqual(lazy, eager, `${what}, cut ${i}${withText ? ', text read' : ''}`);
    }
  }
}

const sse = (...events: string[]): Buffer => Buffer.from(events.map((e) => `data: ${e}\n\n`).join(''));
const chunk = (o: Record<string, unknown>): string => JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', ...o });
const text = (t: string, extra: Record<string, unknown> = {}): string => chunk({ model: 'gpt-4o-mini', choices: [{ index: 0, delta: { content: t } }], ...extra });
const USAGE = { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 };

describe('lazy chat stream meter', () => {
  for (const name of CHAT_FIXTURES) {
    it(`reads ${name} exactly as the eager meter does`, () => {
      const bytes = Buffer.from(fixtureBytes(`${name}.sse`));
      same(bytes, name);
      const m = lazyChatStreamMeter({});
      m.push(bytes);
      assert.ok(m.end().extraction, `${name} carries usage`);
    });
  }

  it('agrees on hostile and unusual shapes', () => {
    const cases: Record<string, Buffer> = {
      'usage null on every chunk, then a usage chunk': sse(text('Hi', { usage: null }), text(' there', { usage: null }), chunk({ model: 'gpt-4o-mini', choices: [], usage: USAGE }), '[DONE]'),
      'model named only on a later chunk': sse(chunk({ choices: [{ delta: { role: 'assistant' } }] }), text('a'), chunk({ model: 'other', choices: [], usage: USAGE })),
      'service tier only on the text chunks': sse(text('a', { service_tier: 'flex' }), text('b', { service_tier: 'priority' }), chunk({ choices: [], usage: USAGE })),
      'no usage (estimate from text)': sse(text('Hello'), text(' world'), '[DONE]'),
      'usage refused (negative)': sse(text('x'), chunk({ model: 'gpt-4o-mini', choices: [], usage: { ...USAGE, completion_tokens: -1 } })),
      'a later malformed usage after a good one': sse(text('x'), chunk({ choices: [], usage: USAGE }), chunk({ choices: [], usage: { prompt_tokens: 'many' } })),
      'usage with spaces around the colon': Buffer.from(`data: ${text('x')}\n\ndata: {"model":"gpt-4o-mini","choices":[],"usage" :  {"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}\n\n`),
      'the word usage inside the text': sse(text('"usage": {not really}'), chunk({ choices: [], usage: USAGE })),
      'CR line endings': Buffer.from(`data: ${text('x')}\r\rdata: ${chunk({ choices: [], usage: USAGE })}\r\r`),
      'CRLF line endings': Buffer.from(`data: ${text('x')}\r\n\r\ndata: ${chunk({ choices: [], usage: USAGE })}\r\n\r\n`),
      'a tail without its blank line': Buffer.from(`data: ${text('x')}\n\ndata: ${chunk({ choices: [], usage: USAGE })}`),
      'comments and event fields': Buffer.from(`: keep-alive\n\nevent: message\ndata: ${text('x')}\n\n: OPENROUTER PROCESSING\n\ndata: ${chunk({ choices: [], usage: USAGE })}\n\n`),
      'unreadable chunks': sse('{not json', text('x'), '[1,2]', chunk({ choices: [], usage: USAGE })),
      'annotations (citations) on a text chunk': sse(text('x'), chunk({ model: 'gpt-4o-mini', choices: [{ delta: { annotations: [{ type: 'url_citation', url_citation: { url: 'https://e.x' } }] } }] }), chunk({ choices: [], usage: USAGE })),
      'multi-line data': Buffer.from(`data: {"model":"gpt-4o-mini",\ndata: "choices":[]}\n\ndata: ${text('y')}\n\ndata: {"choices":[],\ndata: "usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}\n\n`),
    };
    for (const [what, bytes] of Object.entries(cases)) same(bytes, what);
  });

  it('decodes only the first chunk, the usage chunk and the last text chunk of a plain stream', () => {
    const fed: string[] = [];
    class Counting extends ChatStreamMeter {
      override push(c: Uint8Array): void {
        fed.push(Buffer.from(c).toString('utf8'));
        super.push(c);
      }
    }
    const texts = Array.from({ length: 24 }, (_v, i) => text(`t${i}`, { usage: null }));
    const bytes = sse(...texts, chunk({ model: 'gpt-4o-mini', choices: [], usage: USAGE }), '[DONE]');
    const m = new LazySseMeter(() => new Counting({}), CHAT_LAZY_PLAN);
    for (const e of cuts(bytes)[1]!) m.push(e);
    const out = m.end();
    assert.equal(out.extraction?.usage.input_tokens, 12);
    assert.deepEqual(fed.map((f) => /"content":"(t\d+)"/.exec(f)?.[1] ?? (f.includes('"usage":{') ? 'usage' : f.trim())), ['t0', 'usage', 't23']);
    // Asking for the text (an estimate) replays the whole stream.
    assert.equal(out.output_text, texts.map((_t, i) => `t${i}`).join(''));
  });

  for (const name of ['anthropic_messages_stream_basic', 'anthropic_messages_stream_cache_servertool_cumulative', 'anthropic_messages_stream_thinking', 'anthropic_messages_stream_web_search']) {
    it(`reads ${name} exactly as the eager Anthropic meter does`, () => {
      const ctx = { api: 'messages' as const };
      same(Buffer.from(fixtureBytes(`${name}.sse`)), name, () => new AnthropicStreamMeter(ctx), () => lazyAnthropicStreamMeter(ctx));
    });
  }

  it('agrees with the eager Anthropic meter on hostile shapes', () => {
    const ctx = { api: 'messages' as const };
    const ev = (type: string, o: Record<string, unknown>): string => `event: ${type}\ndata: ${JSON.stringify({ type, ...o })}\n\n`;
    const start = ev('message_start', { message: { model: 'claude-sonnet-4-5', usage: { input_tokens: 10, output_tokens: 1 } } });
    const delta = (t: string): string => ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: t } });
    const cases: Record<string, string> = {
      'no message_delta': start + delta('hi'),
      'no usage at all': delta('a') + delta('b'),
      'type names inside the text': start + delta('"message_delta" {"usage":{"output_tokens":99}}') + ev('message_delta', { usage: { output_tokens: 5 } }),
      'a refused usage': start + ev('message_delta', { usage: { output_tokens: -5 } }),
      'a mislabelled event field': start + `event: content_block_delta\ndata: ${JSON.stringify({ type: 'message_delta', usage: { output_tokens: 7 } })}\n\n`,
    };
    for (const [what, text] of Object.entries(cases)) same(Buffer.from(text), what, () => new AnthropicStreamMeter(ctx), () => lazyAnthropicStreamMeter(ctx));
  });

  for (const name of ['openai_responses_stream_flex_reasoning', 'openai_responses_stream_web_search']) {
    it(`reads ${name} exactly as the eager Responses meter does`, () => {
      same(Buffer.from(fixtureBytes(`${name}.sse`)), name, () => new ResponsesStreamMeter(), () => lazyResponsesStreamMeter());
    });
  }

  it('reads cohere_chat_v2_stream exactly as the eager Cohere meter does', () => {
    const ctx = { api: 'chat' as const };
    const bytes = Buffer.from(fixtureBytes('cohere_chat_v2_stream.sse'));
    same(bytes, 'cohere_chat_v2_stream', () => new CohereStreamMeter(ctx), () => lazyCohereStreamMeter(ctx));
    assert.notEqual(reading(lazyCohereStreamMeter(ctx), [bytes], false).extraction, null);
  });

  it('agrees with the eager Cohere meter on hostile shapes', () => {
    const ctx = { api: 'chat' as const };
    const data = (o: Record<string, unknown>): string => `data: ${JSON.stringify(o)}\n\n`;
    const delta = (t: string): string => data({ type: 'content-delta', index: 0, delta: { message: { content: { text: t } } } });
    const end = (input: number, output: number): string => data({ type: 'message-end', delta: { finish_reason: 'COMPLETE', usage: { billed_units: { input_tokens: input, output_tokens: output }, tokens: { input_tokens: input, output_tokens: output } } } });
    const cases: Record<string, string> = {
      'no usage at all': delta('a') + delta('b'),
      'two message-ends, the last one wins': delta('a') + end(3, 1) + delta('b') + end(9, 4),
      // `\u002d` is "-": the type is message-end once decoded, though its bytes do not say so.
      'an escaped type': delta('a') + end(3, 1) + end(9, 4).replace('message-end', 'message\\u002dend'),
      'the type only in the event field': delta('a') + `event: message-end\ndata: ${JSON.stringify({ delta: { usage: { billed_units: { input_tokens: 6, output_tokens: 2 } } } })}\n\n`,
      'a refused usage': delta('a') + data({ type: 'message-end', delta: { usage: { billed_units: { input_tokens: -1 } } } }),
      'type names inside the text': delta('"message-end" {"usage":{}}') + end(5, 5),
      'v1 stream-end': data({ event_type: 'text-generation', text: 'Hi' }) + data({ event_type: 'stream-end', response: { meta: { billed_units: { input_tokens: 3, output_tokens: 1 } } } }),
    };
    for (const [what, text] of Object.entries(cases)) same(Buffer.from(text), what, () => new CohereStreamMeter(ctx), () => lazyCohereStreamMeter(ctx));
  });

  it('stays bounded: a stream past the log limit is metered eagerly, still exactly', () => {
    const big = text('z'.repeat(64 * 1024));
    const n = Math.ceil(MAX_LOG_BYTES / big.length) + 2;
    const bytes = sse(...Array.from({ length: n }, () => big), chunk({ choices: [], usage: USAGE }));
    same(bytes, 'past the log limit');
  });
});
