/**
 * The error body of one of Costrail's own answers in each caller's format, so the SDK that sent
 * the call surfaces it naturally. A provider adapter names its dialect (spec.ts `errorDialect`);
 * the body writers are here, one per dialect.
 */
import type { GatewayError } from './error-catalogue.js';

/** The error shapes SDKs read: OpenAI's (and every OpenAI-compatible API), Anthropic's, Google's, AWS JSON. */
export type ErrorDialect = 'openai' | 'anthropic' | 'google' | 'aws';

/** Google's canonical status names by HTTP status (google.rpc.Code), as @google/genai reads them. */
const GOOGLE_STATUS: Record<number, string> = { 400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 413: 'INVALID_ARGUMENT', 429: 'RESOURCE_EXHAUSTED', 431: 'INVALID_ARGUMENT', 500: 'INTERNAL', 502: 'UNAVAILABLE', 503: 'UNAVAILABLE', 504: 'DEADLINE_EXCEEDED' };

type BodyWriter = (err: GatewayError, scope: { scope?: Record<string, string> }) => string;

const WRITERS: Record<ErrorDialect, BodyWriter> = {
  openai: (err, scope) => JSON.stringify({ error: { message: err.message, type: err.type, code: err.type, param: null, ...scope } }),
  anthropic: (err, scope) => JSON.stringify({ type: 'error', error: { type: err.type, message: err.message, ...scope } }),
  google: (err, scope) => JSON.stringify({ error: { code: err.status, message: err.message, status: GOOGLE_STATUS[err.status] ?? 'UNKNOWN', details: [{ reason: err.type, ...scope }] } }),
  // AWS JSON protocol: the SDKs read the error name from `__type` and the text from `message`.
  aws: (err, scope) => JSON.stringify({ __type: err.type, message: err.message, ...scope }),
};

export function errorBodyIn(dialect: ErrorDialect, err: GatewayError): string {
  return (WRITERS[dialect] ?? WRITERS.openai)(err, err.scope ? { scope: err.scope } : {});
}
