/**
 * POSTs a body with retries and exponential back-off: network errors, 429 and 5xx are retried
 * (honouring Retry-After up to the cap); other 4xx are final (the receiver refused the message).
 */
import { request } from 'undici';

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 1000, maxDelayMs: 60_000 };

export interface DeliveryResult {
  ok: boolean;
  attempts: number;
  status: number | null;
  error?: string;
  /** The receiver's answer on success (Slack's chat.postMessage returns the message `ts`). */
  body?: string;
  /** The Slack thread the message started or replied in. */
  thread_ts?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());

export async function postWithRetry(url: string, body: string, headers: Record<string, string>, policy: RetryPolicy): Promise<DeliveryResult> {
  let last: DeliveryResult = { ok: false, attempts: 0, status: null };
  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    let retryAfterMs = 0;
    try {
      const res = await request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, headersTimeout: 10_000, bodyTimeout: 10_000 });
      if (res.statusCode < 300) return { ok: true, attempts: attempt, status: res.statusCode, body: (await res.body.text()).slice(0, 10_000) };
      await res.body.dump();
      last = { ok: false, attempts: attempt, status: res.statusCode, error: `HTTP ${res.statusCode}` };
      if (res.statusCode !== 429 && res.statusCode < 500) return last;
      const ra = Number(res.headers['retry-after']);
      if (Number.isFinite(ra) && ra > 0) retryAfterMs = ra * 1000;
    } catch (e) {
      last = { ok: false, attempts: attempt, status: null, error: (e as NodeJS.ErrnoException).code ?? (e as Error).message };
    }
    if (attempt < policy.attempts) await sleep(Math.min(policy.maxDelayMs, Math.max(retryAfterMs, policy.baseDelayMs * 2 ** (attempt - 1))));
  }
  return last;
}
