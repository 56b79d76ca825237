/**
 * Cohere usage -> disjoint Usage (pricing_rules.md §1, §7).
 *
 * Cohere bills `billed_units` only. `tokens` counts the raw prompt including Cohere's own template,
 * and `cached_tokens` is informational: the billed input is neither of them nor their difference,
 * so both go to details and never to a billed kind.
 */
import {
  ProviderPayloadError,
  USAGE_VERSION,
  asRecord,
  count,
  emptyUsage,
  str,
  type ApiKind,
  type ParseContext,
  type UsageExtraction,
} from '../spec.js';

/** Billed units that are not tokens (priced per unit, or not at all). */
const UNIT_DETAILS = ['images', 'search_units', 'classifications'] as const;

/**
 * Reads a usage holder: v2 chat `usage` or the `meta` object of embed/rerank/v1 responses. Both
 * carry `billed_units`; chat also has `tokens` and `cached_tokens`. Null when nothing was billed.
 */
export function cohereExtraction(
  holder: Record<string, unknown>,
  ctx: ParseContext,
  api: ApiKind,
  model?: string,
): UsageExtraction | null {
  const rawBilled = holder['billed_units'];
  if (rawBilled === undefined || rawBilled === null) return null;
  const billed = asRecord(rawBilled);
  if (!billed) throw new ProviderPayloadError('Cohere billed_units is not an object');
  const usage = emptyUsage();
  usage.input_tokens = count(billed, 'input_tokens');
  usage.output_tokens = count(billed, 'output_tokens');
  // Embed v4 prices image tokens apart from text tokens.
  usage.image_input_tokens = count(billed, 'image_tokens');

  const details: Record<string, number> = {};
  for (const key of UNIT_DETAILS) if (typeof billed[key] === 'number') details[key] = count(billed, key);
  const tokens = asRecord(holder['tokens']);
  if (tokens) {
    if (typeof tokens['input_tokens'] === 'number') details['raw_input_tokens'] = count(tokens, 'input_tokens');
    if (typeof tokens['output_tokens'] === 'number') details['raw_output_tokens'] = count(tokens, 'output_tokens');
  }
  if (typeof holder['cached_tokens'] === 'number') details['cached_tokens'] = count(holder, 'cached_tokens');

  const ext: UsageExtraction = { usage_version: USAGE_VERSION, usage, raw: holder, api };
  // Cohere chat and embed responses do not echo the model: fall back to the requested one.
  const m = model ?? ctx.model_requested;
  if (m !== undefined) ext.model = m;
  if (Object.keys(details).length > 0) ext.details = details;
  return ext;
}

/** Reads a complete v2 chat / embed (or v1) response body. */
export function cohereExtractionFromBody(body: unknown, ctx: ParseContext, api: ApiKind): UsageExtraction | null {
  const b = asRecord(body);
  if (!b) return null;
  const model = str(b, 'model');
  for (const key of ['usage', 'meta']) {
    const holder = asRecord(b[key]);
    if (holder && holder['billed_units'] !== undefined && holder['billed_units'] !== null) {
      return cohereExtraction(holder, ctx, api, model);
    }
  }
  return null;
}
