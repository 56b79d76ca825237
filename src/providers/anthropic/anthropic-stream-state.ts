/**
 * Anthropic streaming events (already parsed from JSON) -> usage. Shared by the SSE meter and by
 * Bedrock InvokeModelWithResponseStream, whose `chunk` events wrap the same event objects.
 *
 * message_start.message.usage carries the input side and a placeholder output count;
 * message_delta.usage is cumulative and, once server tools run, also carries the final input and
 * cache counters, so its fields override message_start's (pricing_rules.md §1 streaming rules).
 */
import {
  ProviderPayloadError,
  asRecord,
  responseIdValue,
  str,
  type ApiKind,
  type ParseContext,
  type StreamOutcome,
  type UsageExtraction,
} from '../spec.js';
import {
  ServerLoopTracker,
  cacheWriteTotal,
  extractionFromCounts,
  readAnthropicCounts,
  splitWrites,
  unsplitWrites,
  type AnthropicCounts,
  type WriteSplit,
} from './anthropic-usage.js';

export class AnthropicStreamState {
  private start: AnthropicCounts | undefined;
  private delta: AnthropicCounts | undefined;
  private stopReason: string | undefined;
  private responseId: string | undefined;
  private rawStart: unknown;
  private rawDelta: unknown;
  private readonly loop = new ServerLoopTracker();
  private text = '';
  private modelName: string | undefined;
  private stopped = false;
  private errorType: string | undefined;
  private ignoredEvents = 0;

  constructor(
    private readonly ctx: ParseContext,
    private readonly api: ApiKind,
  ) {}

  get model(): string | undefined {
    return this.modelName;
  }

  /** message_stop was seen: the usage is final. */
  get complete(): boolean {
    return this.stopped;
  }

  /** The `error` event's error.type (e.g. overloaded_error), when the stream ended in one. */
  get error(): string | undefined {
    return this.errorType;
  }

  /** Events that were not JSON objects, had an unknown type, or carried malformed usage. */
  get ignored(): number {
    return this.ignoredEvents;
  }

  get outputText(): string {
    return this.text;
  }

  /** The first malformed usage (or other payload error) seen, so the call is not recorded `ok`. */
  usageProblem: string | undefined;

  noteIgnored(): void {
    this.ignoredEvents++;
  }

  /** Feeds one decoded event. Never throws on provider data: bad events are counted and skipped. */
  handle(event: unknown): void {
    const e = asRecord(event);
    if (!e) {
      this.ignoredEvents++;
      return;
    }
    try {
      this.dispatch(e);
    } catch (err) {
      if (!(err instanceof ProviderPayloadError)) throw err;
      this.ignoredEvents++;
      this.usageProblem ??= err.message;
    }
  }

  private dispatch(e: Record<string, unknown>): void {
    switch (str(e, 'type')) {
      case 'content_block_delta': {
        const d = asRecord(e['delta']);
        switch (str(d, 'type')) {
          case 'text_delta':
            this.text += str(d, 'text') ?? '';
            break;
          case 'thinking_delta':
            this.text += str(d, 'thinking') ?? '';
            break;
          case 'input_json_delta':
            // Tool arguments are generated (and billed) output too.
            this.text += str(d, 'partial_json') ?? '';
            break;
          default:
            break; // signature_delta, citations_delta: not generated text
        }
        return;
      }
      case 'content_block_start': {
        const block = asRecord(e['content_block']);
        this.loop.note(str(block, 'type'));
        this.text += str(block, 'text') ?? str(block, 'thinking') ?? '';
        return;
      }
      case 'message_start': {
        const msg = asRecord(e['message']);
        this.modelName = str(msg, 'model') ?? this.modelName;
        this.responseId ??= responseIdValue(msg?.['id']);
        const usage = asRecord(msg?.['usage']);
        if (usage) {
          this.start = readAnthropicCounts(usage);
          this.rawStart = usage;
        }
        const content = msg?.['content'];
        if (Array.isArray(content)) for (const b of content) this.loop.note(str(asRecord(b), 'type'));
        return;
      }
      case 'message_delta': {
        const stop = str(asRecord(e['delta']), 'stop_reason');
        if (stop !== undefined) this.stopReason = stop;
        const usage = asRecord(e['usage']);
        if (usage) {
          // Cumulative: the latest message_delta replaces any earlier one.
          this.delta = readAnthropicCounts(usage);
          this.rawDelta = usage;
        }
        return;
      }
      case 'message_stop':
        this.stopped = true;
        return;
      case 'error':
        this.errorType = str(asRecord(e['error']), 'type') ?? 'error';
        return;
      case 'ping':
      case 'content_block_stop':
        return;
      default:
        this.ignoredEvents++;
    }
  }

  /** Usage from what was seen; null when no event carried usage. */
  extraction(): UsageExtraction | null {
    const start = this.start;
    const delta = this.delta;
    if (!start && !delta) return null;
    const counts: AnthropicCounts = { ...start, ...definedOnly(delta) };
    const split = resolveStreamSplit(start, delta, this.ctx);
    counts.cacheCreation = split.w5m + split.w1h;
    counts.write5m = split.w5m;
    counts.write1h = split.w1h;
    const raw: Record<string, unknown> = {};
    if (this.rawStart !== undefined) raw['message_start'] = this.rawStart;
    if (this.rawDelta !== undefined) raw['message_delta'] = this.rawDelta;
    try {
      return extractionFromCounts({
        counts,
        split,
        ctx: this.ctx,
        api: this.api,
        model: this.modelName,
        raw,
        serverLoop: this.loop.serverLoop,
      });
    } catch (err) {
      // Inconsistent counters (thinking above output): no trustworthy usage, the caller estimates.
      if (!(err instanceof ProviderPayloadError)) throw err;
      this.ignoredEvents++;
      this.usageProblem ??= err.message;
      return null;
    }
  }

  outcome(): StreamOutcome {
    const out: StreamOutcome = { extraction: this.extraction(), output_text: this.text };
    if (this.modelName !== undefined) out.model = this.modelName;
    if (this.stopReason !== undefined) out.finish_reason = this.stopReason;
    if (this.responseId !== undefined) out.response_id = this.responseId;
    if (this.usageProblem !== undefined) out.usage_problem = this.usageProblem;
    return out;
  }
}

function definedOnly(c: AnthropicCounts | undefined): Partial<AnthropicCounts> {
  const out: Partial<AnthropicCounts> = {};
  if (!c) return out;
  for (const [k, v] of Object.entries(c) as [keyof AnthropicCounts, AnthropicCounts[keyof AnthropicCounts]][]) {
    if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  }
  return out;
}

/**
 * message_delta reports only the cache_creation total, never the TTL split. Keep message_start's
 * split while the total is unchanged; writes added by later server-tool iterations get the
 * request's TTL (5m unless 1h was asked for). pricing_rules.md §9.6: the true split of later
 * iterations cannot be recovered from the stream.
 */
function resolveStreamSplit(
  start: AnthropicCounts | undefined,
  delta: AnthropicCounts | undefined,
  ctx: ParseContext,
): WriteSplit {
  if (delta && (delta.write5m !== undefined || delta.write1h !== undefined)) return splitWrites(delta, ctx);
  const startSplit = start ? splitWrites(start, ctx) : { w5m: 0, w1h: 0 };
  const startTotal = start ? cacheWriteTotal(start) : 0;
  const total = delta?.cacheCreation ?? startTotal;
  if (total === startTotal) return startSplit;
  if (total > startTotal) {
    const extra = unsplitWrites(total - startTotal, ctx);
    return { w5m: startSplit.w5m + extra.w5m, w1h: startSplit.w1h + extra.w1h };
  }
  const w1h = Math.min(startSplit.w1h, total);
  return { w5m: total - w1h, w1h };
}
