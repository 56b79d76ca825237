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
  private buffer = '';
  private eventName: string | undefined = undefined;
  private dataLines: string[] = [];
  private sawField = false;

  /** Decodes a chunk and returns the events it completed. */
  push(chunk: Uint8Array): SseEvent[] {
    this.buffer += this.decoder.decode(chunk, { stream: true });
    return this.drain(false);
  }

  /** Flushes the tail at end of stream; an unterminated final event is still delivered. */
  end(): SseEvent[] {
    this.buffer += this.decoder.decode();
    const out = this.drain(true);
    if (this.buffer.length > 0) {
      this.line(this.buffer, out);
      this.buffer = '';
    }
    this.dispatch(out);
    return out;
  }

  private drain(final: boolean): SseEvent[] {
    const out: SseEvent[] = [];
    const buf = this.buffer;
    let start = 0;
    for (let i = 0; i < buf.length; i++) {
      const c = buf.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      if (c === 13) {
        // A CR at the very end may be the first half of a CRLF split across chunks.
        if (i + 1 === buf.length && !final) break;
        this.line(buf.slice(start, i), out);
        if (buf.charCodeAt(i + 1) === 10) i++;
      } else {
        this.line(buf.slice(start, i), out);
      }
      start = i + 1;
    }
    this.buffer = buf.slice(start);
    return out;
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
    if (field === 'data') {
      this.dataLines.push(value);
      this.sawField = true;
    } else if (field === 'event') {
      this.eventName = value;
      this.sawField = true;
    }
    // `id` and `retry` carry nothing for metering.
  }

  private dispatch(out: SseEvent[]): void {
    if (this.sawField && this.dataLines.length > 0) {
      out.push({ event: this.eventName, data: this.dataLines.join('\n') });
    }
    this.eventName = undefined;
    this.dataLines = [];
    this.sawField = false;
  }
}

/** Decodes a whole SSE body at once (CLI and tests). */
export function parseSse(body: Uint8Array | string): SseEvent[] {
  const d = new SseDecoder();
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  return [...d.push(bytes), ...d.end()];
}
