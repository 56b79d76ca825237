/**
 * Bedrock Converse / ConverseStream TokenUsage -> disjoint Usage (pricing_rules.md §5).
 *
 * inputTokens already excludes cache reads and writes (totalTokens = input + output + cacheRead +
 * cacheWrite). Older responses repeat the cache counters under legacy *TokenCount names: read one
 * name only. cacheDetails[{ttl, inputTokens}] splits the writes by TTL.
 */
import {
  ProviderPayloadError,
  USAGE_VERSION,
  asRecord,
  count,
  emptyUsage,
  type ApiKind,
  type ParseContext,
  type Usage,
  type UsageExtraction,
} from '../spec.js';
import { optCount } from '../anthropic/anthropic-usage.js';

/** Converse TokenUsage requires inputTokens and outputTokens; without either the shape is unknown. */
export function isConverseUsage(usage: Record<string, unknown>): boolean {
  return 'inputTokens' in usage || 'outputTokens' in usage;
}

export interface ConverseUsage {
  usage: Usage;
  details: Record<string, number>;
}

export function converseUsage(raw: Record<string, unknown>, ctx: ParseContext): ConverseUsage {
  const u = emptyUsage();
  u.input_tokens = count(raw, 'inputTokens');
  u.output_tokens = count(raw, 'outputTokens');
  u.cache_read_tokens = optCount(raw, 'cacheReadInputTokens') ?? optCount(raw, 'cacheReadInputTokenCount') ?? 0;

  let detail5m = 0;
  let detail1h = 0;
  const cacheDetails = raw['cacheDetails'];
  if (cacheDetails !== undefined && cacheDetails !== null) {
    if (!Array.isArray(cacheDetails)) throw new ProviderPayloadError('usage.cacheDetails is not an array');
    for (const entry of cacheDetails) {
      const d = asRecord(entry);
      if (!d) throw new ProviderPayloadError('usage.cacheDetails[] entry is not an object');
      if (d['ttl'] === '1h') detail1h += count(d, 'inputTokens');
      else detail5m += count(d, 'inputTokens');
    }
  }
  const writes =
    optCount(raw, 'cacheWriteInputTokens') ?? optCount(raw, 'cacheWriteInputTokenCount') ?? detail5m + detail1h;
  // Writes the details do not cover get the request's TTL (5m is Bedrock's default cachePoint TTL).
  let w1h = Math.min(detail1h, writes);
  let w5m = Math.min(detail5m, writes - w1h);
  const rest = writes - w1h - w5m;
  if (ctx.cache_ttl_requested === '1h') w1h += rest;
  else w5m += rest;
  u.cache_write_tokens = w5m;
  u.cache_write_1h_tokens = w1h;

  const details: Record<string, number> = {};
  const tools = asRecord(raw['serverToolUsage']);
  if (tools) {
    // The keys are not documented; kept as information rather than guessed into a billed kind.
    for (const key of Object.keys(tools)) {
      if (typeof tools[key] === 'number') details[`server_tool_${key}`] = count(tools, key);
    }
  }
  return { usage: u, details };
}

export interface ConverseExtractionInput {
  usage: Record<string, unknown>;
  ctx: ParseContext;
  api: ApiKind;
  /** The response's serviceTier object ({type: 'priority' | 'default' | 'flex' | ...}). */
  serviceTier?: unknown;
  raw?: unknown;
}

export function converseExtraction(input: ConverseExtractionInput): UsageExtraction {
  const { usage, details } = converseUsage(input.usage, input.ctx);
  const ext: UsageExtraction = { usage_version: USAGE_VERSION, usage, raw: input.raw ?? input.usage, api: input.api };
  // Converse does not echo the model: the caller passes the id from the request path.
  if (input.ctx.model_requested !== undefined) ext.model = input.ctx.model_requested;
  const tier = asRecord(input.serviceTier)?.['type'];
  if (typeof tier === 'string') ext.service_tier = tier;
  if (Object.keys(details).length > 0) ext.details = details;
  return ext;
}

/** Reads a complete Converse response body (also Amazon Nova InvokeModel bodies, which share the shape). */
export function converseExtractionFromBody(body: unknown, ctx: ParseContext, api: ApiKind): UsageExtraction | null {
  const b = asRecord(body);
  const raw = b?.['usage'];
  if (raw === undefined || raw === null) return null;
  const usage = asRecord(raw);
  if (!usage) throw new ProviderPayloadError('Bedrock usage is not an object');
  if (!isConverseUsage(usage)) return null; // another model family's native body: not read here
  return converseExtraction({ usage, ctx, api, serviceTier: b?.['serviceTier'] });
}
