/**
 * Every error the gateway answers or records itself, by code. A code fixes the HTTP status (the
 * default; a few codes carry the status of the HTTP rule they report, e.g. 413 for an oversized
 * body), whether a short wait can lift it (Retry-After), whether SDKs are told not to retry
 * (`x-should-retry: false`), and the ledger status a refusal is recorded with. The caller-format
 * bodies are written per dialect in error-dialects.ts; the codes are the wire `type` values, so
 * they never change.
 */

/** How SDKs are told about retrying one of Costrail's own answers. */
export type RetryRule =
  /** A short wait can lift it: Retry-After when the wait is short, else `x-should-retry: false`. */
  | 'after-wait'
  /** Retrying the same call cannot help: `x-should-retry: false` (openai / @anthropic-ai/sdk obey it first). */
  | 'never'
  /** Not classified by Costrail (upstream failures, malformed requests): neither header, the SDK's rules apply. */
  | 'sdk-default';

export interface ErrorSpec {
  readonly status: number;
  readonly retry: RetryRule;
  /** The ledger status a call refused or failed with this code is recorded as. */
  readonly ledger: 'blocked' | 'error' | 'aborted' | 'not-recorded';
}

const refusal = (status: number, retry: RetryRule): ErrorSpec => ({ status, retry, ledger: 'blocked' });
const failure = (status: number): ErrorSpec => ({ status, retry: 'sdk-default', ledger: 'error' });

export const GATEWAY_ERROR_CATALOGUE = {
  // The request itself (before or at routing).
  invalid_request_target: refusal(400, 'sdk-default'),
  invalid_request: { status: 400, retry: 'sdk-default', ledger: 'not-recorded' },
  request_header_fields_too_large: { status: 431, retry: 'sdk-default', ledger: 'not-recorded' },
  request_timeout: { status: 408, retry: 'sdk-default', ledger: 'not-recorded' },
  not_found: refusal(404, 'sdk-default'),
  invalid_request_error: refusal(400, 'sdk-default'),
  // Who is calling and what they may reach.
  invalid_api_key: refusal(401, 'never'),
  provider_credential_missing: refusal(403, 'never'),
  attribution_conflict: refusal(403, 'never'),
  model_not_allowed: refusal(403, 'never'),
  endpoint_not_allowed: refusal(403, 'never'),
  // Policy.
  kill_switch: refusal(403, 'never'),
  budget_exceeded: refusal(429, 'never'),
  rate_limited: refusal(429, 'after-wait'),
  policy_unavailable: refusal(503, 'after-wait'),
  // Costrail cannot record the call, so it does not forward it.
  ledger_unavailable: refusal(503, 'after-wait'),
  ledger_database_unavailable: refusal(503, 'after-wait'),
  // Where the call would go.
  upstream_not_configured: refusal(502, 'sdk-default'),
  upstream_origin_mismatch: refusal(502, 'sdk-default'),
  // The provider's side.
  upstream_timeout: failure(504),
  upstream_unreachable: failure(502),
  upstream_error: failure(502),
  upstream_malformed: failure(502),
  upstream_stream_error: failure(502),
  upstream_stream_exception: failure(502),
  client_closed: { status: 499, retry: 'sdk-default', ledger: 'aborted' },
  internal_error: { status: 500, retry: 'sdk-default', ledger: 'not-recorded' },
} as const satisfies Record<string, ErrorSpec>;

export type GatewayErrorCode = keyof typeof GATEWAY_ERROR_CATALOGUE;

/** One of Costrail's own gateway answers: a catalogue code, answered in the caller's format. */
export interface GatewayError {
  status: number;
  type: GatewayErrorCode;
  message: string;
  retryAfterSeconds?: number;
  scope?: Record<string, string>;
}

export function errorSpec(code: GatewayErrorCode): ErrorSpec {
  return GATEWAY_ERROR_CATALOGUE[code];
}

export function isGatewayErrorCode(s: string): s is GatewayErrorCode {
  return Object.hasOwn(GATEWAY_ERROR_CATALOGUE, s);
}

/** Builds an error with the catalogue's status for `code` (or the given one, for codes that report an HTTP rule). */
export function gatewayError(code: GatewayErrorCode, message: string, extra: { status?: number; retryAfterSeconds?: number; scope?: Record<string, string> } = {}): GatewayError {
  return {
    status: extra.status ?? GATEWAY_ERROR_CATALOGUE[code].status,
    type: code,
    message,
    ...(extra.retryAfterSeconds !== undefined ? { retryAfterSeconds: extra.retryAfterSeconds } : {}),
    ...(extra.scope ? { scope: extra.scope } : {}),
  };
}

/** The ledger status a call answered with `err` is recorded as (codes never recorded default to `blocked`). */
export function ledgerStatusOf(err: GatewayError): 'blocked' | 'error' | 'aborted' {
  const ledger = GATEWAY_ERROR_CATALOGUE[err.type]?.ledger ?? 'blocked';
  return ledger === 'not-recorded' ? 'blocked' : ledger;
}

/**
 * Longest wait Costrail asks an SDK to sleep through. The official OpenAI and Anthropic SDKs sleep
 * for whatever Retry-After says (up to a minute) and then retry; a budget that resets tomorrow
 * would hang the caller for hours, so anything longer is answered "do not retry".
 */
export const MAX_RETRY_AFTER_SECONDS = 20;

/**
 * The retry headers of one of Costrail's own answers. `x-should-retry: false` is the header the
 * openai and @anthropic-ai/sdk clients obey before any status rule (@google/genai does not retry
 * unless the caller configured retryOptions, and then by status only). Errors Costrail does not
 * classify (upstream unreachable, timeouts) get neither header, so the SDK's own rules apply.
 */
export function retryHeaders(err: GatewayError): Record<string, string> {
  const rule = GATEWAY_ERROR_CATALOGUE[err.type]?.retry ?? 'sdk-default';
  if (rule === 'after-wait') {
    const short = err.retryAfterSeconds !== undefined && err.retryAfterSeconds <= MAX_RETRY_AFTER_SECONDS;
    return short ? { 'retry-after': String(err.retryAfterSeconds) } : { 'x-should-retry': 'false' };
  }
  // A refusal SDKs would otherwise retry by status (429) or that no retry can lift (401, 403).
  if (rule === 'never' || err.status === 429 || err.status === 401 || err.status === 403) return { 'x-should-retry': 'false' };
  return {};
}
