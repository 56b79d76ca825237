/** Embeddings bill input only: usage.prompt_tokens (pricing_rules.md 3.3). */
import { USAGE_VERSION, ProviderPayloadError, asRecord, count, emptyUsage, str, type UsageExtraction } from '../spec.js';

export function embeddingsUsageFromBody(body: unknown): UsageExtraction | null {
  const rec = asRecord(body);
  if (!rec) throw new ProviderPayloadError('embeddings body is not a JSON object');
  const u = rec.usage;
  if (u === undefined || u === null) return null;
  const usage = asRecord(u);
  if (!usage) throw new ProviderPayloadError('embeddings "usage" is not an object');
  const result = emptyUsage();
  result.input_tokens = count(usage, 'prompt_tokens');
  const extraction: UsageExtraction = { usage_version: USAGE_VERSION, usage: result, raw: usage, api: 'embeddings' };
  const model = str(rec, 'model');
  if (model) extraction.model = model;
  return extraction;
}
