/**
 * The advisor's levers on how a call is made: which model (model fit), how its prompt is sent
 * (prompt caching), when (batch) and how long its answer may run (output limit). Each finds groups
 * of calls it could change and says how each call's state would change; recommendations.ts applies
 * them in sequence (stacking) and prices the difference. Levers see the states left by the levers
 * before them, so a prompt-caching finding is sized on the model the model-fit finding already
 * moved the feature to. The levers that remove calls (response cache, paid retries) are in
 * waste-levers.ts, prompt bloat in prompt-bloat-lever.ts.
 */
import { Decimal } from '../pricing/decimal.js';
import { isResolved } from '../pricing/price-book.js';
import { promptTokens, ratesOf, truncatedByLimit, type AdvisorCall, type CallState } from './advisor-call.js';
import { minCacheablePrefixTokens } from './cache-minimums.js';
import { byTime, groupBy, groupCost, mostCommon, outputOf, percentile, ratioText, type Lever, type LeverGroup } from './lever-support.js';
import { promptBloatLever } from './prompt-bloat-lever.js';
import { paidRetriesLever, responseCacheLever } from './waste-levers.js';

export { DEFAULT_ADVISOR_OPTIONS, RECOMMENDATION_KINDS, type AdvisorOptions, type Lever, type LeverGroup, type RecommendationKind } from './lever-support.js';

/** Cheaper siblings in the same family, by the vendors' naming: -mini/-nano/-lite, pro->flash, opus->sonnet->haiku. */
export function familyCandidates(model: string): string[] {
  const out = [`${model}-mini`, `${model}-nano`, `${model}-lite`];
  const swaps: [string, string][] = [['-pro', '-flash'], ['-pro', '-flash-lite'], ['-flash', '-flash-lite'], ['opus', 'sonnet'], ['opus', 'haiku'], ['sonnet', 'haiku']];
  for (const [from, to] of swaps) if (model.includes(from) && !model.includes(to)) out.push(model.replace(from, to));
  return out;
}

/** Short outputs on a model with a cheaper sibling: move the feature to the closest cheaper step. */
export const modelFitLever: Lever = (calls, states, book, opts) => {
  const groups = groupBy(calls, states, (c, s) => (c.feature === null ? undefined : `${c.provider}\0${s.model}\0${c.feature}`));
  const out: LeverGroup[] = [];
  for (const idx of groups.values()) {
    if (idx.length < opts.minCalls) continue;
    const first = calls[idx[0]!]!;
    const model = states[idx[0]!]!.model;
    const outputs = idx.map((i) => outputOf(states[i]!)).sort((a, b) => a - b);
    const median = percentile(outputs, 0.5);
    if (median > opts.shortOutputTokens) continue;
    const current = groupCost(book, calls, states, idx, (s) => s);
    if (current === undefined) continue;
    let best: { model: string; cost: Decimal } | undefined;
    for (const cand of familyCandidates(model)) {
      if (!isResolved(book.resolve(first.provider, cand, first.at))) continue;
      const cost = groupCost(book, calls, states, idx, (s) => ({ ...s, model: cand }));
      // The closest cheaper step: the most expensive candidate that still costs less.
      if (cost !== undefined && cost.cmp(current) < 0 && (!best || cost.cmp(best.cost) > 0)) best = { model: cand, cost };
    }
    if (!best) continue;
    const target = best.model;
    out.push({
      kind: 'model_fit',
      scope: { provider: first.provider, model, feature: first.feature },
      indices: idx,
      next: (_k, s) => ({ ...s, model: target }),
      evidence: { candidate_model: target, median_output_tokens: median, p90_output_tokens: percentile(outputs, 0.9) },
      confidence: 'estimated',
      assumptions: [`the same token counts on ${target} (same family and tokenizer)`, `quality holds for outputs this short (median ${median} tokens); replay a sample to measure it`],
      how: `Route feature "${first.feature}" from ${model} to ${target} (e.g. a policy rule or the SDK's model setting), after checking quality on a sample.`,
      risk: `${target} may answer some of these calls worse; watch the feature's outcome success rate after the move.`,
    });
  }
  return out;
};

/** The prefix a group of calls shares, and the provider's minimum for caching it. */
export interface PrefixGroup {
  idx: number[];
  /** Tokens every call of the group could read from a cache. */
  prefix: number;
  source: 'prompt_prefix_hash' | 'shortest_prompt';
  hash: string | null;
}

/**
 * Calls sharing a stable prefix: by `prompt_prefix_hash` where the gateway recorded it (the prefix
 * is its recorded length, capped by each call's prompt). A call whose request shape was recorded
 * without a prefix has none; calls from sources that could not see the request (imports, older
 * records) fall back to (feature, prompt_version) groups bounded by their shortest prompt.
 */
export function prefixGroups(calls: readonly AdvisorCall[], states: readonly CallState[], only: (i: number) => boolean = () => true): PrefixGroup[] {
  const groups = groupBy(calls, states, (c, s, i) => {
    if (!only(i)) return undefined;
    if (c.prompt_prefix_hash !== null && s.prefix_tokens !== null) return `h\0${c.provider}\0${s.model}\0${c.prompt_prefix_hash}`;
    // The gateway saw the request and found no system prompt or tools: nothing stable to cache.
    if (c.message_count !== null) return undefined;
    return c.feature === null ? undefined : `f\0${c.provider}\0${s.model}\0${c.feature}\0${c.prompt_version ?? ''}`;
  });
  return [...groups.entries()].map(([key, idx]) => {
    const hashed = key.startsWith('h');
    const prompts = idx.map((i) => promptTokens(states[i]!.usage));
    const prefix = hashed ? Math.min(...idx.map((i, k) => Math.min(states[i]!.prefix_tokens ?? 0, prompts[k]!))) : Math.min(...prompts);
    return { idx, prefix, source: hashed ? 'prompt_prefix_hash' : 'shortest_prompt', hash: hashed ? calls[idx[0]!]!.prompt_prefix_hash : null };
  });
}

/** Moves up to `prefix` uncached input tokens of the state to a cache read (hit) or a 5-minute cache write (miss). */
export function cachePrefix(s: CallState, prefix: number, hit: boolean): CallState {
  const moved = Math.min(prefix, s.usage.input_tokens);
  const u = { ...s.usage, input_tokens: s.usage.input_tokens - moved };
  if (hit) u.cache_read_tokens += moved;
  else u.cache_write_tokens += moved;
  return { ...s, usage: u };
}

/** In time order, a call within the cache lifetime of the group's previous call reads the prefix; the others write it. */
export function simulateHits(calls: readonly AdvisorCall[], idx: readonly number[], ttlMs: number): Map<number, boolean> {
  const hit = new Map<number, boolean>();
  let last: number | undefined;
  for (const i of byTime(calls, idx)) {
    const t = calls[i]!.at.getTime();
    hit.set(i, last !== undefined && t - last <= ttlMs);
    last = t;
  }
  return hit;
}

function cachingHow(provider: string): string {
  if (provider === 'anthropic' || provider === 'bedrock') return 'Put the stable part (system prompt, tools, examples) first and mark its end with cache_control {"type":"ephemeral"}; keep anything that changes per call after it.';
  if (provider === 'gemini' || provider === 'vertex') return 'Put the stable part first so Gemini\'s implicit caching (2.5 and later) matches it, or create an explicit context cache for it.';
  return 'Keep the stable part (system prompt, tools, examples) byte-identical and first: the provider caches identical prefixes automatically (OpenAI: 1,024 tokens and more; a prompt_cache_key keeps such calls on one cache).';
}

/**
 * Repeated prefixes above the provider's minimum with little read from cache: hits simulated
 * from the calls' own timing (a call within the cache lifetime of the previous call with the same
 * prefix reads it, the others write it), priced with the book's cache-read and cache-write rates.
 */
export const promptCachingLever: Lever = (calls, states, book, opts) => {
  const out: LeverGroup[] = [];
  for (const g of prefixGroups(calls, states)) {
    const { idx, prefix } = g;
    if (idx.length < opts.minCalls) continue;
    const first = calls[idx[0]!]!;
    const s0 = states[idx[0]!]!;
    const minimum = Math.max(opts.minCacheableTokens, minCacheablePrefixTokens(first.provider, s0.model));
    if (prefix < minimum) continue;
    const total = idx.reduce((a, i) => a + promptTokens(states[i]!.usage), 0);
    const cached = idx.reduce((a, i) => a + states[i]!.usage.cache_read_tokens, 0);
    const alreadyCaching = idx.some((i) => states[i]!.usage.cache_read_tokens + states[i]!.usage.cache_write_tokens + states[i]!.usage.cache_write_1h_tokens > 0);
    if (cached / total >= opts.maxCachedShare) continue;
    const hit = simulateHits(calls, idx, opts.cacheTtlMs);
    const hits = [...hit.values()].filter(Boolean).length;
    const breakEven = breakEvenHitRate(ratesOf(book, first, s0));
    const feature = mostCommon(idx.map((i) => calls[i]!.feature));
    const scope: Record<string, string | null> = g.hash !== null ? { provider: first.provider, model: s0.model, feature, prompt_prefix: g.hash.slice(0, 12) } : { provider: first.provider, model: s0.model, feature: first.feature, prompt_version: first.prompt_version };
    out.push({
      kind: 'prompt_caching',
      scope,
      indices: idx,
      next: (k, s) => cachePrefix(s, prefix, hit.get(idx[k]!) === true),
      evidence: {
        prefix_tokens: prefix,
        prefix_source: g.source,
        min_cacheable_tokens: minimum,
        already_caching: alreadyCaching,
        cached_share_seen: ratioText(cached, total),
        simulated_hits: hits,
        simulated_hit_rate: ratioText(hits, idx.length),
        cache_ttl_minutes: opts.cacheTtlMs / 60_000,
        break_even_hit_rate: breakEven,
      },
      confidence: 'estimated',
      assumptions: [
        g.source === 'prompt_prefix_hash' ? `the ${prefix}-token prefix the gateway hashed (an estimate: bytes / 4) is what the provider would cache` : `a stable prefix of ${prefix} tokens (the group's shortest prompt) shared by every call`,
        `hits simulated from the calls' timing with a ${opts.cacheTtlMs / 60_000}-minute cache lifetime`,
        'cache writes at the 5-minute write rate',
      ],
      how: cachingHow(first.provider),
      risk: 'Below the break-even hit rate caching costs more than it saves; a prefix that changes per call never hits.',
    });
  }
  return out;
};

/** (write - input) / (write - read): the hit rate from which caching pays; null when writes cost no more than input. */
function breakEvenHitRate(rates: Record<string, string>): string | null {
  const input = Decimal.tryParse(rates['input'] ?? '');
  const read = Decimal.tryParse(rates['cache_read'] ?? '');
  const write = Decimal.tryParse(rates['cache_write'] ?? '');
  if (!input || !read || !write) return null;
  const extra = write.sub(input);
  if (extra.cmp(Decimal.ZERO) <= 0) return '0';
  const span = write.sub(read);
  return span.isZero() ? null : (Number(extra.toString()) / Number(span.toString())).toFixed(4);
}

const DAY_MINUTES = 1440;
const hhmm = (m: number): string => `${String(Math.floor(m / 60) % 24).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

/**
 * A scheduled job's signature: every call within one short span of the day (circular, so
 * 23:30-00:30 is one span), on several days. Returns the span as text, or undefined.
 */
export function scheduledWindow(times: readonly Date[], windowMinutes: number, minDays: number): string | undefined {
  const days = new Set(times.map((t) => t.toISOString().slice(0, 10)));
  if (days.size < minDays) return undefined;
  const minutes = [...new Set(times.map((t) => t.getUTCHours() * 60 + t.getUTCMinutes()))].sort((a, b) => a - b);
  // The span is the day minus its largest gap between consecutive times of day (wrapping at midnight).
  let gap = minutes[0]! + DAY_MINUTES - minutes[minutes.length - 1]!;
  let start = minutes[0]!;
  for (let k = 1; k < minutes.length; k++) {
    const g = minutes[k]! - minutes[k - 1]!;
    if (g > gap) [gap, start] = [g, minutes[k]!];
  }
  const span = DAY_MINUTES - gap;
  return span <= windowMinutes ? `daily ${hhmm(start)}-${hhmm((start + span) % DAY_MINUTES)} UTC on ${days.size} days` : undefined;
}

/**
 * Traffic nobody waits for: priority `background`, or a feature whose calls all come in one
 * short span of the day on several days (a nightly job), whether streamed or not. Critical-priority
 * calls never move. A provider's batch API prices it at its batch rates (~50% off).
 */
export const batchLever: Lever = (calls, states, _book, opts) => {
  const features = groupBy(calls, states, (c, s) => (s.batch || c.priority === 'critical' ? undefined : `${c.provider}\0${c.feature ?? ''}`));
  const out: LeverGroup[] = [];
  for (const all of features.values()) {
    const first = calls[all[0]!]!;
    const schedule = first.feature === null ? undefined : scheduledWindow(all.map((i) => calls[i]!.at), opts.scheduleWindowMinutes, opts.scheduleMinDays);
    const idx = schedule ? all : all.filter((i) => calls[i]!.priority === 'background');
    if (idx.length < opts.minCalls) continue;
    const background = idx.filter((i) => calls[i]!.priority === 'background').length;
    const streamed = idx.filter((i) => calls[i]!.stream).length;
    const signal = schedule ? `scheduled: ${schedule}` : 'priority background';
    out.push({
      kind: 'batch',
      scope: { provider: first.provider, feature: first.feature, ...(schedule ? {} : { priority: 'background' }) },
      indices: idx,
      next: (_k, s) => ({ ...s, batch: true }),
      evidence: { signal, background_calls: background, interactive_calls: idx.length - background, streamed_calls: streamed, ...(schedule ? { schedule } : {}) },
      confidence: 'estimated',
      assumptions: [`these calls tolerate the batch API's up-to-24-hour turnaround (${signal})`, 'the price book\'s batch rates'],
      how: `Send feature "${first.feature ?? '(none)'}"'s ${schedule ? 'scheduled job' : 'background calls'} through ${first.provider}'s batch API instead of one by one${streamed > 0 ? ` (${streamed} are streamed today: nobody reads them as they stream)` : ''}.`,
      risk: 'Results arrive within 24 hours, not seconds; jobs that feed a user-facing flow must not move.',
    });
  }
  // Models without a batch price save nothing: the stacking step drops zero-saving groups.
  return out;
};

/**
 * Output limits far above use: the limit asked (`max_output_tokens`) at least 4x the 95th
 * percentile of the output used, outputs cut at the limit (`finish_reason` length), or (no limit
 * recorded) a long tail, the longest output 4x the median. A limit of twice the 95th percentile
 * cuts the runaways, which are paid in full and are usually useless.
 */
export const outputLimitLever: Lever = (calls, states, _book, opts) => {
  const groups = groupBy(calls, states, (c, s) => (c.feature === null ? undefined : `${c.provider}\0${s.model}\0${c.feature}`));
  const out: LeverGroup[] = [];
  for (const idx of groups.values()) {
    if (idx.length < opts.minCalls) continue;
    const outputs = idx.map((i) => states[i]!.usage.output_tokens).sort((a, b) => a - b);
    const median = percentile(outputs, 0.5);
    const p95 = percentile(outputs, 0.95);
    const longest = outputs[outputs.length - 1] ?? 0;
    const asked = idx.map((i) => calls[i]!.max_output_tokens).filter((n): n is number => n !== null).sort((a, b) => a - b);
    const medianAsked = asked.length > 0 ? percentile(asked, 0.5) : null;
    const truncated = idx.filter((i) => truncatedByLimit(calls[i]!.finish_reason)).length;
    const limit = p95 * opts.outputLimitHeadroom;
    if (p95 === 0 || longest <= limit) continue;
    const oversized = medianAsked !== null && medianAsked >= opts.outputSpreadFactor * p95;
    const tail = medianAsked === null && longest >= opts.outputSpreadFactor * median;
    if (!oversized && !tail && truncated === 0) continue;
    const first = calls[idx[0]!]!;
    const s0 = states[idx[0]!]!;
    const over = outputs.filter((o) => o > limit).length;
    out.push({
      kind: 'output_limit',
      scope: { provider: first.provider, model: s0.model, feature: first.feature },
      indices: idx,
      next: (_k, s) => (s.usage.output_tokens > limit ? { ...s, usage: { ...s.usage, output_tokens: limit } } : s),
      evidence: {
        median_output_tokens: median,
        p95_output_tokens: p95,
        longest_output_tokens: longest,
        median_max_output_tokens_asked: medianAsked,
        truncated_calls: truncated,
        calls_over_limit: over,
        suggested_max_output_tokens: limit,
      },
      confidence: 'estimated',
      assumptions: [`a max_tokens of ${limit} (${opts.outputLimitHeadroom}x the 95th percentile used) cuts the ${over} longer outputs to ${limit} tokens`, ...(truncated > 0 ? [`the ${truncated} output(s) already cut at the limit asked (finish_reason length) were runaways nobody used in full`] : [])],
      how: `Set max_tokens / max_output_tokens to about ${limit} for feature "${first.feature}"${medianAsked !== null ? ` (asked ${medianAsked}, ` : ' ('}95% of outputs are at most ${p95} tokens, longest ${longest}).`,
      risk: 'Responses that legitimately need more get truncated (finish_reason "length"); check the longest ones before lowering the limit.',
    });
  }
  return out;
};

/**
 * Stacking order: first the calls that need not be made at all (a response cache, avoidable paid
 * failures), then which model, how long the prompt is, how it is sent (caching), when (batch) and
 * how long the answer may run.
 */
export const LEVERS: readonly Lever[] = [responseCacheLever, paidRetriesLever, modelFitLever, promptBloatLever, promptCachingLever, batchLever, outputLimitLever];
