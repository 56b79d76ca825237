/**
 * A ShapeTranslator made of a client dialect and a target dialect. The stream half is the state
 * machine the gateway drives: upstream bytes → SSE events (split anywhere, even mid-UTF-8) →
 * neutral events → the client's SSE text. Memory stays bounded on a hostile upstream: an event
 * that grows past `maxEventBytes` without completing ends the client's stream with an error.
 */
import { SseDecoder } from '../providers/sse.js';
import type { ChatStreamEvent } from './chat-model.js';
import type { ClientDialect, ClientStreamEncoder, TargetDialect, TargetStreamDecoder } from './dialect.js';
import { decodeErrorBody, jsonBytes } from './error-dialects.js';
import { ShapeTranslationError, type ShapeTranslator, type StreamTranslator, type TranslatedRequest } from './shape-translator.js';

/** Largest pending (incomplete) upstream event; real events are a few KiB, inline images a few MiB. */
export const MAX_PENDING_EVENT_BYTES = 8 * 1024 * 1024;

const encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);

class TranslatingStream implements StreamTranslator {
  private sse: SseDecoder | undefined = new SseDecoder();
  /** Bytes pushed since the last push that completed an event: a bound on the decoder's pending text. */
  private pending = 0;
  private done = false;

  constructor(
    private readonly decoder: TargetStreamDecoder,
    private readonly encoder: ClientStreamEncoder,
    private readonly maxEventBytes: number,
  ) {}

  push(chunk: Uint8Array): Uint8Array {
    if (this.done || this.sse === undefined) return EMPTY;
    const events = this.sse.push(chunk);
    this.pending = events.length > 0 ? 0 : this.pending + chunk.length;
    const out: ChatStreamEvent[] = [];
    for (const e of events) this.decoder.read(e, out);
    let text = this.write(out);
    if (!this.done && this.pending > this.maxEventBytes) {
      // Drop the decoder (and the text it holds) and tell the client why its answer stops here.
      this.sse = undefined;
      this.done = true;
      text += this.encoder.write({ type: 'error', error: { status: 502, message: `upstream stream event exceeded ${this.maxEventBytes} bytes` } });
    }
    return text === '' ? EMPTY : encoder.encode(text);
  }

  end(): Uint8Array {
    if (this.done || this.sse === undefined) {
      this.done = true;
      return EMPTY;
    }
    const out: ChatStreamEvent[] = [];
    for (const e of this.sse.end()) this.decoder.read(e, out);
    this.sse = undefined;
    const complete = this.decoder.finish(out);
    let text = this.write(out);
    if (!this.done) text += this.encoder.close(complete);
    this.done = true;
    return text === '' ? EMPTY : encoder.encode(text);
  }

  /** Encodes events until the first error, after which the client's stream is over. */
  private write(events: ChatStreamEvent[]): string {
    let text = '';
    for (const e of events) {
      if (this.done) break;
      text += this.encoder.write(e);
      if (e.type === 'error') this.done = true;
    }
    return text;
  }
}

export interface ComposeOptions {
  /** Cap on a pending upstream event (default MAX_PENDING_EVENT_BYTES). */
  readonly maxEventBytes?: number;
}

export function composeTranslator(client: ClientDialect, target: TargetDialect, options: ComposeOptions = {}): ShapeTranslator {
  const maxEventBytes = options.maxEventBytes ?? MAX_PENDING_EVENT_BYTES;
  return {
    from: client.api,
    to: target.api,
    request(body: Record<string, unknown>, targetModel: string, stream: boolean): TranslatedRequest {
      const chat = client.decodeRequest(body);
      // Every upstream refuses an empty conversation; say so in the client's terms instead.
      if (chat.turns.length === 0) throw new ShapeTranslationError('the request has no user or assistant message with content');
      return target.encodeRequest(chat, targetModel, stream);
    },
    response(body: Record<string, unknown>, clientModel: string, clientRequest?: Record<string, unknown>): Record<string, unknown> {
      return client.encodeResponse(target.decodeResponse(body), clientModel, client.answerOptions(clientRequest));
    },
    stream(clientModel: string, clientRequest?: Record<string, unknown>): StreamTranslator {
      return new TranslatingStream(target.streamDecoder(), client.streamEncoder(clientModel, client.answerOptions(clientRequest)), maxEventBytes);
    },
    error(status: number, body: Uint8Array): Uint8Array {
      return jsonBytes(client.encodeError(decodeErrorBody(status, body, target.provider)));
    },
  };
}
