/**
 * Usage of an OpenAI-shaped Chat Completions response (OpenAI, Azure, Mistral, DeepSeek, xAI,
 * Groq, Together, OpenRouter, and other OpenAI-compatible servers). Provider differences are
 * flags in `ChatQuirks`; everything else follows OpenAI's field semantics.
 */
import {
  USAGE_VERSION,
  ProviderPayloadError,
  asRecord,
  count,
  str,
  type Usage,
  type UsageExtraction,
} from '../spec.js';
import { usdFromJsonNumber, usdFromTicks } from './exact-decimal.js';
import { splitInput, splitOutput } from './usage-split.js';

export interface ChatQuirks {
  /** xAI: completion_tokens excludes reasoning_tokens; total = prompt + completion + reasoning. */
  readonly reasoningOutsideCompletion?: boolean;
  /** xAI: usage.cost_in_usd_ticks is the charged cost (1 tick = 1e-10 USD). */
  readonly costInUsdTicks?: boolean;
  /** OpenRouter: usage.cost is the USD actually charged, tool fees included. */
  readonly costInUsd?: boolean;
  /**
   * DeepSeek: prompt_cache_hit_tokens is the native billing field; it mirrors
   * prompt_tokens_details.cached_tokens, so it replaces that value and is never added to it.
   */
  readonly preferPromptCacheHit?: boolean;
}

export interface ChatMeta {
  model?: string | undefined;
  service_tier?: string | undefined;
  /** url_citation annotations seen in the message(s): informational, they are not calls. */
  url_citations?: number;
}

/** Models that search on every request but report no call count (OpenAI search-preview / search-api). */
const SEARCH_MODEL = /search-(preview|api)/;

/** The usage object of a chat body or chunk: `usage`, else Groq's `x_groq.usage` copy (never both). */
export function chatUsageObject(rec: Record<string, unknown>): Record<string, unknown> | undefined {
  const u = rec.usage ?? asRecord(rec.x_groq)?.usage;
  if (u === undefined || u === null) return undefined;
  const usage = asRecord(u);
  if (!usage) throw new ProviderPayloadError('chat completion "usage" is not an object');
  return usage;
}

export function buildChatExtraction(
  usage: Record<string, unknown>,
  meta: ChatMeta,
  quirks: ChatQuirks,
): UsageExtraction {
  const pd = asRecord(usage.prompt_tokens_details);
  const cd = asRecord(usage.completion_tokens_details);
  const details: Record<string, number> = {};

  const prompt = count(usage, 'prompt_tokens');
  const hasDetailCached = pd?.cached_tokens !== undefined && pd.cached_tokens !== null;
  const hasHit = usage.prompt_cache_hit_tokens !== undefined && usage.prompt_cache_hit_tokens !== null;
  const cached =
    hasHit && (quirks.preferPromptCacheHit || !hasDetailCached)
      ? count(usage, 'prompt_cache_hit_tokens')
      : count(pd, 'cached_tokens');
  const cachedByModality = asRecord(pd?.cached_tokens_details);
  const input = splitInput({
    total: prompt,
    cached,
    cacheWrite: count(pd, 'cache_write_tokens'),
    audio: count(pd, 'audio_tokens'),
    image: count(pd, 'image_tokens'),
    cachedAudio: cachedByModality ? count(cachedByModality, 'audio_tokens') : undefined,
    cachedImage: cachedByModality ? count(cachedByModality, 'image_tokens') : undefined,
  });
  if (input.inferred_cached_audio > 0) details.cached_audio_inferred = input.inferred_cached_audio;

  const completion = count(usage, 'completion_tokens');
  const reasoning = count(cd, 'reasoning_tokens');
  const audioOut = count(cd, 'audio_tokens');
  let reasoningOutside = quirks.reasoningOutsideCompletion === true;
  if (!reasoningOutside && reasoning + audioOut > completion && reasoning > 0) {
    // Impossible under OpenAI semantics; accept xAI's when total_tokens proves it (an xAI model
    // reached through a generic OpenAI-compatible endpoint), otherwise splitOutput rejects it.
    const total = usage.total_tokens;
    if (typeof total === 'number' && total === prompt + completion + reasoning) {
      reasoningOutside = true;
      details.reasoning_outside_completion = 1;
    }
  }
  const output = splitOutput({ total: completion, reasoning, audio: audioOut, reasoningOutside });

  // Prediction tokens stay billed inside completion_tokens ([OAI-SPEC] rejected_prediction_tokens).
  addDetail(details, 'accepted_prediction_tokens', count(cd, 'accepted_prediction_tokens'));
  addDetail(details, 'rejected_prediction_tokens', count(cd, 'rejected_prediction_tokens'));
  // No usage kind of their own: video input stays in input_tokens, image output in output_tokens.
  addDetail(details, 'video_input_tokens', count(pd, 'video_tokens'));
  addDetail(details, 'image_output_tokens', count(cd, 'image_tokens'));
  // xAI Live Search is billed per source used; the fee is inside cost_in_usd_ticks.
  addDetail(details, 'num_sources_used', count(usage, 'num_sources_used'));
  addDetail(details, 'url_citations', meta.url_citations ?? 0);

  const webSearch = count(asRecord(usage.server_tool_use_details), 'web_search_requests');
  if (webSearch === 0 && meta.model !== undefined && SEARCH_MODEL.test(meta.model)) {
    // Search-preview models run a search per request but the response has no counter; citations
    // are not calls. Flag it rather than invent a count.
    details.web_search_unreported = 1;
  }

  const result: Usage = {
    input_tokens: input.input_tokens,
    cache_read_tokens: input.cache_read_tokens,
    cache_write_tokens: input.cache_write_tokens,
    cache_write_1h_tokens: 0,
    output_tokens: output.output_tokens,
    reasoning_tokens: output.reasoning_tokens,
    audio_input_tokens: input.audio_input_tokens,
    audio_cache_read_tokens: input.audio_cache_read_tokens,
    audio_output_tokens: output.audio_output_tokens,
    image_input_tokens: input.image_input_tokens,
    web_search_calls: webSearch,
  };
  const extraction: UsageExtraction = {
    usage_version: USAGE_VERSION,
    usage: result,
    raw: usage,
    api: 'chat.completions',
  };
  if (meta.model !== undefined) extraction.model = meta.model;
  if (meta.service_tier !== undefined) extraction.service_tier = meta.service_tier;
  const cost = quirks.costInUsdTicks
    ? usdFromTicks(usage.cost_in_usd_ticks)
    : quirks.costInUsd
      ? usdFromJsonNumber(usage.cost)
      : undefined;
  if (cost !== undefined) extraction.provider_cost_usd = cost;
  if (Object.keys(details).length > 0) extraction.details = details;
  return extraction;
}

function addDetail(details: Record<string, number>, key: string, n: number): void {
  if (n > 0) details[key] = n;
}

/** A non-empty string field (Azure's first stream chunk has model "", which names nothing). */
export function nonEmpty(rec: Record<string, unknown> | undefined, key: string): string | undefined {
  const v = str(rec, key);
  return v !== undefined && v.length > 0 ? v : undefined;
}

/** Counts url_citation annotations in an annotations array. */
export function countUrlCitations(annotations: unknown): number {
  if (!Array.isArray(annotations)) return 0;
  let n = 0;
  for (const a of annotations) if (str(asRecord(a), 'type') === 'url_citation') n++;
  return n;
}

/** Usage of a complete (non-streamed) chat completion body; null when it carries none. */
export function chatUsageFromBody(body: unknown, quirks: ChatQuirks = {}): UsageExtraction | null {
  const rec = asRecord(body);
  if (!rec) throw new ProviderPayloadError('chat completion body is not a JSON object');
  const usage = chatUsageObject(rec);
  if (!usage) return null;
  let citations = 0;
  if (Array.isArray(rec.choices)) {
    for (const c of rec.choices) citations += countUrlCitations(asRecord(asRecord(c)?.message)?.annotations);
  }
  return buildChatExtraction(
    usage,
    { model: nonEmpty(rec, 'model'), service_tier: nonEmpty(rec, 'service_tier'), url_citations: citations },
    quirks,
  );
}
