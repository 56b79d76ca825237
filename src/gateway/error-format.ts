/** Costrail's own errors, in the calling API's error format so SDKs surface them naturally. */
import type { Route } from './route.js';

export interface GatewayError {
  status: number;
  /** budget_exceeded | rate_limited | kill_switch | model_not_allowed | invalid_api_key | upstream_unreachable | ... */
  type: string;
  message: string;
  retryAfterSeconds?: number;
  scope?: Record<string, string>;
}

/**
 * Longest wait Costrail asks an SDK to sleep through. The official OpenAI and Anthropic SDKs sleep
 * for whatever Retry-After says (up to a minute) and then retry; a budget that resets tomorrow
 * would hang the caller for hours, so anything longer is answered "do not retry".
 */
export const MAX_RETRY_AFTER_SECONDS = 20;

/** Refusals that waiting a few seconds cannot lift: budgets, kill switches, keys, allow-lists. */
const RETRYABLE_REFUSALS: ReadonlySet<string> = new Set(['rate_limited', 'policy_unavailable']);

/**
 * The retry headers of one of Costrail's own answers. `x-should-retry: false` is the header the
 * openai and @anthropic-ai/sdk clients obey before any status rule (@google/genai does not retry
 * unless the caller configured retryOptions, and then by status only). Errors Costrail does not
 * classify (upstream unreachable, timeouts) get neither header, so the SDK's own rules apply.
 */
export function retryHeaders(err: GatewayError): Record<string, string> {
  const short = err.retryAfterSeconds !== undefined && err.retryAfterSeconds <= MAX_RETRY_AFTER_SECONDS;
  if (RETRYABLE_REFUSALS.has(err.type)) {
    return short ? { 'retry-after': String(err.retryAfterSeconds) } : { 'x-should-retry': 'false' };
  }
  if (err.status === 429 || err.status === 401 || err.status === 403) return { 'x-should-retry': 'false' };
  return {};
}

const GOOGLE_STATUS: Record<number, string> = { 400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 429: 'RESOURCE_EXHAUSTED', 502: 'UNAVAILABLE', 503: 'UNAVAILABLE', 504: 'DEADLINE_EXCEEDED' };

export function errorBody(route: Pick<Route, 'api'> | undefined, err: GatewayError): string {
  const api = route?.api;
  if (api === 'messages' || api === 'count_tokens') {
    return JSON.stringify({ type: 'error', error: { type: err.type, message: err.message, ...(err.scope ? { scope: err.scope } : {}) } });
  }
  if (api === 'generateContent') {
    return JSON.stringify({ error: { code: err.status, message: err.message, status: GOOGLE_STATUS[err.status] ?? 'UNKNOWN', details: [{ reason: err.type, ...(err.scope ? { scope: err.scope } : {}) }] } });
  }
  if (api === 'converse' || api === 'invoke') {
    // AWS JSON protocol: the SDKs read the error name from `__type` and the text from `message`.
    return JSON.stringify({ __type: err.type, message: err.message, ...(err.scope ? { scope: err.scope } : {}) });
  }
  return JSON.stringify({ error: { message: err.message, type: err.type, code: err.type, param: null, ...(err.scope ? { scope: err.scope } : {}) } });
}
