/**
 * OpenAI Responses API usage: `usage.input_tokens` (includes cached and cache-write tokens),
 * `usage.output_tokens` (includes reasoning). The usage object has no web-search counter, so
 * calls are counted from `output[]` items of type web_search_call (pricing_rules.md 3.3).
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
import { splitInput, splitOutput } from '../openai-compatible/usage-split.js';

export interface WebSearchTally {
  /** action "search", or no action: the billed per-call unit. */
  calls: number;
  /** Other actions (open_page, find_in_page, ...): whether they are billed is unverified (pricing_rules.md 9.1). */
  byAction: Record<string, number>;
}

export function emptyTally(): WebSearchTally {
  return { calls: 0, byAction: {} };
}

/** Adds one output item to the tally when it is a web_search_call. */
export function tallyWebSearchItem(tally: WebSearchTally, item: unknown): void {
  const rec = asRecord(item);
  if (str(rec, 'type') !== 'web_search_call') return;
  const action = str(asRecord(rec?.action), 'type');
  if (action === undefined || action === 'search') {
    tally.calls++;
    return;
  }
  const key = /^[a-z_]{1,40}$/.test(action) ? `web_search_${action}` : 'web_search_other';
  tally.byAction[key] = (tally.byAction[key] ?? 0) + 1;
}

export function tallyOutput(output: unknown): WebSearchTally {
  const tally = emptyTally();
  if (Array.isArray(output)) for (const item of output) tallyWebSearchItem(tally, item);
  return tally;
}

/** The response object of a body, or of a wrapping stream event ({type, response}). */
function responseObject(body: unknown): Record<string, unknown> {
  const rec = asRecord(body);
  if (!rec) throw new ProviderPayloadError('responses body is not a JSON object');
  if (rec.usage === undefined && rec.object !== 'response') {
    const inner = asRecord(rec.response);
    if (inner) return inner;
  }
  return rec;
}

/**
 * Tokens of the Responses-style usage shape (also used by Batch objects): input_tokens includes
 * cached and cache-write tokens, output_tokens includes reasoning. Web-search calls are counted
 * from output items, so they are 0 here.
 */
export function usageFromResponsesShape(usage: Record<string, unknown>): Usage {
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
  return {
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
  };
}

/**
 * Builds the extraction from a response object. `streamedTally` is used when the response
 * lists no output items (the items were only announced by output_item.done events).
 */
export function responsesExtraction(
  response: Record<string, unknown>,
  streamedTally?: WebSearchTally,
): UsageExtraction | null {
  const u = response.usage;
  if (u === undefined || u === null) return null;
  const usage = asRecord(u);
  if (!usage) throw new ProviderPayloadError('responses "usage" is not an object');
  const outputItems = response.output;
  const tally =
    Array.isArray(outputItems) && outputItems.length > 0 ? tallyOutput(outputItems) : (streamedTally ?? emptyTally());
  const extraction: UsageExtraction = {
    usage_version: USAGE_VERSION,
    usage: { ...usageFromResponsesShape(usage), web_search_calls: tally.calls },
    raw: usage,
    api: 'responses',
  };
  const model = str(response, 'model');
  if (model) extraction.model = model;
  // Bill by the tier the response reports, which may differ from the one requested ([OAI-SPEC] ServiceTier).
  const tier = str(response, 'service_tier');
  if (tier) extraction.service_tier = tier;
  if (Object.keys(tally.byAction).length > 0) extraction.details = { ...tally.byAction };
  return extraction;
}

/** Usage of a complete Responses API body (or a response.completed-style event); null when none. */
export function responsesUsageFromBody(body: unknown): UsageExtraction | null {
  return responsesExtraction(responseObject(body));
}
