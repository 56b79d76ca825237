/**
 * Meters a streamed Responses API call. Usage is only on the terminal event's `response.usage`
 * (response.completed; response.incomplete / response.failed carry the same object);
 * response.created / in_progress have usage null (pricing_rules.md section 1, streaming rules).
 */
import { contains, LazySseMeter, type LazyPlan } from '../lazy-sse-meter.js';
import type { SseEvent } from '../sse.js';
import { SseStreamMeter } from '../sse-stream-meter.js';
import {
  asRecord,
  responseIdValue,
  str,
  type StreamMeter,
  type StreamOutcome,
  type UsageExtraction,
} from '../spec.js';
import { openAiFinishReason } from '../openai-compatible/openai-request-shape.js';
import { emptyTally, responsesExtraction, tallyWebSearchItem } from './responses-usage.js';

const TERMINAL = new Set(['response.completed', 'response.incomplete', 'response.failed']);
const HEADER = new Set(['response.created', 'response.in_progress', 'response.queued']);
/** Deltas of generated text, kept for estimating output on hang-up. */
const TEXT_DELTAS = new Set([
  'response.output_text.delta',
  'response.refusal.delta',
  'response.reasoning_text.delta',
  'response.reasoning_summary_text.delta',
  'response.function_call_arguments.delta',
  'response.custom_tool_call_input.delta',
]);
const ITEM_DONE = 'response.output_item.done';

function isWanted(name: string): boolean {
  return TERMINAL.has(name) || HEADER.has(name) || TEXT_DELTAS.has(name) || name === ITEM_DONE;
}

/** Any event naming one of these (in its event line or its data) may matter to usage: the rest only adds text. */
const NEEDED = [...TERMINAL, ...HEADER, ITEM_DONE].map((n) => Buffer.from(n));

/** What the usage reading needs, found from bytes (LazySseMeter): header, item-done and terminal events. */
export const RESPONSES_LAZY_PLAN: LazyPlan = {
  candidate: (buf, start, end) => NEEDED.some((n) => contains(buf, start, end, n)),
};

/** A Responses stream meter that decodes only the events that can carry usage (see lazy-sse-meter.ts). */
export function lazyResponsesStreamMeter(): StreamMeter {
  return new LazySseMeter(() => new ResponsesStreamMeter(), RESPONSES_LAZY_PLAN);
}

export class ResponsesStreamMeter extends SseStreamMeter {
  private readonly text: string[] = [];
  private readonly tally = emptyTally();
  private model: string | undefined;
  private extraction: UsageExtraction | null = null;
  private finishReason: string | undefined;
  private responseId: string | undefined;

  protected finish(): StreamOutcome {
    const outcome: StreamOutcome = { extraction: this.extraction, output_text: this.text.join('') };
    if (this.model !== undefined) outcome.model = this.model;
    if (this.finishReason !== undefined) outcome.finish_reason = this.finishReason;
    if (this.responseId !== undefined) outcome.response_id = this.responseId;
    return outcome;
  }

  protected onEvent(ev: SseEvent): void {
    // The event name repeats data.type; skipping unneeded events before JSON.parse keeps the
    // hot path cheap (output_item.added can carry kilobytes of encrypted reasoning).
    if (ev.event !== undefined && !isWanted(ev.event)) return;
    if (ev.data === '[DONE]') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(ev.data);
    } catch {
      this.skipped++;
      return;
    }
    const data = asRecord(parsed);
    if (!data) {
      this.skipped++;
      return;
    }
    const type = str(data, 'type') ?? ev.event;
    if (type === undefined) return;
    if (TEXT_DELTAS.has(type)) {
      const delta = data.delta;
      if (typeof delta === 'string' && delta.length > 0) this.text.push(delta);
    } else if (type === ITEM_DONE) {
      tallyWebSearchItem(this.tally, data.item);
    } else if (HEADER.has(type) || TERMINAL.has(type)) {
      this.onResponse(asRecord(data.response), TERMINAL.has(type));
    }
  }

  private onResponse(response: Record<string, unknown> | undefined, terminal: boolean): void {
    if (!response) return;
    const model = str(response, 'model');
    if (model) this.model = model;
    this.responseId ??= responseIdValue(response.id);
    if (!terminal) return;
    this.finishReason = openAiFinishReason(response, 'responses');
    try {
      const extraction = responsesExtraction(response, this.tally);
      if (extraction) this.extraction = extraction;
    } catch (e) {
      this.rejectUsage(e);
    }
  }
}
