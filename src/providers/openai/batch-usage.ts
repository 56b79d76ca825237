/**
 * Usage of an OpenAI Batch object (GET /v1/batches/{id}): the aggregate over the batch, in the
 * Responses-style shape (input_tokens includes cached_tokens; output_tokens includes reasoning).
 * Priced at the Batch tier (pricing_rules.md 3.2), hence service_tier "batch".
 */
import { USAGE_VERSION, ProviderPayloadError, asRecord, str, type UsageExtraction } from '../spec.js';
import { usageFromResponsesShape } from './responses-usage.js';
import { parseLenientJson } from './lenient-json.js';

/** Reads a batch object given as parsed JSON or as text (documentation examples are not strict JSON). */
export function batchUsageFromObject(body: unknown): UsageExtraction | null {
  const rec = asRecord(typeof body === 'string' ? parseLenientJson(body) : body);
  if (!rec) throw new ProviderPayloadError('batch object is not a JSON object');
  const u = rec.usage;
  if (u === undefined || u === null) return null;
  const usage = asRecord(u);
  if (!usage) throw new ProviderPayloadError('batch "usage" is not an object');
  const extraction: UsageExtraction = {
    usage_version: USAGE_VERSION,
    usage: usageFromResponsesShape(usage),
    raw: usage,
    api: 'batch',
    service_tier: 'batch',
  };
  const model = str(rec, 'model');
  if (model) extraction.model = model;
  return extraction;
}
