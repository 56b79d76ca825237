/**
 * Usage of an OpenAI Batch object (GET /v1/batches/{id}): the aggregate over the batch, in the
 * Responses-style shape (input_tokens includes cached_tokens; output_tokens includes reasoning).
 * Priced at the Batch tier (pricing_rules.md 3.2), hence service_tier "batch".
 */
import { USAGE_VERSION, ProviderPayloadError, asRecord, count, str, type UsageExtraction } from '../spec.js';
import { splitInput, splitOutput } from '../openai-compatible/usage-split.js';
import { parseLenientJson } from './lenient-json.js';

/** Reads a batch object given as parsed JSON or as text (documentation examples are not strict JSON). */
export function batchUsageFromObject(body: unknown): UsageExtraction | null {
  const rec = asRecord(typeof body === 'string' ? parseLenientJson(body) : body);
  if (!rec) throw new ProviderPayloadError('batch object is not a JSON object');
  const u = rec.usage;
  if (u === undefined || u === null) return null;
  const usage = asRecord(u);
  if (!usage) throw new ProviderPayloadError('batch "usage" is not an object');
  const inDetails = asRecord(usage.input_tokens_details);
  const input = splitInput({
    total: count(usage, 'input_tokens'),
    cached: count(inDetails, 'cached_tokens'),
    cacheWrite: count(inDetails, 'cache_write_tokens'),
    audio: 0,
    image: 0,
  });
  const output = splitOutput({
    total: count(usage, 'output_tokens'),
    reasoning: count(asRecord(usage.output_tokens_details), 'reasoning_tokens'),
    audio: 0,
    reasoningOutside: false,
  });
  const extraction: UsageExtraction = {
    usage_version: USAGE_VERSION,
    usage: {
      input_tokens: input.input_tokens,
      cache_read_tokens: input.cache_read_tokens,
      cache_write_tokens: input.cache_write_tokens,
      cache_write_1h_tokens: 0,
      output_tokens: output.output_tokens,
      reasoning_tokens: output.reasoning_tokens,
      audio_input_tokens: 0,
      audio_cache_read_tokens: 0,
      audio_output_tokens: 0,
      image_input_tokens: 0,
      web_search_calls: 0,
    },
    raw: usage,
    api: 'batch',
    service_tier: 'batch',
  };
  const model = str(rec, 'model');
  if (model) extraction.model = model;
  return extraction;
}
