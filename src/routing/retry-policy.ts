/**
 * When a failed attempt is tried again, and how long to wait first: jittered exponential back-off
 * (full jitter: a uniform wait in [0, min(max, base x 2^n)]), never shorter than the provider's
 * `Retry-After` / `retry-after-ms`, bounded per wait and in total. A wait the bounds cannot afford
 * is not made: the call moves on to its next fallback target at once.
 */
import type { RetrySpec } from './routing-schema.js';

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  maxTotalWaitMs: number;
  /** Upstream statuses that are retried (and then fall back). */
  statuses: ReadonlySet<number>;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0, maxTotalWaitMs: 0, statuses: new Set([408, 429, 500, 502, 503, 504, 529]) };

export function retryPolicyFrom(spec: RetrySpec): RetryPolicy {
  return { maxAttempts: spec.max_attempts, baseDelayMs: spec.base_delay_ms, maxDelayMs: spec.max_delay_ms, maxTotalWaitMs: spec.max_total_wait_ms, statuses: new Set(spec.statuses) };
}

/** The wait a provider asked for, in ms: `retry-after-ms` (OpenAI), else `Retry-After` seconds or an HTTP date. Undefined when absent or unreadable. */
export function retryAfterMs(headers: Record<string, string | string[] | undefined>, now: number = Date.now()): number | undefined {
  const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);
  const ms = one(headers['retry-after-ms']);
  if (ms !== undefined && /^\d+(\.\d+)?$/.test(ms.trim())) return Math.ceil(Number(ms));
  const ra = one(headers['retry-after'])?.trim();
  if (ra === undefined || ra === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(ra)) return Math.ceil(Number(ra) * 1000);
  const at = Date.parse(ra);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * The wait before retry number `retry` (1 for the first retry) of the same target, or undefined
 * when it must not wait that long (the provider's Retry-After beyond `maxDelayMs`, or past what is
 * left of `maxTotalWaitMs`).
 */
export function backoffMs(policy: RetryPolicy, retry: number, providerWaitMs: number | undefined, waitedMs: number, random: () => number = Math.random): number | undefined {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  const jittered = Math.floor(random() * cap);
  const wait = providerWaitMs === undefined ? jittered : Math.max(providerWaitMs, jittered);
  if (wait > policy.maxDelayMs || waitedMs + wait > policy.maxTotalWaitMs) return undefined;
  return wait;
}
