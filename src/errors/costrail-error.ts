/**
 * The one base of Costrail's Error classes (the management API's ApiError, the CLI's CliError,
 * ProviderPayloadError, the store's query errors, ...): every thrown error carries a stable
 * machine `code`, the HTTP `status` it maps to when it reaches a caller, and whether a retry can
 * help. Messages and wire output stay each subclass's own; the base only makes them comparable,
 * as fastify's FST_ERR_* codes or vercel/ai's APICallError do.
 */
export abstract class CostrailError extends Error {
  abstract readonly code: string;
  /** The HTTP status this error is answered with when it reaches an HTTP caller. */
  abstract readonly status: number;
  /** Whether the same call, repeated unchanged later, may succeed. */
  get retryable(): boolean {
    return false;
  }
}

export function isCostrailError(e: unknown): e is CostrailError {
  return e instanceof CostrailError;
}
