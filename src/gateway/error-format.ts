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
