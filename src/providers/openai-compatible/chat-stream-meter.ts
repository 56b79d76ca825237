/**
 * Meters a streamed Chat Completion (SSE of chat.completion.chunk objects).
 * Usage arrives once, on the last chunk (OpenAI: only with stream_options.include_usage, in an
 * extra chunk with choices []; Mistral/Groq/OpenRouter/Together: on the final chunk anyway).
 * If a server repeats a cumulative usage, the last valid one wins; values are never summed.
 */
import { SseDecoder, type SseEvent } from '../sse.js';
import {
  ProviderPayloadError,
  asRecord,
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

export class ChatStreamMeter implements StreamMeter {
  private readonly sse = new SseDecoder();
  private readonly text: string[] = [];
  private model: string | undefined;
  private serviceTier: string | undefined;
  private usage: Record<string, unknown> | undefined;
  private citations = 0;
  private ignored = 0;
  private ended: StreamOutcome | undefined;

  constructor(
    private readonly quirks: ChatQuirks = {},
    _ctx?: ParseContext,
  ) {}

  /** Data events that were not JSON objects or carried an unreadable usage (skipped, not fatal). */
  get ignoredEvents(): number {
    return this.ignored;
  }

  push(chunk: Uint8Array): void {
    if (this.ended) return;
    for (const ev of this.sse.push(chunk)) this.onEvent(ev);
  }

  end(): StreamOutcome {
    if (this.ended) return this.ended;
    for (const ev of this.sse.end()) this.onEvent(ev);
    let extraction: UsageExtraction | null = null;
    if (this.usage) {
      try {
        extraction = buildChatExtraction(
          this.usage,
          { model: this.model, service_tier: this.serviceTier, url_citations: this.citations },
          this.quirks,
        );
      } catch (e) {
        if (!(e instanceof ProviderPayloadError)) throw e;
        this.ignored++;
      }
    }
    const outcome: StreamOutcome = { extraction, output_text: this.text.join('') };
    if (this.model !== undefined) outcome.model = this.model;
    this.ended = outcome;
    return outcome;
  }

  private onEvent(ev: SseEvent): void {
    if (ev.data === '[DONE]') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(ev.data);
    } catch {
      this.ignored++;
      return;
    }
    const chunk = asRecord(parsed);
    if (!chunk) {
      this.ignored++;
      return;
    }
    const model = nonEmpty(chunk, 'model');
    if (model !== undefined) this.model = model;
    const tier = nonEmpty(chunk, 'service_tier');
    if (tier !== undefined) this.serviceTier = tier;
    if (Array.isArray(chunk.choices)) {
      for (const c of chunk.choices) this.onDelta(asRecord(asRecord(c)?.delta));
    }
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
      if (!(e instanceof ProviderPayloadError)) throw e;
      this.ignored++;
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
