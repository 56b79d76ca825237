/**
 * Meters a streamed Chat Completion (SSE of chat.completion.chunk objects).
 * Usage arrives once, on the last chunk (OpenAI: only with stream_options.include_usage, in an
 * extra chunk with choices []; Mistral/Groq/OpenRouter/Together: on the final chunk anyway).
 * If a server repeats a cumulative usage, the last valid one wins; values are never summed.
 */
import type { SseEvent } from '../sse.js';
import { SseStreamMeter } from '../sse-stream-meter.js';
import {
  ProviderPayloadError,
  asRecord,
  str,
  type ParseContext,
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

export class ChatStreamMeter extends SseStreamMeter {
  private readonly text: string[] = [];
  private model: string | undefined;
  private serviceTier: string | undefined;
  private usage: Record<string, unknown> | undefined;
  private citations = 0;

  constructor(
    private readonly quirks: ChatQuirks = {},
    _ctx?: ParseContext,
  ) {
    super();
  }

  protected finish(): StreamOutcome {
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
        this.skipped++;
      }
    }
    const outcome: StreamOutcome = { extraction, output_text: this.text.join('') };
    if (this.model !== undefined) outcome.model = this.model;
    return outcome;
  }

  protected onEvent(ev: SseEvent): void {
    if (ev.data === '[DONE]') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(ev.data);
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
      this.skipped++;
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
