/**
 * Bedrock streams (binary AWS event stream, not SSE) -> usage.
 *
 * ConverseStream: usage arrives only in the final `metadata` event; text in contentBlockDelta.
 * InvokeModelWithResponseStream: every event is a `chunk` whose payload is {bytes: base64 of the
 * model's native stream event}. Anthropic models send their Messages events there, read by the
 * Anthropic stream logic; Amazon Nova sends Converse-shaped objects. The final chunk of every model
 * also carries `amazon-bedrock-invocationMetrics`, used only when the model's own usage is missing.
 */
import {
  ProviderPayloadError,
  asRecord,
  str,
  type ParseContext,
  type StreamMeter,
  type StreamOutcome,
  type UsageExtraction,
} from '../spec.js';
import { AnthropicStreamState } from '../anthropic/anthropic-stream-state.js';
import { converseExtraction, isConverseUsage } from './converse-usage.js';
import { EventStreamDecoder, headerString, type EventStreamMessage } from './event-stream-decoder.js';

const utf8 = new TextDecoder('utf-8');

interface PendingUsage {
  usage: Record<string, unknown>;
  serviceTier: unknown;
  raw: unknown;
}

export class BedrockStreamMeter implements StreamMeter {
  private readonly decoder = new EventStreamDecoder();
  private readonly anthropic: AnthropicStreamState;
  private converse: PendingUsage | undefined;
  private invocationMetrics: PendingUsage | undefined;
  private text = '';
  private broken: string | undefined;
  private readonly exceptionTypes: string[] = [];
  private ignoredEvents = 0;
  private usageProblem: string | undefined;
  private result: StreamOutcome | undefined;

  constructor(private readonly ctx: ParseContext) {
    this.anthropic = new AnthropicStreamState(ctx, ctx.api);
  }

  /** Why decoding stopped (checksum mismatch, truncated body), if it did. */
  get decodeError(): string | undefined {
    return this.broken;
  }

  /** `:exception-type` / `:error-code` of exception frames seen (throttlingException, ...). */
  get exceptions(): readonly string[] {
    return this.exceptionTypes;
  }

  get ignored(): number {
    return this.ignoredEvents + this.anthropic.ignored;
  }

  push(chunk: Uint8Array): void {
    if (this.result || this.broken !== undefined) return;
    let messages: EventStreamMessage[];
    try {
      messages = this.decoder.push(chunk);
    } catch (err) {
      // The framing cannot be resynchronised after a bad length or checksum: keep what was read.
      if (!(err instanceof ProviderPayloadError)) throw err;
      this.broken = err.message;
      return;
    }
    for (const m of messages) this.onMessage(m);
    if (this.decoder.error) this.broken = this.decoder.error.message;
  }

  end(): StreamOutcome {
    if (this.result) return this.result;
    if (this.broken === undefined) {
      try {
        this.decoder.end();
      } catch (err) {
        if (!(err instanceof ProviderPayloadError)) throw err;
        this.broken = err.message;
      }
    }
    const out: StreamOutcome = { extraction: this.extraction(), output_text: this.text + this.anthropic.outputText };
    if (this.anthropic.model !== undefined) out.model = this.anthropic.model;
    if (this.exceptionTypes.length > 0) out.upstream_error = this.exceptionTypes.join(', ');
    const problem = this.usageProblem ?? this.anthropic.usageProblem;
    if (problem !== undefined) out.usage_problem = problem;
    this.result = out;
    return out;
  }

  private extraction(): UsageExtraction | null {
    const own = this.converse ? this.fromPending(this.converse) : this.anthropic.extraction();
    if (own) return own;
    return this.invocationMetrics ? this.fromPending(this.invocationMetrics) : null;
  }

  private fromPending(p: PendingUsage): UsageExtraction | null {
    try {
      const { usage, serviceTier, raw } = p;
      return converseExtraction({ usage, ctx: this.ctx, api: this.ctx.api, serviceTier, raw });
    } catch (err) {
      if (!(err instanceof ProviderPayloadError)) throw err;
      this.ignoredEvents++;
      this.usageProblem ??= err.message;
      return null;
    }
  }

  private onMessage(m: EventStreamMessage): void {
    const messageType = headerString(m, ':message-type');
    if (messageType === 'exception' || messageType === 'error') {
      this.exceptionTypes.push(headerString(m, ':exception-type') ?? headerString(m, ':error-code') ?? messageType);
      return;
    }
    let payload: Record<string, unknown> | undefined;
    try {
      payload = asRecord(JSON.parse(utf8.decode(m.payload)));
    } catch {
      payload = undefined;
    }
    if (!payload) {
      this.ignoredEvents++;
      return;
    }
    switch (headerString(m, ':event-type')) {
      case 'contentBlockDelta':
        this.onConverseDelta(payload);
        return;
      case 'metadata':
        this.onConverseMetadata(payload);
        return;
      case 'chunk':
        this.onChunk(payload);
        return;
      case 'messageStart':
      case 'contentBlockStart':
      case 'contentBlockStop':
      case 'messageStop':
        return;
      default:
        this.ignoredEvents++;
    }
  }

  private onConverseDelta(p: Record<string, unknown>): void {
    const delta = asRecord(p['delta']);
    this.text += str(delta, 'text') ?? '';
    this.text += str(asRecord(delta?.['reasoningContent']), 'text') ?? '';
    // Tool arguments are generated (and billed) output too.
    this.text += str(asRecord(delta?.['toolUse']), 'input') ?? '';
  }

  private onConverseMetadata(p: Record<string, unknown>): void {
    const usage = asRecord(p['usage']);
    if (!usage || !isConverseUsage(usage)) {
      this.ignoredEvents++;
      return;
    }
    this.converse = { usage, serviceTier: p['serviceTier'], raw: usage };
  }

  private onChunk(p: Record<string, unknown>): void {
    const bytes = str(p, 'bytes');
    let inner: Record<string, unknown> | undefined;
    try {
      inner = bytes === undefined ? undefined : asRecord(JSON.parse(Buffer.from(bytes, 'base64').toString('utf8')));
    } catch {
      inner = undefined;
    }
    if (!inner) {
      this.ignoredEvents++;
      return;
    }
    const metrics = asRecord(inner['amazon-bedrock-invocationMetrics']);
    if (metrics) {
      // Assumed disjoint like Converse (cache counters apart from inputTokenCount); fallback only.
      const usage: Record<string, unknown> = {
        inputTokens: metrics['inputTokenCount'],
        outputTokens: metrics['outputTokenCount'],
        cacheReadInputTokens: metrics['cacheReadInputTokenCount'],
        cacheWriteInputTokens: metrics['cacheWriteInputTokenCount'],
      };
      this.invocationMetrics = { usage, serviceTier: undefined, raw: metrics };
    }
    if (typeof inner['type'] === 'string') {
      this.anthropic.handle(inner);
      return;
    }
    // Amazon Nova native stream: Converse-shaped objects keyed by event name.
    const novaDelta = asRecord(inner['contentBlockDelta']);
    if (novaDelta) this.onConverseDelta(novaDelta);
    const novaMeta = asRecord(inner['metadata']);
    if (novaMeta) this.onConverseMetadata(novaMeta);
    // Meta Llama (`generation`) and Amazon Titan (`outputText`) stream plain text.
    this.text += str(inner, 'generation') ?? str(inner, 'outputText') ?? '';
  }
}
