/**
 * Bulk appends for `import ledger`: DuckDB reads and validates the whole file (src/ledger/
 * ledger-bulk-import.ts), and the store takes the rows that passed in large batches straight from
 * SQL, never as one JS object per record. The embedded store stages on its own DuckDB connection
 * and merges with INSERT … SELECT; PostgreSQL stages in an in-memory DuckDB and COPYs CSV that
 * DuckDB writes. Both keep the store's rule: idempotent by id, the first write wins.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Store } from './store.js';

export interface BulkIngestSession {
  /** Rows per `append` that suit this engine (a batch is one transaction). */
  readonly batchRows: number;
  /** Runs `fn` on the staging connection (on the embedded store, serialized with its other writes). */
  use<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T>;
  /**
   * Appends the rows `select` yields on the staging connection — every ledger column by name, in
   * the ledger's DuckDB types, then `_line` (file order) — skipping ids the ledger already has and
   * all but the first row of an id. Returns how many went in. Two appends may be in flight at once
   * (the importer overlaps one batch's write with the next batch's staging); each is its own
   * transaction.
   */
  append(select: string): Promise<number>;
  close(): Promise<void>;
}

export interface BulkIngestStore {
  openBulkIngest(): Promise<BulkIngestSession>;
}

export const canBulkIngest = (store: Store): store is Store & BulkIngestStore => typeof (store as Partial<BulkIngestStore>).openBulkIngest === 'function';
