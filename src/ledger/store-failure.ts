/**
 * Tells the ledger writer why a store batch failed, because the two answers need opposite
 * handling: an unreachable store is waited out (every record stays spooled and is retried), while
 * a record the store refuses for its content would refuse it forever and must be quarantined so
 * the records behind it can go in.
 */

/** Node socket errors and driver messages that mean "no usable connection", not "bad data". */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ENOSPC', 'EIO', 'EROFS', 'EACCES']);
const UNAVAILABLE_MESSAGE = /connection terminated|connection (?:error|refused|reset)|timeout exceeded when trying to connect|pool after calling end|query read timeout|client was closed|not queryable|\bIO Error\b|Connection Error|database has been invalidated|store is closed|unreachable|unavailable/i;

/** PostgreSQL SQLSTATE classes that describe the server or the link, never one row. */
function unavailableSqlState(code: string): boolean {
  // 08 connection exception, 53 insufficient resources, 57 operator intervention (shutdown,
  // cannot connect now), 58 system error, XX internal error.
  return /^(08|53|57|58|XX)/.test(code);
}

export function isStoreUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code)) return true;
    if (code.length === 5 && unavailableSqlState(code)) return true;
  }
  const message = err instanceof Error ? err.message : String(err);
  return UNAVAILABLE_MESSAGE.test(message);
}

/** Errors a record's own values cause: the same record will fail the same way on every retry. */
const DATA_MESSAGE = /^(?:Conversion Error|Invalid Input Error|Out of Range Error|Constraint Error|Mismatch Type Error)\b/;

export function isRecordDataError(err: unknown): boolean {
  if (isStoreUnavailable(err)) return false;
  const code = (err as { code?: unknown } | null)?.code;
  // 22 data exception (bigint out of range, invalid text), 23 integrity constraint, 42804 type mismatch.
  if (typeof code === 'string' && /^(22|23)|^42804$/.test(code)) return true;
  if (err instanceof RangeError || err instanceof TypeError) return true;
  return err instanceof Error && DATA_MESSAGE.test(err.message);
}
