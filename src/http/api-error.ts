import { CostrailError } from '../errors/costrail-error.js';

/**
 * The management API's one error type: a code, an HTTP status and a message a person can act on.
 * Serialised as `{ "error": { "code", "message", "details"? } }`.
 */
export class ApiError extends CostrailError {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  /** A 429 or 503 (a limit window, the store coming back) can pass; a bad request or a missing resource cannot. */
  override get retryable(): boolean {
    return this.status === 429 || this.status === 503;
  }

  static badRequest(message: string, details?: unknown): ApiError {
    return new ApiError(400, 'invalid_request', message, details);
  }
  static notFound(message: string): ApiError {
    return new ApiError(404, 'not_found', message);
  }
  static forbidden(message: string): ApiError {
    return new ApiError(403, 'forbidden', message);
  }
  static conflict(message: string): ApiError {
    return new ApiError(409, 'conflict', message);
  }
}

export function apiErrorBody(err: ApiError): string {
  return JSON.stringify({ error: { code: err.code, message: err.message, ...(err.details === undefined ? {} : { details: err.details }) } });
}
