/**
 * Portable SQL for domain tables (keys, budgets, alerts, outcomes…) that live beside the ledger in
 * the same engine. Domain repositories write SQL both DuckDB and PostgreSQL accept and read rows
 * in one shape, so a repository is written once and runs on either store.
 *
 * Portability rules (what keeps one query valid on both engines):
 * - parameters are positional `$1, $2, …`;
 * - column types: VARCHAR/TEXT, BIGINT, DOUBLE (DOUBLE PRECISION on PostgreSQL), BOOLEAN,
 *   DECIMAL(38,18) for money; instants are BIGINT epoch milliseconds (no TIMESTAMP: the two
 *   drivers return them differently); JSON is stored as text;
 * - rows come back with BIGINT and DECIMAL as strings (exact, never a float), DOUBLE as number,
 *   BOOLEAN as boolean, NULL as null.
 */
export type SqlParam = string | number | bigint | boolean | null;
export type SqlValue = string | number | boolean | null;
export type SqlRow = Record<string, SqlValue>;

export interface SqlClient {
  readonly dialect: 'duckdb' | 'postgres';
  /** Runs a statement and returns its rows (empty for statements without a result set). */
  query(sql: string, params?: readonly SqlParam[]): Promise<SqlRow[]>;
  /** Runs a statement and returns the number of rows it changed. */
  execute(sql: string, params?: readonly SqlParam[]): Promise<number>;
  /** Runs `fn` in one transaction on a connection of its own; rolled back if `fn` throws. */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
}

/** One schema change of one domain, written once per engine. Applied in `version` order, once. */
export interface DomainMigration {
  version: number;
  name: string;
  duckdb: string;
  postgres: string;
}

/** A row's BIGINT/DECIMAL/number column as a JS number (counts, epoch ms); null stays null. */
export function numberOf(v: SqlValue | undefined): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return typeof v === 'number' ? v : Number(v);
}

/** A row's text column; null and absent become null. */
export function textOf(v: SqlValue | undefined): string | null {
  if (v === null || v === undefined) return null;
  return String(v);
}
