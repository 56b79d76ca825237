/**
 * What every lever shares: the options, the group a lever proposes (scope, calls, how each call's
 * state changes, evidence) and small helpers (grouping, nearest-rank percentiles, group cost).
 */
import { Decimal } from '../pricing/decimal.js';
import type { PriceBook } from '../pricing/price-book.js';
import { priceState, type AdvisorCall, type CallState } from './advisor-call.js';

/** Every kind, in stacking order (recommendations.ts applies the levers in this order). */
export const RECOMMENDATION_KINDS = ['response_cache', 'paid_retries', 'model_fit', 'prompt_bloat', 'prompt_caching', 'batch', 'output_limit'] as const;
export type RecommendationKind = (typeof RECOMMENDATION_KINDS)[number];

export interface AdvisorOptions {
  /** A group needs at least this many calls to be judged (default 10). */
  minCalls: number;
  /** Median output (incl. reasoning) at or under this is "short, classification-like" (default 300). */
  shortOutputTokens: number;
  /** Floor for the cacheable prefix when the provider's own minimum is lower (default 0: the provider's minimum, cache-minimums.ts). */
  minCacheableTokens: number;
  /** Under this share of prompt tokens read from cache, a group is "not using caching" (default 0.1). */
  maxCachedShare: number;
  /** Prompt-cache lifetime used to simulate hits from the calls' own timing (default 5 minutes). */
  cacheTtlMs: number;
  /** Response-cache lifetime: a repeat of an identical request within it of the stored answer is a hit (default 24 hours). */
  responseCacheTtlMs: number;
  /** Output limit: flagged when the limit asked is at least this many times the 95th percentile used, or (no limit recorded) the longest output this many times the median (default 4). */
  outputSpreadFactor: number;
  /** Headroom of the suggested output limit over the 95th percentile used (default 2). */
  outputLimitHeadroom: number;
  /** Prompt bloat: flagged when the latest prompt version's prefix is at least this share larger than the leanest earlier one (default 0.2) ... */
  bloatGrowthShare: number;
  /** ... and at least this many tokens larger (default 200). */
  bloatMinTokens: number;
  /** Scheduled (batch-eligible) traffic: all of a feature's calls fall within this many minutes of one time of day (default 120) ... */
  scheduleWindowMinutes: number;
  /** ... on at least this many UTC days (default 3). */
  scheduleMinDays: number;
}

export const DEFAULT_ADVISOR_OPTIONS: AdvisorOptions = {
  minCalls: 10,
  shortOutputTokens: 300,
  minCacheableTokens: 0,
  maxCachedShare: 0.1,
  cacheTtlMs: 5 * 60_000,
  responseCacheTtlMs: 24 * 3_600_000,
  outputSpreadFactor: 4,
  outputLimitHeadroom: 2,
  bloatGrowthShare: 0.2,
  bloatMinTokens: 200,
  scheduleWindowMinutes: 120,
  scheduleMinDays: 3,
};

export type EvidenceValue = string | number | boolean | null;

export interface LeverGroup {
  kind: RecommendationKind;
  scope: Record<string, string | null>;
  indices: number[];
  /** The call's next state under this lever (indices[k] -> next(k, state)). */
  next: (k: number, s: CallState) => CallState;
  evidence: Record<string, EvidenceValue>;
  confidence: 'measured' | 'estimated';
  assumptions: string[];
  how: string;
  risk: string;
}

export type Lever = (calls: readonly AdvisorCall[], states: readonly CallState[], book: PriceBook, opts: AdvisorOptions) => LeverGroup[];

/** Groups the calls still made (not dropped by an earlier lever) by key; an undefined key leaves the call out. */
export function groupBy(calls: readonly AdvisorCall[], states: readonly CallState[], key: (c: AdvisorCall, s: CallState, i: number) => string | undefined): Map<string, number[]> {
  const out = new Map<string, number[]>();
  calls.forEach((c, i) => {
    const s = states[i]!;
    if (s.dropped) return;
    const k = key(c, s, i);
    if (k === undefined) return;
    const list = out.get(k);
    if (list) list.push(i);
    else out.set(k, [i]);
  });
  return out;
}

/** Nearest-rank percentile of a sorted list. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? 0;
}

export const outputOf = (s: CallState): number => s.usage.output_tokens + s.usage.reasoning_tokens;

/** The group's exact cost with each call's state mapped by f; undefined when a state is unpriced. */
export function groupCost(book: PriceBook, calls: readonly AdvisorCall[], states: readonly CallState[], idx: readonly number[], f: (s: CallState) => CallState): Decimal | undefined {
  let sum = Decimal.ZERO;
  for (const i of idx) {
    const p = priceState(book, calls[i]!, f(states[i]!));
    if (p === undefined) return undefined;
    sum = sum.add(p);
  }
  return sum;
}

/** The indices sorted by the calls' start. */
export function byTime(calls: readonly AdvisorCall[], idx: readonly number[]): number[] {
  return [...idx].sort((a, b) => calls[a]!.at.getTime() - calls[b]!.at.getTime() || (calls[a]!.id < calls[b]!.id ? -1 : 1));
}

/** The most frequent non-null value (ties: the first seen), for naming a group's scope. */
export function mostCommon(values: readonly (string | null)[]): string | null {
  const n = new Map<string, number>();
  let best: string | null = null;
  for (const v of values) {
    if (v === null) continue;
    const c = (n.get(v) ?? 0) + 1;
    n.set(v, c);
    if (best === null || c > n.get(best)!) best = v;
  }
  return best;
}

/** a / b as a 4-place text share (evidence only, never money). */
export function ratioText(a: number, b: number): string {
  return b === 0 ? '0' : (a / b).toFixed(4);
}
