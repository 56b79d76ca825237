/**
 * Cohere chat SSE stream -> usage. v2: usage in the `message-end` event's delta.usage;
 * v1: in the `stream-end` event's response.meta.
 */
import { contains, LazySseMeter, type LazyPlan } from '../lazy-sse-meter.js';
import type { SseEvent } from '../sse.js';
import { SseStreamMeter } from '../sse-stream-meter.js';
import {
  asRecord,
  str,
  type ParseContext,
  type StreamMeter,
  type StreamOutcome,
  type UsageExtraction,
} from '../spec.js';
import { cohereExtraction } from './cohere-usage.js';

const MESSAGE_END = Buffer.from('message-end');
const STREAM_END = Buffer.from('stream-end');
/** A JSON `\\u` escape could spell either type: such an event is decoded whatever it seems to be. */
const ESCAPE = Buffer.from('\\u');

/**
 * What CohereStreamMeter reads usage from, found from bytes (LazySseMeter): only `message-end` (v2)
 * and `stream-end` (v1) events carry usage; the text of the other events is read only when an
 * estimate needs it (the lazy meter replays the stream then).
 */
export const COHERE_LAZY_PLAN: LazyPlan<CohereStreamMeter> = {
  candidate: (buf, start, end) => contains(buf, start, end, MESSAGE_END) || contains(buf, start, end, STREAM_END) || contains(buf, start, end, ESCAPE),
};

/** A Cohere stream meter that decodes only the events that can carry usage (see lazy-sse-meter.ts). */
export function lazyCohereStreamMeter(ctx: ParseContext): StreamMeter {
  return new LazySseMeter(() => new CohereStreamMeter(ctx), COHERE_LAZY_PLAN);
}

export class CohereStreamMeter extends SseStreamMeter {
  private text = '';
  private usage: UsageExtraction | null = null;

  constructor(private readonly ctx: ParseContext) {
    super();
  }

  /** Events that were not JSON objects or carried malformed usage. */
  get ignored(): number {
    return this.skipped;
  }

  protected finish(): StreamOutcome {
    return { extraction: this.usage, output_text: this.text };
  }

  protected onEvent(ev: SseEvent): void {
    let e: Record<string, unknown> | undefined;
    try {
      e = asRecord(JSON.parse(ev.data));
    } catch {
      e = undefined;
    }
    if (!e) {
      this.skipped++;
      return;
    }
    try {
      this.dispatch(e, str(e, 'type') ?? str(e, 'event_type') ?? ev.event);
    } catch (err) {
      this.rejectUsage(err);
    }
  }

  private dispatch(e: Record<string, unknown>, type: string | undefined): void {
    const message = asRecord(asRecord(e['delta'])?.['message']);
    switch (type) {
      case 'content-delta': {
        const content = asRecord(message?.['content']);
        this.text += str(content, 'text') ?? str(content, 'thinking') ?? '';
        return;
      }
      case 'tool-plan-delta':
        this.text += str(message, 'tool_plan') ?? '';
        return;
      case 'tool-call-delta':
        // Tool arguments are generated (and billed) output too.
        this.text += str(asRecord(asRecord(message?.['tool_calls'])?.['function']), 'arguments') ?? '';
        return;
      case 'message-end': {
        const usage = asRecord(asRecord(e['delta'])?.['usage']);
        if (usage) this.usage = cohereExtraction(usage, this.ctx, this.ctx.api) ?? this.usage;
        return;
      }
      case 'text-generation': // v1
        this.text += str(e, 'text') ?? '';
        return;
      case 'stream-end': {
        // v1
        const meta = asRecord(asRecord(e['response'])?.['meta']);
        if (meta) this.usage = cohereExtraction(meta, this.ctx, this.ctx.api) ?? this.usage;
        return;
      }
      default:
        return; // message-start, content-start/end, tool-call-start/end, citation-start/end
    }
  }
}
