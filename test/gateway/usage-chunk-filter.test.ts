/**
 * UsageChunkFilter's fast path: a chunk of whole events none of which carries a usage object
 * passes as the very same Buffer; whatever the cut, the client sees the stream minus exactly the
 * usage-only chunk the gateway asked for.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageChunkFilter } from '../../src/gateway/usage-chunk-filter.js';

const ev = (o: unknown): string => `data: ${JSON.stringify(o)}\n\n`;
const text = (t: string): string => ev({ model: 'gpt-4o-mini', choices: [{ index: 0, delta: { content: t } }], usage: null });
const usageOnly = ev({ model: 'gpt-4o-mini', choices: [], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } });
const stream = text('a') + text('"usage": {quoted}') + text('b') + usageOnly + 'data: [DONE]\n\n';
const expected = text('a') + text('"usage": {quoted}') + text('b') + 'data: [DONE]\n\n';

function run(chunks: Buffer[]): { out: string; same: number } {
  const f = new UsageChunkFilter();
  let same = 0;
  const parts = chunks.map((c) => {
    const o = f.push(c);
    if (o === c) same++;
    return o;
  });
  return { out: Buffer.concat([...parts, f.end()]).toString('utf8'), same };
}

test('whole events without a usage object pass as the same Buffer, the usage-only chunk is dropped', () => {
  const chunks = [text('a') + text('b'), usageOnly + 'data: [DONE]\n\n'].map((s) => Buffer.from(s));
  const r = run(chunks);
  assert.equal(r.out, text('a') + text('b') + 'data: [DONE]\n\n');
  assert.equal(r.same, 1, 'the first chunk is passed through without a copy');
});

test('any cut of the stream gives the client the same bytes', () => {
  const bytes = Buffer.from(stream);
  for (const n of [1, 2, 3, 5, 17, bytes.length]) {
    const chunks = Array.from({ length: Math.ceil(bytes.length / n) }, (_v, i) => bytes.subarray(i * n, (i + 1) * n));
    assert.equal(run(chunks).out, expected, `${n}-byte pieces`);
  }
  const crlf = Buffer.from(stream.replace(/\n/g, '\r\n'));
  assert.equal(run([crlf]).out, expected.replace(/\n/g, '\r\n'));
});
