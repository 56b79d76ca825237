/**
 * The one Store interface. The embedded store (DuckDB, one file under --data) and the scale-out
 * store (PostgreSQL) both implement it and both must pass test/store/store.case.ts, so nothing
 * above this line may depend on which engine is underneath.
 *
 * Records cross this boundary as the public LedgerRecord JSON shape, money as exact decimal
 * strings; each engine maps them onto its own columns.
 */
import type { LedgerRecord } from '../ledger/ledger-record.js';
import type { DomainMigration, SqlClient } from './sql.js';

export const DEFAULT_EVENTS_LIMIT = 100;
export const MAX_EVENTS_LIMIT = 1000;

/** `GET /api/events` filters. Equality filters match exactly; `model` is the resolved (priced) model. */
export interface EventsQuery {
  /** Inclusive lower bound on started_at (ISO 8601). */
  from?: string;
  /** Exclusive upper bound on started_at (ISO 8601). */
  to?: string;
  /** Page size, 1..MAX_EVENTS_LIMIT; DEFAULT_EVENTS_LIMIT when absent. */
  limit?: number;
  /** Opaque; exactly what the previous page returned as next_cursor. */
  cursor?: string | null;
  team?: string;
  feature?: string;
  customer?: string;
  model?: string;
  provider?: string;
  trace_id?: string;
}

export interface EventsPage {
  /** Newest first: started_at descending, then id descending. */
  events: LedgerRecord[];
  /** null when this page is the last one. */
  next_cursor: string | null;
}

export interface InsertResult {
  /** Records actually added; ids already in the store are skipped and not counted. */
  inserted: number;
}

export interface Store {
  readonly kind: 'embedded' | 'postgres';
  /** Applies pending versioned migrations in order; a no-op when the schema is current. */
  migrate(): Promise<void>;
  /**
   * Idempotent by record id: a re-inserted id is ignored (the first write wins), never duplicated.
   * This is what lets the ledger writer replay its spool after a crash without double counting.
   */
  insertRecords(records: readonly LedgerRecord[]): Promise<InsertResult>;
  countRecords(): Promise<number>;
  getEvents(query: EventsQuery): Promise<EventsPage>;
  // Spend queries (`GET /api/spend`: group_by, granularity, totals) come here next, as
  // `getSpend(query): Promise<SpendResult>`, summed in the engine as DECIMAL, never as floats.
  /** Portable SQL over the same database, for domain tables (see src/store/sql.ts). */
  readonly sql: SqlClient;
  /** Applies a domain's pending migrations (tracked per domain, in version order, once each). */
  migrateDomain(domain: string, migrations: readonly DomainMigration[]): Promise<void>;
  close(): Promise<void>;
}

/** Bad input to a store query (malformed cursor, unparsable date, limit out of range): a 400, not a 500. */
export class StoreQueryError extends Error {
  override readonly name = 'StoreQueryError';
}

export function resolveEventsLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_EVENTS_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_EVENTS_LIMIT) {
    throw new StoreQueryError(`limit must be an integer from 1 to ${MAX_EVENTS_LIMIT}`);
  }
  return limit;
}
