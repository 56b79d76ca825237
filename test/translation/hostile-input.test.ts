/**
 * Hostile input through every registered translator: mutated requests only ever succeed or throw
 * ShapeTranslationError (never a TypeError the gateway would turn into a 500), any upstream JSON
 * reads without throwing, and corrupted upstream streams never throw and always end the client's
 * stream with its own end marker or an error. Seeded, so a failure replays.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '../../src/simulator/seeded-random.js';
import { ShapeTranslationError, translatorFor, type ShapeTranslator, type TranslatableApi } from '../../src/translation/translators.js';
import { fixtureBytes, fixtureJson } from '../helpers/fixtures.js';
import { translateStream } from './translation-kit.js';

type Rec = Record<string, unknown>;
const APIS: TranslatableApi[] = ['chat.completions', 'messages', 'generateContent'];
const pairs: ShapeTranslator[] = APIS.flatMap((a) => APIS.flatMap((b) => (a === b ? [] : [translatorFor(a, b)!])));

const VALID: Record<TranslatableApi, Rec> = {
  'chat.completions': {
    model: 'gpt-4o',
    messages: [
      { role: 'system', content: 'x' },
      { role: 'user', content: [{ type: 'text', text: 'hi' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }] },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }] },
      { role: 'tool', tool_call_id: 'c1', content: 'ok' },
    ],
    tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
    tool_choice: 'auto',
    max_tokens: 10,
    stop: ['s'],
  },
  messages: {
    model: 'claude',
    max_tokens: 10,
    system: [{ type: 'text', text: 'x' }],
    messages: [
      { role: 'user', content: [{ type: 'text', text: 'hi' }] },
      { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'f', input: { a: 1 } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'ok' }] },
    ],
    tools: [{ name: 'f', input_schema: { type: 'object' } }],
    tool_choice: { type: 'auto' },
  },
  generateContent: {
    systemInstruction: { parts: [{ text: 'x' }] },
    contents: [
      { role: 'user', parts: [{ text: 'hi' }] },
      { role: 'model', parts: [{ functionCall: { name: 'f', args: { a: 1 } } }] },
      { role: 'user', parts: [{ functionResponse: { name: 'f', response: { output: 'ok' } } }] },
    ],
    tools: [{ functionDeclarations: [{ name: 'f', parameters: { type: 'OBJECT' } }] }],
    generationConfig: { maxOutputTokens: 10 },
  },
};

const ODD: unknown[] = [null, 0, -1, 1.5, 'x', '', true, [], {}, [null], { type: 'text' }, { role: 'user' }, 2 ** 60];

/** A deep copy with one randomly chosen node (any depth) replaced by an odd value or removed. */
function mutate(v: unknown, rnd: () => number): unknown {
  const nodes: { parent: Rec | unknown[]; key: string | number }[] = [];
  const copy = JSON.parse(JSON.stringify(v)) as unknown;
  const walk = (x: unknown): void => {
    const entries: [string | number, unknown][] = Array.isArray(x) ? x.map((c, i) => [i, c]) : typeof x === 'object' && x !== null ? Object.entries(x) : [];
    for (const [key, child] of entries) {
      nodes.push({ parent: x as Rec | unknown[], key });
      walk(child);
    }
  };
  walk(copy);
  const n = nodes[Math.floor(rnd() * nodes.length)]!;
  const odd = ODD[Math.floor(rnd() * ODD.length)];
  if (rnd() < 0.2 && !Array.isArray(n.parent)) delete (n.parent as Rec)[n.key as string];
  else (n.parent as Rec)[n.key as string] = odd;
  return copy;
}

test('mutated requests either translate or throw ShapeTranslationError, for every pair', () => {
  const rnd = seededRandom(21);
  for (const t of pairs) {
    for (let i = 0; i < 400; i++) {
      let body = VALID[t.from];
      for (let k = 1 + Math.floor(rnd() * 3); k > 0; k--) body = mutate(body, rnd) as Rec;
      try {
        t.request(body, 'target-model', rnd() < 0.5);
      } catch (e) {
        assert.ok(e instanceof ShapeTranslationError, `${t.from}>${t.to} threw ${String(e)} for ${JSON.stringify(body)}`);
      }
    }
  }
});

test('a deeply nested schema is refused, not a stack overflow', () => {
  let schema: Rec = { type: 'OBJECT' };
  for (let i = 0; i < 5000; i++) schema = { type: 'OBJECT', properties: { a: schema } };
  const body = { ...VALID.generateContent, tools: [{ functionDeclarations: [{ name: 'f', parameters: schema }] }] };
  assert.throws(() => translatorFor('generateContent', 'chat.completions')!.request(body, 'm', false), ShapeTranslationError);
});

test('any upstream JSON reads without throwing', () => {
  const rnd = seededRandom(7);
  const samples: unknown[] = [
    fixtureJson('anthropic_messages_nonstream_basic.json'),
    fixtureJson('openai_chat_nonstream_basic.json'),
    fixtureJson('gemini_generatecontent_nonstream_thinking.json'),
  ];
  for (const t of pairs) {
    t.response({}, 'm');
    for (let i = 0; i < 200; i++) {
      const body = mutate(samples[i % samples.length], rnd);
      if (typeof body === 'object' && body !== null && !Array.isArray(body)) t.response(body as Rec, 'm');
    }
  }
});

/** The client's end of stream: `[DONE]`, `message_stop`, a final Gemini chunk, or an error event. */
function endsProperly(t: ShapeTranslator, text: string): boolean {
  if (text === '') return true;
  const tail = text.trimEnd().split('\n').slice(-1)[0] ?? '';
  if (tail.includes('"error"')) return true;
  if (t.from === 'chat.completions') return tail === 'data: [DONE]';
  if (t.from === 'messages') return tail === 'data: {"type":"message_stop"}';
  return tail.includes('"finishReason"');
}

test('corrupted upstream streams never throw and always end the client stream properly', () => {
  const rnd = seededRandom(99);
  const streams: Record<TranslatableApi, Uint8Array> = {
    messages: fixtureBytes('anthropic_messages_stream_basic.sse'),
    'chat.completions': fixtureBytes('openai_chat_stream_include_usage.sse'),
    generateContent: fixtureBytes('gemini_streamgeneratecontent_thinking.sse'),
  };
  for (const t of pairs) {
    const src = streams[t.to];
    for (let i = 0; i < 60; i++) {
      const bytes = Uint8Array.from(src);
      for (let k = 0; k < 1 + Math.floor(rnd() * 8); k++) bytes[Math.floor(rnd() * bytes.length)] = Math.floor(rnd() * 256);
      const cut = rnd() < 0.3 ? bytes.subarray(0, Math.floor(rnd() * bytes.length)) : bytes;
      const pieces: Uint8Array[] = [];
      for (let at = 0; at < cut.length; ) {
        const n = 1 + Math.floor(rnd() * 200);
        pieces.push(cut.subarray(at, at + n));
        at += n;
      }
      const out = translateStream(t, pieces, 'client-model', { stream_options: { include_usage: true } });
      assert.ok(endsProperly(t, out), `${t.from}>${t.to} ended with: ${out.slice(-200)}`);
    }
  }
});
