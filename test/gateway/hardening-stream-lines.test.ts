/**
 * Issue 11: a single multi-MB SSE line must cost linear work. The usage-chunk filter (on every
 * OpenAI-style chat stream whose usage Costrail asked for) once re-joined and re-searched its whole
 * pending event on every chunk: 10/20/40 MB took 2.0/3.2/20.7 s. Work is measured here as bytes
 * copied and bytes held, never as time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageChunkFilter } from '../../src/gateway/usage-chunk-filter.js';
import { SseDecoder } from '../../src/providers/sse.js';

const CHUNK = 16 * 1024;

function bigEvent(bytes: number): Buffer {
  return Buffer.from(`data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"${'a'.repeat(bytes)}"}}]}\n\n`);
}

/** Counts the bytes Buffer.concat copies while `run` executes. */
function copiedBy(run: () => void): number {
  const original = Buffer.concat;
  let copied = 0;
  Buffer.concat = ((list: readonly Uint8Array[], total?: number) => {
    const out = original(list, total);
    copied += out.length;
    return out;
  }) as typeof Buffer.concat;
  try {
    run();
  } finally {
    Buffer.concat = original;
  }
  return copied;
}

test('usage-chunk filter: a 2 MB single-line event streams through with linear copying and bounded holding', () => {
  const input = bigEvent(2 * 1024 * 1024);
  const filter = new UsageChunkFilter();
  const out: Buffer[] = [];
  let pushed = 0;
  let emitted = 0;
  let maxHeld = 0;
  const copied = copiedBy(() => {
    for (let i = 0; i < input.length; i += CHUNK) {
      const piece = input.subarray(i, i + CHUNK);
      pushed += piece.length;
      const o = filter.push(piece);
      emitted += o.length;
      out.push(o);
      maxHeld = Math.max(maxHeld, pushed - emitted);
    }
    out.push(filter.end());
  });
  assert.ok(Buffer.concat(out).equals(input), 'the event reaches the client byte for byte');
  assert.ok(maxHeld <= 64 * 1024 + CHUNK, `an event too long to be the usage chunk is not held back (held up to ${maxHeld} bytes)`);
  assert.ok(copied <= 3 * input.length, `copying stays linear in the input (${copied} bytes copied for ${input.length})`);
});

test('usage-chunk filter: the usage-only chunk after a long event is still removed, whatever the chunking', () => {
  const usage = Buffer.from('data: {"id":"c1","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12}}\n\n');
  const done = Buffer.from('data: [DONE]\n\n');
  const long = bigEvent(200_000);
  const input = Buffer.concat([long, usage, done]);
  for (const size of [1, 2, 3, 7, 1000, CHUNK]) {
    if (size < 7 && input.length / size > 50_000) {
      // Byte-sized chunks over the long event take a while; split only around the usage chunk.
      const head = input.subarray(0, long.length - 10);
      const filter = new UsageChunkFilter();
      const parts = [filter.push(head)];
      for (let i = head.length; i < input.length; i += size) parts.push(filter.push(input.subarray(i, i + size)));
      parts.push(filter.end());
      assert.ok(Buffer.concat(parts).equals(Buffer.concat([long, done])), `chunks of ${size}`);
      continue;
    }
    const filter = new UsageChunkFilter();
    const parts: Buffer[] = [];
    for (let i = 0; i < input.length; i += size) parts.push(filter.push(input.subarray(i, i + size)));
    parts.push(filter.end());
    assert.ok(Buffer.concat(parts).equals(Buffer.concat([long, done])), `chunks of ${size}`);
  }
});

test('SSE decoder: a 4 MB line is joined once (bytes held as pieces until its end arrives)', () => {
  const input = bigEvent(4 * 1024 * 1024);
  const decoder = new SseDecoder();
  const original = Array.prototype.join;
  let joined = 0;
  Array.prototype.join = function (this: unknown[], sep?: string): string {
    const s = original.call(this, sep);
    joined += s.length;
    return s;
  };
  const events = [];
  try {
    for (let i = 0; i < input.length; i += CHUNK) events.push(...decoder.push(input.subarray(i, i + CHUNK)));
    events.push(...decoder.end());
  } finally {
    Array.prototype.join = original;
  }
  assert.equal(events.length, 1);
  assert.ok(joined <= 3 * input.length, `joining stays linear (${joined} characters for ${input.length} bytes)`);
});
