/** Helpers for the translation tests: drive a stream translator over chunked bytes and read its SSE output. */
import { parseSse, type SseEvent } from '../../src/providers/sse.js';
import type { ShapeTranslator } from '../../src/translation/shape-translator.js';

const decoder = new TextDecoder();

/** Feeds the chunks through a fresh stream translator and returns the client's SSE text. */
export function translateStream(t: ShapeTranslator, chunks: Uint8Array[], clientModel = 'client-model', clientRequest?: Record<string, unknown>): string {
  const s = t.stream(clientModel, clientRequest);
  const out: Uint8Array[] = [];
  for (const c of chunks) out.push(s.push(c));
  out.push(s.end());
  return decoder.decode(Buffer.concat(out));
}

/** Every cut into two pieces (one per byte boundary), so events and UTF-8 sequences are split everywhere. */
export function* twoPieceSplits(bytes: Uint8Array): Generator<Uint8Array[]> {
  for (let i = 1; i < bytes.length; i++) yield [bytes.subarray(0, i), bytes.subarray(i)];
}

/** One byte per chunk. */
export function byteByByte(bytes: Uint8Array): Uint8Array[] {
  return Array.from(bytes, (_, i) => bytes.subarray(i, i + 1));
}

export function sseEvents(text: string): SseEvent[] {
  return parseSse(text);
}

/** The JSON payloads of an SSE text, `[DONE]` kept as the string. */
export function ssePayloads(text: string): unknown[] {
  return parseSse(text).map((e) => (e.data === '[DONE]' ? '[DONE]' : (JSON.parse(e.data) as unknown)));
}

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** An SSE body from events, each `{ event?, data }` (data is JSON-encoded unless a string). */
export function sseBody(events: { event?: string; data: unknown }[]): string {
  return events.map((e) => `${e.event ? `event: ${e.event}\n` : ''}data: ${typeof e.data === 'string' ? e.data : JSON.stringify(e.data)}\n\n`).join('');
}
