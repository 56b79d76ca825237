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
import { CostrailError } from '../errors/costrail-error.js';
import type { BilledLineStore } from './billed-lines-repository.js';
import type { EconomicsTables } from './economics-tables.js';
import type { InventoryStore } from './inventory-repository.js';

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
  /** Any other dimension (see SpendDimension), `null` meaning absent; ANDed with the fields above. */
  filters?: DimensionFilters;
}

export interface EventsPage {
  /** Newest first: started_at descending, then id descending. */
  events: LedgerRecord[];
  /** null when this page is the last one. */
  next_cursor: string | null;
}

export { SPEND_COLUMNS, isSpendDimension, type SpendDimension } from '../attribution/spend-dimension.js';


export type Granularity = 'minute' | 'hour' | 'day' | 'week' | 'month' | 'none';

/** Equality filters by dimension; `null` matches records where the dimension is absent (unattributed). */
export type DimensionFilters = Record<string, string | null>;

export interface SpendQuery {
  /** Inclusive lower bound on started_at (ISO 8601). */
  from?: string;
  /** Exclusive upper bound on started_at (ISO 8601). */
  to?: string;
  group_by?: string[];
  /** Default 'none'. */
  granularity?: Granularity;
  /** IANA time zone for day/week/month buckets (weeks start Monday); default UTC. */
  tz?: string;
  filters?: DimensionFilters;
  /**
   * Also sum `saved` (what response-cache hits did not pay) into rows and total. Off by default:
   * it is read from the raw cached records (the rollups carry no savings), one more query.
   */
  with_saved?: boolean;
}

export interface SpendRow {
  /** Bucket start as ISO 8601 UTC instant; null when granularity is 'none'. */
  period: string | null;
  /** One entry per group_by dimension (tags keyed `tag:NAME`); null for "not attributed". */
  groups: Record<string, string | null>;
  /** Exact decimal string, sum of priced costs. */
  cost: string;
  requests: number;
  /** Calls in this row that used tokens but have no known price (never counted as $0); refused calls that used nothing are not unpriced. */
  unpriced_requests: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  /** Exact decimal string: what this row's response-cache hits would have cost (only with `with_saved`). */
  saved?: string;
}

export interface SpendResult {
  /** Ordered by period, then cost descending. */
  rows: SpendRow[];
  total: { cost: string; requests: number; unpriced_requests: number; saved?: string };
}

/**
 * The dashboard overview in one call (`GET /api/overview`): a daily chart, top lists and a few
 * totals over other windows, filtered alike. Each part answers exactly what the matching
 * getSpend query would (test/store/store-overview.case.ts); the embedded store asks one
 * grouping-sets query for all of it.
 */
export interface OverviewQuery {
  /** IANA zone of the chart's day buckets (default UTC). */
  tz?: string;
  filters?: DimensionFilters;
  /** The chart: day buckets from here (inclusive, ISO 8601) up to `to`, grouped by `stack_by`. */
  chart_from: string;
  stack_by: string;
  /** Top lists: one per dimension of `top_by`, from here up to `to`. */
  top_from: string;
  top_by: string[];
  /** Exclusive end of the chart and the top lists; absent: everything recorded. */
  to?: string;
  /** Named totals over other ranges (burn rate now, the same hour last week, the same days last month). */
  windows?: Record<string, { from: string; to: string }>;
}

export interface OverviewResult {
  daily: SpendResult;
  /** Keyed by the dimensions of `top_by`; rows ordered by cost descending. */
  top: Record<string, SpendResult>;
  windows: Record<string, SpendResult['total']>;
}

export interface ScanQuery {
  from?: string;
  to?: string;
  filters?: DimensionFilters;
  /** Records per batch; default 5000. */
  batchSize?: number;
}

export interface CostUpdate {
  id: string;
  cost: LedgerRecord['cost'];
  priced: boolean;
  price_version: string | null;
  unpriced_reason: string | null;
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
  /** `GET /api/spend`: sums in the engine as DECIMAL (never floats), grouped and bucketed. */
  getSpend(query: SpendQuery): Promise<SpendResult>;
  /** The dashboard overview: the chart, top lists and window totals, each equal to its getSpend answer. */
  getOverview(query: OverviewQuery): Promise<OverviewResult>;
  /** Every record matching the query, oldest first, in batches (export, re-pricing, backtests). */
  scanRecords(query: ScanQuery): AsyncIterable<LedgerRecord[]>;
  /**
   * Re-pricing: replaces the cost of existing records, keeping the previous total and price
   * version in an audit table (`ledger_cost_history`). Returns the number of records changed.
   */
  updateCosts(updates: readonly CostUpdate[], reason: string): Promise<number>;
  /** Retention: deletes raw records started before `before`; rollups, where kept, drop exactly the same records. */
  deleteRecordsBefore(before: string): Promise<number>;
  /** Portable SQL over the same database, for domain tables (see src/store/sql.ts). */
  readonly sql: SqlClient;
  /** Applies a domain's pending migrations (tracked per domain, in version order, once each). */
  migrateDomain(domain: string, migrations: readonly DomainMigration[]): Promise<void>;
  /** Billed line items imported from providers' exports, beside the ledger (src/billing). */
  readonly billed: BilledLineStore;
  /** Outcomes and revenue, the inputs of unit economics (src/economics), beside the ledger. */
  readonly economics: EconomicsTables;
  /** The AI spend inventory: spend sources, expense lines and descriptor rules (src/inventory). */
  readonly inventory: InventoryStore;
  close(): Promise<void>;
}

/** Bad input to a store query (malformed cursor, unparsable date, limit out of range): a 400, not a 500. */
export class StoreQueryError extends CostrailError {
  override readonly name = 'StoreQueryError';
  readonly code = 'invalid_store_query';
  readonly status = 400;
}

export function resolveEventsLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_EVENTS_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_EVENTS_LIMIT) {
    throw new StoreQueryError(`limit must be an integer from 1 to ${MAX_EVENTS_LIMIT}`);
  }
  return limit;
}
