/** Anthropic Messages SSE stream -> usage, fed incrementally with raw response bytes. */
import { SseDecoder, type SseEvent } from '../sse.js';
import type { ApiKind, ParseContext, StreamMeter, StreamOutcome } from '../spec.js';
import { AnthropicStreamState } from './anthropic-stream-state.js';

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
