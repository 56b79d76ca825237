/**
 * The levers that remove calls instead of re-pricing them: a response cache (identical requests
 * answered again from a store) and paid failures (billed errors, attempts a retry or fallback
 * superseded). A removed call is `dropped` and costs nothing; later levers leave it alone.
 */
import { Decimal } from '../pricing/decimal.js';
import { priceState, type AdvisorCall } from './advisor-call.js';
import { byTime, groupBy, ratioText, type Lever, type LeverGroup } from './lever-support.js';

/**
 * Per request hash, in time order: a call finding a stored answer younger than the TTL is a hit;
 * any other call is a miss and stores its answer (no refresh on a hit, as a TTL cache behaves).
 */
export function responseCacheHits(calls: readonly AdvisorCall[], idx: readonly number[], ttlMs: number): Set<number> {
  const stored = new Map<string, number>();
  const hits = new Set<number>();
  for (const i of byTime(calls, idx)) {
    const c = calls[i]!;
    const t = c.at.getTime();
    const since = stored.get(c.request_hash!);
    if (since !== undefined && t - since <= ttlMs) hits.add(i);
    else stored.set(c.request_hash!, t);
  }
  return hits;
}

/**
 * Identical requests (same `request_hash`: same model, messages, tools and parameters) repeated
 * within the response-cache lifetime: the repeats could be answered from a cache at no charge.
 */
export const responseCacheLever: Lever = (calls, states, _book, opts) => {
  const groups = groupBy(calls, states, (c) => (c.request_hash === null || c.status !== 'ok' ? undefined : `${c.provider}\0${c.feature ?? ''}`));
  const out: LeverGroup[] = [];
  for (const idx of groups.values()) {
    if (idx.length < opts.minCalls) continue;
    const hits = responseCacheHits(calls, idx, opts.responseCacheTtlMs);
    if (hits.size === 0) continue;
    const repeated = new Set([...hits].map((i) => calls[i]!.request_hash));
    const first = calls[idx[0]!]!;
    out.push({
      kind: 'response_cache',
      scope: { provider: first.provider, feature: first.feature },
      indices: idx,
      next: (k, s) => (hits.has(idx[k]!) ? { ...s, dropped: true } : s),
      evidence: { calls_with_request_hash: idx.length, repeated_requests: repeated.size, simulated_hits: hits.size, simulated_hit_rate: ratioText(hits.size, idx.length), cache_ttl_hours: opts.responseCacheTtlMs / 3_600_000 },
      confidence: 'estimated',
      assumptions: [
        `a repeat of an identical request within ${opts.responseCacheTtlMs / 3_600_000} hours of the stored answer is served from the cache at no charge`,
        'the repeated requests want the same answer: the request hash covers every parameter (temperature too), but the temperature itself is not recorded, so sampled (temperature > 0) requests are counted like deterministic ones',
      ],
      how: `Cache answers for feature "${first.feature ?? '(none)'}" keyed by the exact request (a response cache in front of the call), for requests that should answer the same every time.`,
      risk: 'A cached answer is stale when the world changed since, and identical for requests that wanted variety (temperature > 0); cache only deterministic, time-insensitive requests.',
    });
  }
  return out;
};

/**
 * Paid failures: calls that failed or were cut off but were billed (status error or aborted with
 * usage), and attempts superseded by a retry or fallback (every attempt of an `attempt_of` chain
 * but the last). Their cost bought nothing the caller used.
 */
export const paidRetriesLever: Lever = (calls, states, book, opts) => {
  // Chains: an attempt names its first attempt in attempt_of; the first attempt is the chain's root.
  const chains = new Map<string, number[]>();
  calls.forEach((c, i) => {
    const root = c.attempt_of ?? c.id;
    chains.set(root, [...(chains.get(root) ?? []), i]);
  });
  const superseded = new Set<number>();
  let retryChains = 0;
  for (const members of chains.values()) {
    if (members.length < 2) continue;
    retryChains++;
    for (const i of byTime(calls, members).slice(0, -1)) superseded.add(i);
  }
  const wasted = (i: number): boolean => {
    if (calls[i]!.status === 'ok' && !superseded.has(i)) return false;
    const cost = priceState(book, calls[i]!, states[i]!);
    return cost !== undefined && cost.cmp(Decimal.ZERO) > 0;
  };
  const groups = groupBy(calls, states, (c) => `${c.provider}\0${c.feature ?? ''}`);
  const out: LeverGroup[] = [];
  for (const idx of groups.values()) {
    if (idx.length < opts.minCalls) continue;
    const waste = new Set(idx.filter(wasted));
    if (waste.size === 0) continue;
    const errors = [...waste].filter((i) => calls[i]!.status === 'error').length;
    const aborted = [...waste].filter((i) => calls[i]!.status === 'aborted').length;
    const replaced = [...waste].filter((i) => superseded.has(i)).length;
    const first = calls[idx[0]!]!;
    out.push({
      kind: 'paid_retries',
      scope: { provider: first.provider, feature: first.feature },
      indices: idx,
      next: (k, s) => (waste.has(idx[k]!) ? { ...s, dropped: true } : s),
      evidence: { wasted_calls: waste.size, billed_errors: errors, billed_aborted: aborted, superseded_attempts: replaced, retry_chains_in_window: retryChains, wasted_share: ratioText(waste.size, idx.length) },
      confidence: 'estimated',
      assumptions: ['the cause of these failures and retries can be removed, so their cost is not spent again'],
      how: `Find why feature "${first.feature ?? '(none)'}"'s calls fail after being billed or get retried (client timeouts shorter than the answers, outputs cut at the limit then retried, invalid output parsed and re-asked, a fallback order that tries a failing model first).`,
      risk: 'Some failures are the provider\'s (overload, outages) and cannot be avoided; a retry that rescues a user-facing call may be worth its cost.',
    });
  }
  return out;
};
