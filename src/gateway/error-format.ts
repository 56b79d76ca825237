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

/** The error shapes SDKs read: OpenAI's (and every OpenAI-compatible API), Anthropic's, Google's, AWS JSON. */
export type ErrorDialect = 'openai' | 'anthropic' | 'google' | 'aws';

/**
 * Longest wait Costrail asks an SDK to sleep through. The official OpenAI and Anthropic SDKs sleep
 * for whatever Retry-After says (up to a minute) and then retry; a budget that resets tomorrow
 * would hang the caller for hours, so anything longer is answered "do not retry".
 */
export const MAX_RETRY_AFTER_SECONDS = 20;

/** Refusals that a short wait can lift (a rate-limit window, Redis or the ledger coming back); budgets, kill switches, keys and allow-lists cannot. */
const RETRYABLE_REFUSALS: ReadonlySet<string> = new Set(['rate_limited', 'policy_unavailable', 'ledger_unavailable', 'ledger_database_unavailable']);

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

const GOOGLE_STATUS: Record<number, string> = { 400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 413: 'INVALID_ARGUMENT', 429: 'RESOURCE_EXHAUSTED', 431: 'INVALID_ARGUMENT', 500: 'INTERNAL', 502: 'UNAVAILABLE', 503: 'UNAVAILABLE', 504: 'DEADLINE_EXCEEDED' };

/**
 * The API shape decides first (an OpenAI-compatible endpoint of Anthropic speaks OpenAI's errors);
 * paths the shape does not name (model lists, files, batches) speak their provider's dialect.
 */
export function dialectOf(route: Pick<Route, 'api' | 'provider'>): ErrorDialect {
  switch (route.api) {
    case 'messages':
    case 'count_tokens':
      return 'anthropic';
    case 'generateContent':
      return 'google';
    case 'converse':
    case 'invoke':
      return 'aws';
    case 'models':
    case 'other':
      if (route.provider === 'anthropic') return 'anthropic';
      if (route.provider === 'gemini' || route.provider === 'vertex') return 'google';
      if (route.provider === 'bedrock') return 'aws';
      return 'openai';
    default:
      return 'openai';
  }
}

export function errorBody(route: Pick<Route, 'api' | 'provider'> | undefined, err: GatewayError): string {
  return errorBodyIn(route ? dialectOf(route) : 'openai', err);
}

export function errorBodyIn(dialect: ErrorDialect, err: GatewayError): string {
  const scope = err.scope ? { scope: err.scope } : {};
  switch (dialect) {
    case 'anthropic':
      return JSON.stringify({ type: 'error', error: { type: err.type, message: err.message, ...scope } });
    case 'google':
      return JSON.stringify({ error: { code: err.status, message: err.message, status: GOOGLE_STATUS[err.status] ?? 'UNKNOWN', details: [{ reason: err.type, ...scope }] } });
    case 'aws':
      // AWS JSON protocol: the SDKs read the error name from `__type` and the text from `message`.
      return JSON.stringify({ __type: err.type, message: err.message, ...scope });
    default:
      return JSON.stringify({ error: { message: err.message, type: err.type, code: err.type, param: null, ...scope } });
  }
}
