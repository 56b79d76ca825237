/** Anthropic Messages SSE stream -> usage, fed incrementally with raw response bytes. */
import { contains, LazySseMeter, type LazyPlan } from '../lazy-sse-meter.js';
import { SseDecoder, type SseEvent } from '../sse.js';
import type { ApiKind, ParseContext, StreamMeter, StreamOutcome } from '../spec.js';
import { AnthropicStreamState } from './anthropic-stream-state.js';

const MESSAGE_START = Buffer.from('"message_start"');
const MESSAGE_DELTA = Buffer.from('"message_delta"');
const BLOCK_START = Buffer.from('"content_block_start"');

/**
 * What the usage reading needs, found from bytes (LazySseMeter): message_start (model, input
 * usage), message_delta (output usage) and content_block_start (server-tool loop); the bulk,
 * content_block_delta, ping and content_block_stop, only adds text or nothing. A type name
 * inside generated text is escaped (`\"message_delta\"`), so it does not match.
 */
export const ANTHROPIC_LAZY_PLAN: LazyPlan = {
  candidate: (buf, start, end) => contains(buf, start, end, MESSAGE_START) || contains(buf, start, end, MESSAGE_DELTA) || contains(buf, start, end, BLOCK_START),
};

/** An Anthropic stream meter that decodes only the events that can carry usage (see lazy-sse-meter.ts). */
export function lazyAnthropicStreamMeter(ctx: ParseContext, api: ApiKind = 'messages'): StreamMeter {
  return new LazySseMeter(() => new AnthropicStreamMeter(ctx, api), ANTHROPIC_LAZY_PLAN);
}

export class AnthropicStreamMeter implements StreamMeter {
  private readonly sse = new SseDecoder();
  /** Exposed for diagnostics (complete, error, ignored). */
  readonly state: AnthropicStreamState;
  private result: StreamOutcome | undefined;

  constructor(ctx: ParseContext, api: ApiKind = 'messages') {
    this.state = new AnthropicStreamState(ctx, api);
  }

  push(chunk: Uint8Array): void {
    if (this.result) return;
    for (const ev of this.sse.push(chunk)) this.onEvent(ev);
  }

  end(): StreamOutcome {
    if (!this.result) {
      for (const ev of this.sse.end()) this.onEvent(ev);
      this.result = this.state.outcome();
    }
    return this.result;
  }

  private onEvent(ev: SseEvent): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(ev.data);
    } catch {
      this.state.noteIgnored();
      return;
    }
    this.state.handle(parsed);
  }
}
