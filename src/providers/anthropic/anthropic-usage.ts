/**
 * Anthropic Messages usage -> disjoint Usage (pricing_rules.md §1, §2).
 *
 * Anthropic's counters are already mostly disjoint: input_tokens excludes cache reads and writes,
 * so total input = input + cache_read + cache_creation. Two overlaps remain and are removed here:
 * output_tokens includes thinking (split out only when output_tokens_details.thinking_tokens is
 * reported), and cache_creation_input_tokens is the sum of the 5m and 1h writes.
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
  type Usage,
  type UsageExtraction,
} from '../spec.js';

/**
 * One usage object as reported. Absent fields stay undefined so that a stream's message_delta can
 * overlay message_start field by field.
 */
export interface AnthropicCounts {
  input?: number;
  cacheRead?: number;
  /** cache_creation_input_tokens: all cache writes, whatever their TTL. */
  cacheCreation?: number;
  /** cache_creation.ephemeral_5m_input_tokens / ephemeral_1h_input_tokens; undefined without the split object. */
  write5m?: number;
  write1h?: number;
  output?: number;
  /** output_tokens_details.thinking_tokens (newer models): a subset of output. */
  thinking?: number;
  /** server_tool_use counters (web_search_requests, web_fetch_requests, ...). */
  serverTools?: Record<string, number>;
  serviceTier?: string;
  inferenceGeo?: string;
  /** usage.iterations[] (compaction): one entry per internal sampling step. */
  iterations?: AnthropicCounts[];
}

export interface WriteSplit {
  w5m: number;
  w1h: number;
}

/** A count that may be absent: undefined when missing or null, otherwise validated by `count`. */
export function optCount(obj: Record<string, unknown> | undefined, key: string): number | undefined {
  const v = obj?.[key];
  return v === undefined || v === null ? undefined : count(obj, key);
}

export function readAnthropicCounts(usage: Record<string, unknown>): AnthropicCounts {
  const c: AnthropicCounts = {
    input: optCount(usage, 'input_tokens'),
    cacheRead: optCount(usage, 'cache_read_input_tokens'),
    cacheCreation: optCount(usage, 'cache_creation_input_tokens'),
    output: optCount(usage, 'output_tokens'),
    serviceTier: str(usage, 'service_tier'),
    inferenceGeo: str(usage, 'inference_geo'),
  };
  const split = asRecord(usage['cache_creation']);
  if (split) {
    c.write5m = optCount(split, 'ephemeral_5m_input_tokens');
    c.write1h = optCount(split, 'ephemeral_1h_input_tokens');
  }
  const outDetails = asRecord(usage['output_tokens_details']);
  if (outDetails) c.thinking = optCount(outDetails, 'thinking_tokens');
  const tools = asRecord(usage['server_tool_use']);
  if (tools) {
    const counters: Record<string, number> = {};
    for (const key of Object.keys(tools)) {
      if (typeof tools[key] === 'number') counters[key] = count(tools, key);
    }
    c.serverTools = counters;
  }
  const iterations = usage['iterations'];
  if (Array.isArray(iterations)) {
    c.iterations = [];
    for (const it of iterations) {
      const rec = asRecord(it);
      if (!rec) throw new ProviderPayloadError('usage.iterations[] entry is not an object');
      c.iterations.push(readAnthropicCounts(rec));
    }
  }
  return c;
}

/** All cache writes of one usage object (the split object stands in when the total is absent). */
export function cacheWriteTotal(c: AnthropicCounts): number {
  return c.cacheCreation ?? (c.write5m ?? 0) + (c.write1h ?? 0);
}

/** Writes with no reported TTL: priced at 5m unless the request asked for 1h (pricing_rules.md §2.1). */
export function unsplitWrites(tokens: number, ctx: ParseContext): WriteSplit {
  return ctx.cache_ttl_requested === '1h' ? { w5m: 0, w1h: tokens } : { w5m: tokens, w1h: 0 };
}

/** Splits cache_creation_input_tokens into 5m and 1h writes, using the cache_creation object when present. */
export function splitWrites(c: AnthropicCounts, ctx: ParseContext): WriteSplit {
  const total = cacheWriteTotal(c);
  if (c.write5m === undefined && c.write1h === undefined) return unsplitWrites(total, ctx);
  const w5m = c.write5m ?? 0;
  const w1h = c.write1h ?? 0;
  if (w5m + w1h === total) return { w5m, w1h };
  if (w5m + w1h < total) {
    const rest = unsplitWrites(total - w5m - w1h, ctx);
    return { w5m: w5m + rest.w5m, w1h: w1h + rest.w1h };
  }
  // A split larger than the total: the total is what is billed; keep the reported 1h part within it.
  const h = Math.min(w1h, total);
  return { w5m: total - h, w1h: h };
}

/** Converts one usage object (one iteration, or the whole response) into disjoint kinds. */
export function usageFromCounts(c: AnthropicCounts, split: WriteSplit): Usage {
  const u = emptyUsage();
  u.input_tokens = c.input ?? 0;
  u.cache_read_tokens = c.cacheRead ?? 0;
  u.cache_write_tokens = split.w5m;
  u.cache_write_1h_tokens = split.w1h;
  const output = c.output ?? 0;
  const thinking = c.thinking ?? 0;
  if (thinking > output) {
    throw new ProviderPayloadError(`thinking_tokens (${thinking}) exceed output_tokens (${output})`);
  }
  // Thinking is inside output_tokens; only when it is reported apart can it be moved to reasoning.
  u.reasoning_tokens = thinking;
  u.output_tokens = output - thinking;
  u.web_search_calls = c.serverTools?.['web_search_requests'] ?? 0;
  return u;
}

function addUsage(into: Usage, u: Usage): void {
  for (const k of Object.keys(into) as (keyof Usage)[]) into[k] += u[k];
}

export interface ExtractionInput {
  counts: AnthropicCounts;
  /** The 5m/1h split of `counts` itself (streams resolve it from message_start; bodies from the object). */
  split: WriteSplit;
  ctx: ParseContext;
  api: ApiKind;
  model: string | undefined;
  raw: unknown;
  /** The content shows a server-tool loop (several internal calls summed into one usage). */
  serverLoop: boolean;
}

export function extractionFromCounts(input: ExtractionInput): UsageExtraction {
  const { counts: c, ctx } = input;
  let usage: Usage;
  let tierBasis: number | null | undefined;
  if (c.iterations && c.iterations.length > 0) {
    // Compaction: top-level usage describes only the final iteration; every iteration is billed.
    usage = emptyUsage();
    tierBasis = 0;
    for (const it of c.iterations) {
      addUsage(usage, usageFromCounts(it, splitWrites(it, ctx)));
      tierBasis = Math.max(tierBasis, (it.input ?? 0) + (it.cacheRead ?? 0) + cacheWriteTotal(it));
    }
    usage.web_search_calls = c.serverTools?.['web_search_requests'] ?? 0;
  } else {
    usage = usageFromCounts(c, input.split);
    // Per-call sizes of a server-tool loop are unknown, so no single call can be shown to cross
    // a long-context threshold (pricing_rules.md §2.2, §9.10).
    tierBasis = input.serverLoop ? null : undefined;
  }
  const ext: UsageExtraction = { usage_version: USAGE_VERSION, usage, raw: input.raw, api: input.api };
  if (input.model !== undefined) ext.model = input.model;
  if (c.serviceTier !== undefined) ext.service_tier = c.serviceTier;
  if (c.inferenceGeo !== undefined) ext.inference_geo = c.inferenceGeo;
  if (tierBasis !== undefined) ext.tier_basis_tokens = tierBasis;
  const details: Record<string, number> = {};
  // web_fetch and other server-tool counters carry no per-call fee (pricing_rules.md §2.3).
  for (const [k, v] of Object.entries(c.serverTools ?? {})) if (k !== 'web_search_requests') details[k] = v;
  if (c.iterations && c.iterations.length > 0) details['iterations'] = c.iterations.length;
  if (Object.keys(details).length > 0) ext.details = details;
  return ext;
}

/** Tracks content block types to tell a single call from a server-tool loop. */
export class ServerLoopTracker {
  private toolUses = 0;
  private toolResults = 0;

  note(blockType: string | undefined): void {
    if (blockType === undefined) return;
    if (blockType === 'server_tool_use' || blockType === 'mcp_tool_use') this.toolUses++;
    // Server tool results (web_search_tool_result, bash_code_execution_tool_result, mcp_tool_result, ...)
    // mean Anthropic sampled again after running the tool. Client `tool_result` never appears in output.
    else if (blockType.endsWith('_tool_result')) this.toolResults++;
  }

  get serverLoop(): boolean {
    return this.toolUses > 1 || this.toolResults > 0;
  }
}

/** Reads a complete Messages response body (api.anthropic.com, Bedrock InvokeModel, Vertex rawPredict). */
export function anthropicExtractionFromBody(body: unknown, ctx: ParseContext, api: ApiKind): UsageExtraction | null {
  const b = asRecord(body);
  if (!b) return null;
  const rawUsage = b['usage'];
  if (rawUsage === undefined || rawUsage === null) return null;
  const usage = asRecord(rawUsage);
  if (!usage) throw new ProviderPayloadError('Anthropic usage is not an object');
  const counts = readAnthropicCounts(usage);
  const tracker = new ServerLoopTracker();
  const content = b['content'];
  if (Array.isArray(content)) for (const block of content) tracker.note(str(asRecord(block), 'type'));
  return extractionFromCounts({
    counts,
    split: splitWrites(counts, ctx),
    ctx,
    api,
    model: str(b, 'model'),
    raw: rawUsage,
    serverLoop: tracker.serverLoop,
  });
}
