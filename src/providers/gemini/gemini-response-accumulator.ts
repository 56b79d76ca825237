/**
 * Folds one or more GenerateContentResponse objects (a body, or the chunks of a stream) into one
 * UsageExtraction.
 *
 * Gemini and Vertex repeat a CUMULATIVE `usageMetadata` on every stream chunk (pricing_rules.md
 * "Streaming rules"): the last one with counts is authoritative and chunks are never summed.
 * Early chunks can be partial (no thoughts or tool-use counts yet), and Vertex sends
 * `{trafficType}`-only objects until the last chunk.
 */
import { ProviderPayloadError, USAGE_VERSION, asRecord, responseIdValue, type UsageExtraction } from '../spec.js';
import { GroundingTally } from './grounding-tally.js';
import {
  hasTokenCounts,
  normalizeTier,
  normalizeUsageMetadata,
  readModelVersion,
  readTraffic,
  type GeminiTrafficReading,
  type GeminiUsageReading,
} from './normalize-usage-metadata.js';

export interface AccumulatorOptions {
  /** Throw ProviderPayloadError on wrong field types (bodies); streams count and skip instead. */
  strict: boolean;
  /** Text accumulation is only needed by stream meters (estimation on hang-up). */
  collectText: boolean;
}

export class GeminiResponseAccumulator {
  private reading: GeminiUsageReading | undefined;
  private rawUsage: unknown;
  private traffic: GeminiTrafficReading = {};
  private responseTier: string | undefined;
  private readonly grounding = new GroundingTally();
  private readonly textParts: string[] = [];
  /** Responses (or parts of them) that were skipped because a field had the wrong type. */
  malformed = 0;
  /** The first error in a billed field (usage, grounding), so a stream is not recorded `ok` on it. */
  problem: string | undefined;
  /** A candidate finished (finishReason) or the prompt was blocked: the last usage is final. */
  finished = false;
  model: string | undefined;
  /** `responseId`, the same on every chunk of one answer. */
  responseId: string | undefined;

  constructor(private readonly options: AccumulatorOptions) {}

  add(response: Record<string, unknown>): void {
    this.model = readModelVersion(response) ?? this.model;
    this.responseId ??= responseIdValue(response.responseId);
    this.guard(() => this.addUsage(response), true);
    this.guard(() => this.grounding.add(response), true);
    this.guard(() => this.scanCandidates(response), false);
  }

  get outputText(): string {
    return this.textParts.join('');
  }

  get hasUsage(): boolean {
    return this.reading !== undefined;
  }

  /** null when no response carried token counts: the caller estimates, zeros are never invented. */
  extraction(modelRequested: string | undefined, stream: boolean): UsageExtraction | null {
    if (!this.reading) return null;
    const usage = { ...this.reading.usage, web_search_calls: this.grounding.webSearchQueries };
    const details: Record<string, number> = { ...this.reading.details };
    if (this.grounding.isGrounded) details.grounded_prompts = 1;
    if (this.malformed > 0) details.malformed_events = this.malformed;
    // A hang-up leaves the last cumulative snapshot, a lower bound of what was billed.
    if (stream && !this.finished) details.stream_unfinished = 1;
    const out: UsageExtraction = {
      usage_version: USAGE_VERSION,
      usage,
      raw: this.rawUsage,
      api: 'generateContent',
    };
    const model = this.model ?? modelRequested;
    if (model !== undefined) out.model = model;
    const tier = this.traffic.service_tier ?? this.responseTier ?? this.traffic.tier_from_traffic;
    if (tier !== undefined) out.service_tier = tier;
    if (this.traffic.traffic_type !== undefined) out.traffic_type = this.traffic.traffic_type;
    if (Object.keys(details).length > 0) out.details = details;
    return out;
  }

  /** `billed`: the step reads what the call is charged for (usage, grounding fees), so its failure is reported. */
  private guard(step: () => void, billed: boolean): void {
    if (this.options.strict) {
      step();
      return;
    }
    try {
      step();
    } catch (err) {
      if (!(err instanceof ProviderPayloadError)) throw err;
      this.malformed++;
      if (billed) this.problem ??= err.message;
    }
  }

  private addUsage(response: Record<string, unknown>): void {
    const tier = response.serviceTier;
    if (typeof tier === 'string' && tier !== '') this.responseTier = normalizeTier(tier);
    const umValue = response.usageMetadata;
    if (umValue === undefined || umValue === null) return;
    const um = asRecord(umValue);
    if (!um) throw new ProviderPayloadError('usageMetadata is not an object');
    // Read everything before storing anything, so a malformed chunk leaves the previous state whole.
    const traffic = readTraffic(um);
    const reading = hasTokenCounts(um) ? normalizeUsageMetadata(um) : undefined;
    if (traffic.traffic_type !== undefined) {
      this.traffic.traffic_type = traffic.traffic_type;
      this.traffic.tier_from_traffic = traffic.tier_from_traffic;
    }
    if (traffic.service_tier !== undefined) this.traffic.service_tier = traffic.service_tier;
    if (reading) {
      this.reading = reading;
      this.rawUsage = um;
    }
  }

  /** Why the first candidate ended (`STOP`, `MAX_TOKENS`, ...), once a chunk says. */
  finishReason: string | undefined;

  private scanCandidates(response: Record<string, unknown>): void {
    const feedback = asRecord(response.promptFeedback);
    if (feedback && typeof feedback.blockReason === 'string') this.finished = true;
    const candidates = response.candidates;
    if (!Array.isArray(candidates)) return;
    for (const c of candidates) {
      const cand = asRecord(c);
      if (!cand) continue;
      if (typeof cand.finishReason === 'string') {
        this.finished = true;
        // The first candidate's reason, from the last chunk that gives one (a stream's final chunk).
        if (c === candidates[0]) this.finishReason = cand.finishReason;
      }
      if (!this.options.collectText) continue;
      const parts = asRecord(cand.content)?.parts;
      if (!Array.isArray(parts)) continue;
      // Thought parts (`thought: true`) are reasoning output and are billed too, so they count.
      for (const p of parts) {
        const text = asRecord(p)?.text;
        if (typeof text === 'string' && text.length > 0) this.textParts.push(text);
      }
    }
  }
}
