/**
 * Meters a streamed Chat Completion (SSE of chat.completion.chunk objects).
 * Usage arrives once, on the last chunk (OpenAI: only with stream_options.include_usage, in an
 * extra chunk with choices []; Mistral/Groq/OpenRouter/Together: on the final chunk anyway).
 * If a server repeats a cumulative usage, the last valid one wins; values are never summed.
 */
import { contains, keyFollowedBy, LazySseMeter, type LazyPlan } from '../lazy-sse-meter.js';
import type { SseEvent } from '../sse.js';
import { SseStreamMeter } from '../sse-stream-meter.js';
import {
  asRecord,
  responseIdValue,
  str,
  type ParseContext,
  type StreamMeter,
  type StreamOutcome,
  type UsageExtraction,
} from '../spec.js';
import {
  buildChatExtraction,
  chatUsageObject,
  countUrlCitations,
  nonEmpty,
  type ChatQuirks,
} from './chat-usage.js';

/** A usage object (not `"usage": null`), as OpenAI, Groq's x_groq and others send it. */
const USAGE_OBJECT = /"usage"\s*:\s*\{/;

function safeParse(data: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    return undefined;
  }
}

const USAGE_KEY = Buffer.from('"usage"');
const ANNOTATIONS_KEY = Buffer.from('"annotations"');

/**
 * What ChatStreamMeter parses eagerly, found from bytes (LazySseMeter): every chunk until one
 * names the model, then only chunks with a usage object or annotations (the same tests onEvent
 * applies to the decoded data), and the last text chunk (its service tier, read in finish()).
 */
export const CHAT_LAZY_PLAN: LazyPlan<ChatStreamMeter> = {
  candidate: (buf, start, end) => keyFollowedBy(buf, start, end, USAGE_KEY, (b, i) => b[i] === 123 /* { */) || contains(buf, start, end, ANNOTATIONS_KEY),
  settles: (fast) => fast.knowsModel,
  keepLastPlain: true,
};

/** A chat stream meter that decodes only the chunks that can matter (see lazy-sse-meter.ts). */
export function lazyChatStreamMeter(quirks: ChatQuirks = {}, ctx?: ParseContext): StreamMeter {
  return new LazySseMeter(() => new ChatStreamMeter(quirks, ctx), CHAT_LAZY_PLAN);
}

/** The first choice's finish_reason, when this chunk sets it (only the final chunk does). */
function firstFinishReason(chunk: Record<string, unknown> | undefined): string | undefined {
  const first = Array.isArray(chunk?.choices) ? asRecord(chunk.choices[0]) : undefined;
  return typeof first?.finish_reason === 'string' ? first.finish_reason : undefined;
}

export class ChatStreamMeter extends SseStreamMeter {
  /** Raw data of text-only chunks whose parsing was deferred. */
  private deferred: string[] = [];
  private readonly text: string[] = [];
  private model: string | undefined;
  private serviceTier: string | undefined;
  private usage: Record<string, unknown> | undefined;
  private citations = 0;
  private finishReason: string | undefined;
  private responseId: string | undefined;

  constructor(
    private readonly quirks: ChatQuirks = {},
    _ctx?: ParseContext,
  ) {
    super();
  }

  protected finish(): StreamOutcome {
    // Usage is known: only the service tier (same on every chunk) and the finish reason (on the
    // last text chunk) are still needed from the deferred chunks, so read the last one; the text
    // is parsed only if someone asks for it.
    const lastDeferred = this.deferred[this.deferred.length - 1];
    if (this.usage && lastDeferred !== undefined && (this.serviceTier === undefined || this.finishReason === undefined)) {
      const last = asRecord(safeParse(lastDeferred));
      const tier = nonEmpty(last, 'service_tier');
      if (tier !== undefined && this.serviceTier === undefined) this.serviceTier = tier;
      this.finishReason ??= firstFinishReason(last);
    }
    if (!this.usage) this.parseDeferred();
    let extraction: UsageExtraction | null = null;
    if (this.usage) {
      try {
        extraction = buildChatExtraction(
          this.usage,
          { model: this.model, service_tier: this.serviceTier, url_citations: this.citations },
          this.quirks,
        );
      } catch (e) {
        this.rejectUsage(e);
      }
    }
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the lazy getter below reads this meter's state
    const meter = this;
    const outcome: StreamOutcome = {
      extraction,
      get output_text(): string {
        meter.parseDeferred();
        return meter.text.join('');
      },
    };
    if (this.model !== undefined) outcome.model = this.model;
    if (this.finishReason !== undefined) outcome.finish_reason = this.finishReason;
    if (this.responseId !== undefined) outcome.response_id = this.responseId;
    return outcome;
  }

  /** Whether a chunk has named the model: from then on, text-only chunks are deferred (LazySseMeter's plan). */
  get knowsModel(): boolean {
    return this.model !== undefined;
  }

  /** Counting unreadable events needs every deferred chunk read (diagnostics, not the hot path). */
  override get ignoredEvents(): number {
    this.parseDeferred();
    return this.skipped;
  }

  /** Parses the chunks whose JSON was skipped on the hot path (for their text). */
  private parseDeferred(): void {
    const pending = this.deferred;
    this.deferred = [];
    for (const data of pending) this.onParsedEvent(data);
  }

  protected onEvent(ev: SseEvent): void {
    if (ev.data === '[DONE]') return;
    // Hot path: once the model is known, a chunk that cannot carry usage or citations is only
    // text; its JSON is parsed later, and only if the text is needed (an estimate).
    if (this.model !== undefined && !USAGE_OBJECT.test(ev.data) && !ev.data.includes('"annotations"')) {
      this.deferred.push(ev.data);
      return;
    }
    this.onParsedEvent(ev.data);
  }

  private onParsedEvent(data: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      this.skipped++;
      return;
    }
    const chunk = asRecord(parsed);
    if (!chunk) {
      this.skipped++;
      return;
    }
    const model = nonEmpty(chunk, 'model');
    if (model !== undefined) this.model = model;
    // Every chunk repeats the id; the first one (always parsed: the model is not known yet) gives it.
    this.responseId ??= responseIdValue(chunk.id);
    const tier = nonEmpty(chunk, 'service_tier');
    if (tier !== undefined) this.serviceTier = tier;
    if (Array.isArray(chunk.choices)) {
      for (const c of chunk.choices) this.onDelta(asRecord(asRecord(c)?.delta));
    }
    this.finishReason = firstFinishReason(chunk) ?? this.finishReason;
    this.onUsage(chunk);
  }

  private onUsage(chunk: Record<string, unknown>): void {
    let usage: Record<string, unknown> | undefined;
    try {
      usage = chatUsageObject(chunk);
      if (!usage) return;
      // Validate now so a later malformed usage cannot replace a good one.
      buildChatExtraction(usage, {}, this.quirks);
    } catch (e) {
      this.rejectUsage(e);
      return;
    }
    this.usage = usage;
  }

  private onDelta(delta: Record<string, unknown> | undefined): void {
    if (!delta) return;
    this.addContent(delta.content);
    // Reasoning deltas: DeepSeek/xAI `reasoning_content`, OpenRouter/Groq `reasoning`.
    this.addString(delta.reasoning_content);
    this.addString(delta.reasoning);
    this.addString(delta.refusal);
    if (Array.isArray(delta.tool_calls)) {
      for (const t of delta.tool_calls) this.addString(asRecord(asRecord(t)?.function)?.arguments);
    }
    this.citations += countUrlCitations(delta.annotations);
  }

  /** content is a string, or (Mistral Magistral) an array of text / thinking parts. */
  private addContent(content: unknown): void {
    if (typeof content === 'string') {
      this.addString(content);
      return;
    }
    if (!Array.isArray(content)) return;
    for (const p of content) {
      const part = asRecord(p);
      if (!part) continue;
      this.addString(part.text);
      const thinking = part.thinking;
      if (typeof thinking === 'string') this.addString(thinking);
      else if (Array.isArray(thinking)) for (const t of thinking) this.addString(str(asRecord(t), 'text'));
    }
  }

  private addString(v: unknown): void {
    if (typeof v === 'string' && v.length > 0) this.text.push(v);
  }
}
