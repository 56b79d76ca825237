/**
 * The scaffold every SSE-based stream meter shares: decode bytes into events as they arrive,
 * finish exactly once at end of stream, and count (never throw on) events that cannot be read.
 * Subclasses say what an event means and what the outcome is.
 */
import { SseDecoder, type SseEvent } from './sse.js';
import { ProviderPayloadError, type StreamMeter, type StreamOutcome } from './spec.js';

export abstract class SseStreamMeter implements StreamMeter {
  private readonly sse = new SseDecoder();
  private outcome: StreamOutcome | undefined;
  /** Events that were not JSON objects or carried unreadable usage (skipped, not fatal). */
  protected skipped = 0;
  /** The first usage the provider sent that could not be accepted (reported, never priced). */
  protected usageProblem: string | undefined;

  /** A usage-bearing event was refused: skip it, but remember why so the call is not recorded `ok`. */
  protected rejectUsage(err: unknown): void {
    if (!(err instanceof ProviderPayloadError)) throw err;
    this.skipped++;
    this.usageProblem ??= err.message;
  }

  get ignoredEvents(): number {
    return this.skipped;
  }

  push(chunk: Uint8Array): void {
    if (this.outcome) return;
    for (const ev of this.sse.push(chunk)) this.onEvent(ev);
  }

  end(): StreamOutcome {
    if (!this.outcome) {
      for (const ev of this.sse.end()) this.onEvent(ev);
      this.outcome = this.finish();
      if (this.usageProblem !== undefined) this.outcome.usage_problem = this.usageProblem;
    }
    return this.outcome;
  }

  protected abstract onEvent(ev: SseEvent): void;
  /** Builds the outcome once, after the last event. */
  protected abstract finish(): StreamOutcome;
}
