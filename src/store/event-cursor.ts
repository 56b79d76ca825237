/**
 * Keyset paging for `/api/events` and the microsecond timestamps it pages on.
 *
 * Why keyset and not OFFSET: the ledger grows while someone pages through it; an offset would
 * skip or repeat rows as new calls arrive, a (started_at, id) key never does. Why microseconds:
 * both engines (DuckDB TIMESTAMP, PostgreSQL timestamptz) keep exactly that precision, so a
 * cursor built from one row compares equal to that row in either store.
 */
import { StoreQueryError } from './store.js';

export interface EventsCursor {
  /** started_at of the last row of the previous page, microseconds since the epoch. */
  startedAtUs: bigint;
  id: string;
}

const ISO_FRACTION = /T\d{2}:\d{2}:\d{2}\.(\d+)/;

/** ISO 8601 (any offset) -> microseconds since the epoch; sub-microsecond digits are cut. */
export function isoToMicros(iso: string): bigint {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new StoreQueryError(`not an ISO 8601 timestamp: "${iso}"`);
  // Date.parse keeps milliseconds only; digits 4..6 of the fraction are added back by hand.
  const frac = ISO_FRACTION.exec(iso)?.[1] ?? '';
  const subMs = BigInt((frac.slice(3, 6) || '0').padEnd(3, '0'));
  return BigInt(ms) * 1000n + (ms < 0 && subMs > 0n ? -subMs : subMs);
}

/** Microseconds -> canonical ISO UTC ("...T08:00:00.123Z", or 6 fraction digits when they matter). */
export function microsToIso(us: bigint): string {
  const ms = us / 1000n - (us < 0n && us % 1000n !== 0n ? 1n : 0n);
  const iso = new Date(Number(ms)).toISOString();
  const rest = us - ms * 1000n;
  return rest === 0n ? iso : `${iso.slice(0, -1)}${rest.toString().padStart(3, '0')}Z`;
}

export function encodeEventsCursor(c: EventsCursor): string {
  return Buffer.from(JSON.stringify([c.startedAtUs.toString(), c.id]), 'utf8').toString('base64url');
}

export function decodeEventsCursor(cursor: string): EventsCursor {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2 && typeof parsed[0] === 'string' && /^-?\d+$/.test(parsed[0]) && typeof parsed[1] === 'string') {
      return { startedAtUs: BigInt(parsed[0]), id: parsed[1] };
    }
  } catch {
    // fall through: any malformed cursor is the caller's mistake, reported below
  }
  throw new StoreQueryError('invalid cursor');
}
