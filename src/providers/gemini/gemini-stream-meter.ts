/**
 * Stream meter for `streamGenerateContent`, in both of its wire forms:
 * - `?alt=sse`: SSE `data:` lines, each a whole GenerateContentResponse (Gemini separates events
 *   with CRLF CRLF; the shared SseDecoder handles any line ending);
 * - no `alt`: one JSON array whose elements are written as they are generated.
 * The form is taken from the first non-blank byte ('[' or '{' -> JSON, anything else -> SSE)
 * unless the caller names it.
 *
 * Garbage never throws out of push()/end(): unparsable events and wrongly typed fields are
 * skipped and counted in `details.malformed_events`, because this runs on the gateway hot path.
 */
import { SseDecoder } from '../sse.js';
import { asRecord, type ParseContext, type StreamMeter, type StreamOutcome } from '../spec.js';
import { GeminiResponseAccumulator } from './gemini-response-accumulator.js';
import { JsonArraySplitter } from './json-array-splitter.js';

export type GeminiStreamFormat = 'auto' | 'sse' | 'json-array';

export interface GeminiStreamMeterOptions {
  format?: GeminiStreamFormat;
}

function isBlankByte(b: number): boolean {
  // Whitespace, and the UTF-8 byte-order mark (EF BB BF), which both decoders drop.
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09 || b === 0xef || b === 0xbb || b === 0xbf;
}

export class GeminiStreamMeter implements StreamMeter {
  private readonly acc = new GeminiResponseAccumulator({ strict: false, collectText: true });
  private sse: SseDecoder | undefined;
  private splitter: JsonArraySplitter | undefined;
  /** Chunks held back until the first non-blank byte tells the wire form (only while 'auto'). */
  private pending: Uint8Array[] = [];
  private ended = false;

  constructor(
    private readonly ctx: ParseContext,
    options: GeminiStreamMeterOptions = {},
  ) {
    const format = options.format ?? 'auto';
    if (format === 'sse') this.sse = new SseDecoder();
    if (format === 'json-array') this.splitter = new JsonArraySplitter();
  }

  push(chunk: Uint8Array): void {
    if (this.ended || chunk.length === 0) return;
    if (this.sse) {
      for (const ev of this.sse.push(chunk)) this.onPayload(ev.data);
      return;
    }
    if (this.splitter) {
      for (const el of this.splitter.push(chunk)) this.onPayload(el);
      return;
    }
    this.pending.push(chunk);
    let first = -1;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i] as number;
      if (!isBlankByte(b)) {
        first = b;
        break;
      }
    }
    if (first === -1) return;
    if (first === 0x5b || first === 0x7b) this.splitter = new JsonArraySplitter();
    else this.sse = new SseDecoder();
    const held = this.pending;
    this.pending = [];
    for (const c of held) this.push(c);
  }

  end(): StreamOutcome {
    if (!this.ended) {
      this.ended = true;
      if (this.sse) for (const ev of this.sse.end()) this.onPayload(ev.data);
      if (this.splitter) {
        for (const el of this.splitter.end()) this.onPayload(el);
        if (this.splitter.skipped > 0) this.acc.malformed += this.splitter.skipped;
      }
    }
    const outcome: StreamOutcome = {
      extraction: this.acc.extraction(this.ctx.model_requested, true),
      output_text: this.acc.outputText,
    };
    if (this.acc.model !== undefined) outcome.model = this.acc.model;
    if (this.acc.finishReason !== undefined) outcome.finish_reason = this.acc.finishReason;
    if (this.acc.responseId !== undefined) outcome.response_id = this.acc.responseId;
    if (this.acc.problem !== undefined) outcome.usage_problem = this.acc.problem;
    return outcome;
  }

  private onPayload(text: string): void {
    // Gemini sends no end sentinel, but an OpenAI-style proxy in front of it may.
    if (text === '[DONE]') return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      this.acc.malformed++;
      return;
    }
    // An SSE data line holding an array, or the whole array sent as one bare value.
    const items = Array.isArray(value) ? value : [value];
    for (const item of items) {
      const rec = asRecord(item);
      if (rec) this.acc.add(rec);
      else this.acc.malformed++;
    }
  }
}
