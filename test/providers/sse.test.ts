import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SseDecoder, parseSse } from '../../src/providers/sse.js';
import { fixtureBytes, splitAt } from '../helpers/fixtures.js';

function decodeChunks(chunks: Uint8Array[]) {
  const d = new SseDecoder();
  const out = [];
  for (const c of chunks) out.push(...d.push(c));
  out.push(...d.end());
  return out;
}

test('decodes event names, multi-line data, and skips comments', () => {
  const events = parseSse(': keep-alive\n\nevent: ping\ndata: {"a":1}\n\ndata: line1\ndata: line2\n\n');
  assert.deepEqual(events, [
    { event: 'ping', data: '{"a":1}' },
    { event: undefined, data: 'line1\nline2' },
  ]);
});

test('CRLF and bare CR line endings are equivalent to LF', () => {
  const lf = parseSse('event: a\ndata: 1\n\ndata: 2\n\n');
  assert.deepEqual(parseSse('event: a\r\ndata: 1\r\n\r\ndata: 2\r\n\r\n'), lf);
  assert.deepEqual(parseSse('event: a\rdata: 1\r\rdata: 2\r\r'), lf);
});

test('an unterminated final event is delivered at end of stream', () => {
  assert.deepEqual(parseSse('data: [DONE]'), [{ event: undefined, data: '[DONE]' }]);
});

test('OpenRouter processing comments produce no events', () => {
  const events = parseSse(fixtureBytes('openrouter_chat_stream_cost_web_search.sse'));
  assert.ok(events.length > 0);
  assert.ok(events.every((e) => !e.data.includes('OPENROUTER PROCESSING')));
});

for (const file of ['gemini_streamgeneratecontent_thinking.sse', 'anthropic_messages_stream_web_search.sse', 'openrouter_chat_stream_cost_web_search.sse']) {
  test(`property: any split of ${file} decodes to the same events`, () => {
    const bytes = fixtureBytes(file);
    const whole = parseSse(bytes);
    fc.assert(
      fc.property(fc.array(fc.nat({ max: bytes.length }), { maxLength: 40 }), (cuts) => {
        assert.deepEqual(decodeChunks(splitAt(bytes, cuts)), whole);
      }),
      { numRuns: 200 },
    );
  });
}

test('property: arbitrary bytes never throw', () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }), (chunks) => {
      decodeChunks(chunks);
    }),
  );
});

test('a multi-megabyte data line fed in small chunks decodes in linear time', () => {
  const big = 'x'.repeat(8 * 1024 * 1024);
  const bytes = new TextEncoder().encode(`data: ${big}\r\n\r\n`);
  const d = new SseDecoder();
  const events = [];
  for (let i = 0; i < bytes.length; i += 16 * 1024) events.push(...d.push(bytes.subarray(i, i + 16 * 1024)));
  events.push(...d.end());
  assert.equal(events.length, 1);
  assert.equal(events[0]?.data.length, big.length);
});
