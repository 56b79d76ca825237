/**
 * Incremental Server-Sent Events decoder (WHATWG HTML "event stream" parsing rules).
 * Fed arbitrary byte chunks: events and UTF-8 sequences may be split anywhere, lines may end
 * in LF, CRLF or CR, and comment lines (": keep-alive", ": OPENROUTER PROCESSING") are skipped.
 */

export interface SseEvent {
  /** `event:` field; undefined when the event had none (the spec's "message"). */
  event: string | undefined;
  data: string;
}

export class SseDecoder {
  private readonly decoder = new TextDecoder('utf-8');
  /** Pieces of the current unfinished line; joined only once its end arrives, so long lines stay linear. */
  private partial: string[] = [];
  /** The previous chunk ended in CR: a LF opening the next chunk belongs to the same line break. */
  private pendingCR = false;
  private eventName: string | undefined = undefined;
  private dataLines: string[] = [];

  /** Decodes a chunk and returns the events it completed. */
  push(chunk: Uint8Array): SseEvent[] {
    const out: SseEvent[] = [];
    this.scan(this.decoder.decode(chunk, { stream: true }), out);
    return out;
  }

  /** Flushes the tail at end of stream; an unterminated final event is still delivered. */
  end(): SseEvent[] {
    const out: SseEvent[] = [];
    this.scan(this.decoder.decode(), out);
    if (this.partial.length > 0) this.line(this.takeLine(''), out);
    this.dispatch(out);
    return out;
  }

  private scan(text: string, out: SseEvent[]): void {
    let start = 0;
    if (this.pendingCR && text.charCodeAt(0) === 10) start = 1;
    if (text.length > 0) this.pendingCR = false;
    for (let i = start; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      this.line(this.takeLine(text.slice(start, i)), out);
      if (c === 13) {
        if (i + 1 === text.length) this.pendingCR = true;
        else if (text.charCodeAt(i + 1) === 10) i++;
      }
      start = i + 1;
    }
    if (start < text.length) this.partial.push(text.slice(start));
  }

  private takeLine(tail: string): string {
    if (this.partial.length === 0) return tail;
    this.partial.push(tail);
    const line = this.partial.join('');
    this.partial = [];
    return line;
  }

  private line(line: string, out: SseEvent[]): void {
    if (line.length === 0) {
      this.dispatch(out);
      return;
    }
    if (line.charCodeAt(0) === 58 /* : */) return; // comment / keep-alive
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === 'data') this.dataLines.push(value);
    else if (field === 'event') this.eventName = value;
    // `id` and `retry` carry nothing for metering.
  }

  private dispatch(out: SseEvent[]): void {
    if (this.dataLines.length > 0) out.push({ event: this.eventName, data: this.dataLines.join('\n') });
    this.eventName = undefined;
    this.dataLines = [];
  }
}

/** Decodes a whole SSE body at once (CLI and tests). */
export function parseSse(body: Uint8Array | string): SseEvent[] {
  const d = new SseDecoder();
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  return [...d.push(bytes), ...d.end()];
}
