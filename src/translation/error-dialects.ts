/**
 * Upstream error bodies read into a neutral { status, message } and written in the client's
 * dialect with the same status, so an SDK raises its own typed error (RateLimitError, …) for a
 * failure that happened at another provider. The error type comes from the status, as each
 * provider documents it; the upstream's message is kept (bounded), since it is what a user debugs with.
 */
import type { ChatErrorInfo } from './chat-model.js';
import { isRecord, rec, str } from './json-shapes.js';

const MAX_MESSAGE = 2000;

function clip(message: string): string {
  return message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE)}…` : message;
}

/** Reads any of the three providers' error bodies (they all nest `error.message`); non-JSON bodies keep a short excerpt. */
export function decodeErrorBody(status: number, body: Uint8Array, provider: string): ChatErrorInfo {
  const text = new TextDecoder().decode(body.subarray(0, 64 * 1024));
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  // Gemini's REST default wraps errors in an array when a stream was asked for.
  if (Array.isArray(parsed)) parsed = parsed[0];
  const message = isRecord(parsed) ? str(rec(parsed.error).message) ?? str(parsed.message) : undefined;
  const fallback = text.trim() === '' ? `${provider} upstream returned HTTP ${status}` : `${provider} upstream returned HTTP ${status}: ${text.trim()}`;
  return { status, message: clip(message ?? fallback) };
}

const OPENAI_TYPES: Record<number, { type: string; code: string | null }> = {
  400: { type: 'invalid_request_error', code: null },
  401: { type: 'authentication_error', code: 'invalid_api_key' },
  403: { type: 'permission_error', code: null },
  404: { type: 'not_found_error', code: 'model_not_found' },
  413: { type: 'invalid_request_error', code: 'request_too_large' },
  422: { type: 'invalid_request_error', code: null },
  429: { type: 'rate_limit_error', code: 'rate_limit_exceeded' },
};

export function openaiErrorObject(e: ChatErrorInfo): Record<string, unknown> {
  const t = OPENAI_TYPES[e.status] ?? { type: e.status >= 500 ? 'server_error' : 'invalid_request_error', code: null };
  return { error: { message: e.message, type: t.type, param: null, code: t.code } };
}

const ANTHROPIC_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  422: 'invalid_request_error',
  429: 'rate_limit_error',
  503: 'overloaded_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

export function anthropicErrorObject(e: ChatErrorInfo): Record<string, unknown> {
  return { type: 'error', error: { type: ANTHROPIC_TYPES[e.status] ?? (e.status >= 500 ? 'api_error' : 'invalid_request_error'), message: e.message } };
}

const GEMINI_STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  413: 'INVALID_ARGUMENT',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
  529: 'UNAVAILABLE',
};

export function geminiErrorObject(e: ChatErrorInfo): Record<string, unknown> {
  return { error: { code: e.status, message: e.message, status: GEMINI_STATUS[e.status] ?? (e.status >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION') } };
}

export function jsonBytes(v: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(v));
}
