/**
 * The advisor's levers. Each finds groups of calls it could change and says how each call's
 * state would change; recommendations.ts applies them in sequence (stacking) and prices the
 * difference. Levers see the states left by the levers before them, so a prompt-caching finding
 * is sized on the model the model-fit finding already moved the feature to.
 */
import { Decimal } from '../pricing/decimal.js';
import { isResolved, type PriceBook } from '../pricing/price-book.js';
import { priceState, promptTokens, ratesOf, type AdvisorCall, type CallState } from './advisor-call.js';

export const RECOMMENDATION_KINDS = ['model_fit', 'prompt_caching', 'batch', 'output_limit'] as const;
export type RecommendationKind = (typeof RECOMMENDATION_KINDS)[number];

export interface AdvisorOptions {
  /** A group needs at least this many calls to be judged (default 10). */
  minCalls: number;
  /** Median output (incl. reasoning) at or under this is "short, classification-like" (default 300). */
  shortOutputTokens: number;
  /** Shortest prefix a provider will cache (default 1024, the OpenAI and Anthropic minimum). */
  minCacheableTokens: number;
  /** Under this share of prompt tokens read from cache, a group is "not using caching" (default 0.1). */
  maxCachedShare: number;
  /** Cache lifetime used to simulate hits from the calls' own timing (default 5 minutes). */
  cacheTtlMs: number;
  /** Output limit: flagged when the longest output is at least this many times the median (default 4). */
  outputSpreadFactor: number;
}

export const DEFAULT_ADVISOR_OPTIONS: AdvisorOptions = {
  minCalls: 10,
  shortOutputTokens: 300,
  minCacheableTokens: 1024,
  maxCachedShare: 0.1,
  cacheTtlMs: 5 * 60_000,
  outputSpreadFactor: 4,
};

export interface LeverGroup {
  kind: RecommendationKind;
  scope: Record<string, string | null>;
  indices: number[];
  /** The call's next state under this lever (indices[k] -> next(k, state)). */
  next: (k: number, s: CallState) => CallState;
  evidence: Record<string, string | number | boolean | null>;
  confidence: 'measured' | 'estimated';
  assumptions: string[];
  how: string;
  risk: string;
}

export type Lever = (calls: readonly AdvisorCall[], states: readonly CallState[], book: PriceBook, opts: AdvisorOptions) => LeverGroup[];

function groupBy(calls: readonly AdvisorCall[], states: readonly CallState[], key: (c: AdvisorCall, s: CallState) => string | undefined): Map<string, number[]> {
  const out = new Map<string, number[]>();
  calls.forEach((c, i) => {
    const k = key(c, states[i]!);
    if (k === undefined) return;
    const list = out.get(k);
    if (list) list.push(i);
    else out.set(k, [i]);
  });
  return out;
}

/** Nearest-rank percentile of a sorted list. */
function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? 0;
}

const outputOf = (s: CallState): number => s.usage.output_tokens + s.usage.reasoning_tokens;

/** Cheaper siblings in the same family, by the vendors' naming: -mini/-nano/-lite, pro->flash, opus->sonnet->haiku. */
export function familyCandidates(model: string): string[] {
  const out = [`${model}-mini`, `${model}-nano`, `${model}-lite`];
  const swaps: [string, string][] = [['-pro', '-flash'], ['-pro', '-flash-lite'], ['-flash', '-flash-lite'], ['opus', 'sonnet'], ['opus', 'haiku'], ['sonnet', 'haiku']];
  for (const [from, to] of swaps) if (model.includes(from) && !model.includes(to)) out.push(model.replace(from, to));
  return out;
}

function groupCost(book: PriceBook, calls: readonly AdvisorCall[], states: readonly CallState[], idx: readonly number[], f: (s: CallState) => CallState): Decimal | undefined {
  let sum = Decimal.ZERO;
  for (const i of idx) {
    const p = priceState(book, calls[i]!, f(states[i]!));
    if (p === undefined) return undefined;
    sum = sum.add(p);
  }
  return sum;
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

/**
 * Long prompts with little read from cache: the smallest prompt of the group bounds the prefix all
 * its calls could share; hits are simulated from the calls' own timing (a call within the cache
 * lifetime of the previous call of its group reads, others write).
 */
export const promptCachingLever: Lever = (calls, states, book, opts) => {
  const groups = groupBy(calls, states, (c, s) => (c.feature === null ? undefined : `${c.provider}\0${s.model}\0${c.feature}\0${c.prompt_version ?? ''}`));
  const out: LeverGroup[] = [];
  for (const idx of groups.values()) {
    if (idx.length < opts.minCalls) continue;
    const prompts = idx.map((i) => promptTokens(states[i]!.usage));
    const prefix = Math.min(...prompts);
    if (prefix < opts.minCacheableTokens) continue;
    const total = prompts.reduce((a, b) => a + b, 0);
    const cached = idx.reduce((a, i) => a + states[i]!.usage.cache_read_tokens, 0);
    if (cached / total >= opts.maxCachedShare) continue;
    const order = [...idx.keys()].sort((a, b) => calls[idx[a]!]!.at.getTime() - calls[idx[b]!]!.at.getTime());
    const hit = new Array<boolean>(idx.length).fill(false);
    let last: number | undefined;
    for (const k of order) {
      const t = calls[idx[k]!]!.at.getTime();
      hit[k] = last !== undefined && t - last <= opts.cacheTtlMs;
      last = t;
    }
    const hits = hit.filter(Boolean).length;
    const first = calls[idx[0]!]!;
    const s0 = states[idx[0]!]!;
    const rates = ratesOf(book, first, s0);
    const breakEven = breakEvenHitRate(rates);
    out.push({
      kind: 'prompt_caching',
      scope: { provider: first.provider, model: s0.model, feature: first.feature, prompt_version: first.prompt_version },
      indices: idx,
      next: (k, s) => {
        const moved = Math.min(prefix, s.usage.input_tokens);
        const u = { ...s.usage, input_tokens: s.usage.input_tokens - moved };
        if (hit[k]) u.cache_read_tokens += moved;
        else u.cache_write_tokens += moved;
        return { ...s, usage: u };
      },
      evidence: { prefix_tokens: prefix, cached_share_seen: ratioText(cached, total), simulated_hit_rate: ratioText(hits, idx.length), simulated_hits: hits, break_even_hit_rate: breakEven },
      confidence: 'estimated',
      assumptions: [`a stable prefix of ${prefix} tokens (the group's shortest prompt) shared by every call`, `hits simulated from the calls' timing with a ${opts.cacheTtlMs / 60_000}-minute cache lifetime`, 'cache writes at the 5-minute write rate'],
      how: 'Put the stable part (system prompt, tools, examples) first and mark it cacheable (Anthropic cache_control; OpenAI caches prefixes of 1,024+ tokens automatically when they are identical).',
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

function ratioText(a: number, b: number): string {
  return b === 0 ? '0' : (a / b).toFixed(4);
}

/** Background, non-streaming calls: nobody waits for them, so a provider's batch API (~50% off) fits. */
export const batchLever: Lever = (calls, states, _book, opts) => {
  const groups = groupBy(calls, states, (c, s) => (c.stream || c.priority !== 'background' || s.batch ? undefined : `${c.provider}\0${c.feature ?? ''}`));
  const out: LeverGroup[] = [];
  for (const idx of groups.values()) {
    if (idx.length < opts.minCalls) continue;
    const first = calls[idx[0]!]!;
    out.push({
      kind: 'batch',
      scope: { provider: first.provider, feature: first.feature, priority: 'background' },
      indices: idx,
      next: (_k, s) => ({ ...s, batch: true }),
      evidence: { streaming_calls: 0, priority: 'background' },
      confidence: 'estimated',
      assumptions: ['these calls tolerate the batch API\'s up-to-24-hour turnaround (priority background, not streamed)', 'the price book\'s batch rates'],
      how: `Send feature "${first.feature ?? '(none)'}"'s background calls through ${first.provider}'s batch API instead of one by one.`,
      risk: 'Results arrive within 24 hours, not seconds; jobs that feed a user-facing flow must not move.',
    });
  }
  // Models without a batch price save nothing: the stacking step drops zero-saving groups.
  return out;
};

/** Outputs with a long tail far above the typical length: a max-output limit at the 95th percentile trims the tail. */
export const outputLimitLever: Lever = (calls, states, _book, opts) => {
  const groups = groupBy(calls, states, (c, s) => (c.feature === null ? undefined : `${c.provider}\0${s.model}\0${c.feature}`));
  const out: LeverGroup[] = [];
  for (const idx of groups.values()) {
    if (idx.length < opts.minCalls) continue;
    const outputs = idx.map((i) => states[i]!.usage.output_tokens).sort((a, b) => a - b);
    const median = percentile(outputs, 0.5);
    const cap = percentile(outputs, 0.95);
    const max = outputs[outputs.length - 1] ?? 0;
    if (median === 0 || max < opts.outputSpreadFactor * median || max <= cap) continue;
    const first = calls[idx[0]!]!;
    const s0 = states[idx[0]!]!;
    const trimmed = outputs.filter((o) => o > cap).length;
    out.push({
      kind: 'output_limit',
      scope: { provider: first.provider, model: s0.model, feature: first.feature },
      indices: idx,
      next: (_k, s) => (s.usage.output_tokens > cap ? { ...s, usage: { ...s.usage, output_tokens: cap } } : s),
      evidence: { median_output_tokens: median, p95_output_tokens: cap, max_output_tokens: max, calls_over_limit: trimmed, suggested_max_output_tokens: cap },
      confidence: 'estimated',
      assumptions: [`a max_tokens of ${cap} (the 95th percentile) cuts the ${trimmed} longer outputs to ${cap} tokens`],
      how: `Set max_tokens / max_output_tokens to about ${cap} for feature "${first.feature}" (median output ${median}, longest ${max}).`,
      risk: 'Responses that legitimately need more get truncated (finish_reason "length"); check them before lowering the limit.',
    });
  }
  return out;
};

/** Stacking order: the structural change first (which model), then how the prompt is sent, then when, then how long. */
export const LEVERS: readonly Lever[] = [modelFitLever, promptCachingLever, batchLever, outputLimitLever];
