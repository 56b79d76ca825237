/**
 * Gemini / Vertex AI `usageMetadata` -> disjoint Usage kinds.
 *
 * Provider rules (reference/pricing_rules.md sections 1 and 4):
 * - `cachedContentTokenCount` is INSIDE `promptTokenCount`; cached tokens are billed at the cached rate,
 *   so they are subtracted from the prompt once, here.
 * - `toolUsePromptTokenCount` (grounding / tool results fed back to the model) is NOT inside
 *   `promptTokenCount` but is billed as input, so it is added to uncached input.
 * - `thoughtsTokenCount` is NOT inside `candidatesTokenCount`; billed output = candidates + thoughts.
 * - Audio input has its own (higher) rate on 2.0 / 2.5 Flash models, cached audio its own cached rate,
 *   so AUDIO entries of `promptTokensDetails` / `cacheTokensDetails` are split out. Image, video and
 *   document input are priced at the text rate, so they stay in input_tokens (modality counts kept
 *   in details for reporting).
 * - `totalTokenCount` = prompt + toolUse + candidates + thoughts; a disagreement is recorded, not thrown.
 */
import { ProviderPayloadError, asRecord, count, emptyUsage, str, type Usage } from '../spec.js';

export interface GeminiUsageReading {
  /** web_search_calls is left at 0: grounding lives on the candidates, not in usageMetadata. */
  usage: Usage;
  details: Record<string, number>;
}

export interface GeminiTrafficReading {
  traffic_type?: 'on_demand' | 'provisioned';
  /** Tier named by the response (`usageMetadata.serviceTier`), lower-cased. */
  service_tier?: string;
  /** Tier implied by a Vertex traffic type (ON_DEMAND_PRIORITY -> priority, ON_DEMAND_FLEX -> flex). */
  tier_from_traffic?: string;
}

const COUNT_FIELDS = [
  'promptTokenCount',
  'cachedContentTokenCount',
  'candidatesTokenCount',
  'toolUsePromptTokenCount',
  'thoughtsTokenCount',
  'totalTokenCount',
] as const;

/**
 * Vertex sends `usageMetadata: {trafficType: "ON_DEMAND"}` on every chunk but the last; such an
 * object carries no counts and must not be taken for usage (that would invent zeros).
 */
export function hasTokenCounts(um: Record<string, unknown>): boolean {
  for (const k of COUNT_FIELDS) {
    const v = um[k];
    if (v !== undefined && v !== null) return true;
  }
  return false;
}

/** `MODALITY_UNSPECIFIED` -> `unspecified`, `TEXT` -> `text`; anything odd becomes a safe key. */
function modalityKey(modality: string): string {
  const key = modality.toLowerCase().replace(/[^a-z0-9]+/g, '_');
  return key === 'modality_unspecified' || key === '' ? 'unspecified' : key;
}

/** Per-modality totals of a `ModalityTokenCount[]` field; undefined when the field is absent. */
function modalityCounts(um: Record<string, unknown>, field: string): Map<string, number> | undefined {
  const list = um[field];
  if (list === undefined || list === null) return undefined;
  if (!Array.isArray(list)) {
    throw new ProviderPayloadError(`usageMetadata.${field} is not an array`);
  }
  const out = new Map<string, number>();
  for (const entry of list) {
    const rec = asRecord(entry);
    if (!rec) throw new ProviderPayloadError(`usageMetadata.${field} has a non-object entry`);
    const modality = rec.modality;
    if (modality !== undefined && modality !== null && typeof modality !== 'string') {
      throw new ProviderPayloadError(`usageMetadata.${field}[].modality is not a string`);
    }
    const key = modalityKey(typeof modality === 'string' ? modality : 'MODALITY_UNSPECIFIED');
    out.set(key, (out.get(key) ?? 0) + count(rec, 'tokenCount'));
  }
  return out;
}

function recordModalities(details: Record<string, number>, prefix: string, counts: Map<string, number> | undefined): void {
  if (!counts) return;
  for (const [modality, n] of counts) details[`${prefix}_${modality}_tokens`] = n;
}

export function normalizeUsageMetadata(um: Record<string, unknown>): GeminiUsageReading {
  const prompt = count(um, 'promptTokenCount');
  const cached = count(um, 'cachedContentTokenCount');
  const toolUse = count(um, 'toolUsePromptTokenCount');
  const candidates = count(um, 'candidatesTokenCount');
  const thoughts = count(um, 'thoughtsTokenCount');
  const promptByModality = modalityCounts(um, 'promptTokensDetails');
  const cacheByModality = modalityCounts(um, 'cacheTokensDetails');
  const candidatesByModality = modalityCounts(um, 'candidatesTokensDetails');
  const toolUseByModality = modalityCounts(um, 'toolUsePromptTokensDetails');
  const details: Record<string, number> = {};

  // Clamps keep every kind non-negative if the provider's sub-counts ever exceed their totals;
  // the excess is recorded rather than silently dropped.
  const uncachedPrompt = Math.max(0, prompt - cached);
  if (cached > prompt) details.cache_exceeds_prompt = cached - prompt;
  const audioCached = Math.min(cacheByModality?.get('audio') ?? 0, cached);
  const audioUncached = Math.min(Math.max(0, (promptByModality?.get('audio') ?? 0) - audioCached), uncachedPrompt);
  const audioOutput = Math.min(candidatesByModality?.get('audio') ?? 0, candidates);

  const usage = emptyUsage();
  // Tool-use prompt tokens are billed at the plain input rate whatever their modality.
  usage.input_tokens = uncachedPrompt - audioUncached + toolUse;
  usage.cache_read_tokens = cached - audioCached;
  usage.audio_input_tokens = audioUncached;
  usage.audio_cache_read_tokens = audioCached;
  usage.output_tokens = candidates - audioOutput;
  usage.reasoning_tokens = thoughts;
  usage.audio_output_tokens = audioOutput;

  recordModalities(details, 'prompt', promptByModality);
  recordModalities(details, 'cached', cacheByModality);
  recordModalities(details, 'candidates', candidatesByModality);
  recordModalities(details, 'tool_use_prompt', toolUseByModality);
  if (toolUse > 0) details.tool_use_prompt_tokens = toolUse;

  const reportedTotal = um.totalTokenCount;
  if (reportedTotal !== undefined && reportedTotal !== null) {
    const total = count(um, 'totalTokenCount');
    const computed = prompt + toolUse + candidates + thoughts;
    if (total !== computed) details.total_mismatch = total - computed;
  }
  return { usage, details };
}

function stringField(obj: Record<string, unknown>, key: string, where: string): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new ProviderPayloadError(`${where}.${key} is not a string`);
  return v;
}

/**
 * Vertex `usageMetadata.trafficType`: PROVISIONED_THROUGHPUT tokens are covered by the PT
 * subscription (marginal cost 0), ON_DEMAND is pay-as-you-go; the ON_DEMAND_PRIORITY / _FLEX
 * variants are pay-as-you-go at the priority / flex rates.
 */
export function readTraffic(um: Record<string, unknown>): GeminiTrafficReading {
  const out: GeminiTrafficReading = {};
  const traffic = stringField(um, 'trafficType', 'usageMetadata');
  switch (traffic) {
    case 'ON_DEMAND':
      out.traffic_type = 'on_demand';
      break;
    case 'ON_DEMAND_PRIORITY':
      out.traffic_type = 'on_demand';
      out.tier_from_traffic = 'priority';
      break;
    case 'ON_DEMAND_FLEX':
      out.traffic_type = 'on_demand';
      out.tier_from_traffic = 'flex';
      break;
    case 'PROVISIONED_THROUGHPUT':
      out.traffic_type = 'provisioned';
      break;
    default:
      break;
  }
  const tier = stringField(um, 'serviceTier', 'usageMetadata');
  if (tier !== undefined && tier !== '') out.service_tier = normalizeTier(tier);
  return out;
}

/** `standard` stays `standard`; an enum spelling such as `SERVICE_TIER_FLEX` becomes `flex`. */
export function normalizeTier(tier: string): string {
  return tier.toLowerCase().replace(/^service_tier_/, '');
}

/** `modelVersion` names the model that actually served the request (price by it). */
export function readModelVersion(response: Record<string, unknown>): string | undefined {
  const v = str(response, 'modelVersion');
  return v !== undefined && v !== '' ? v : undefined;
}
