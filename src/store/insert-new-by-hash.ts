/**
 * Appends rows keyed by a content hash, skipping hashes already stored (a re-imported file adds
 * nothing), in one transaction so a failed batch leaves no partial import; both engines, over the
 * portable SqlClient. Each row gets `imported_at` = now.
 */
import type { SqlClient, SqlParam } from './sql.js';

export interface HashedTable<R> {
  table: string;
  /** The hash column; the first of `columns`. */
  hashColumn: string;
  columns: readonly string[];
  hashOf: (row: R) => string;
  /** The row's value for a column, as the column stores it. */
  value: (row: R, column: string) => SqlParam;
  /** The SQL cast a column's parameter needs (`''`, `::BIGINT`, `::DECIMAL(38,18)`). */
  cast: (column: string) => string;
}

/** Rows per INSERT statement (parameters stay well under either engine's limit). */
const ROWS_PER_INSERT = 500;

/** Inserts the rows whose hash is new; returns how many were. */
export async function insertNewByHash<R>(sql: SqlClient, rows: readonly R[], t: HashedTable<R>): Promise<number> {
  if (rows.length === 0) return 0;
  return sql.transaction(async (tx) => {
    let added = 0;
    const now = Date.now();
    for (let off = 0; off < rows.length; off += ROWS_PER_INSERT) {
      const batch = rows.slice(off, off + ROWS_PER_INSERT);
      const existing = await tx.query(`SELECT ${t.hashColumn} FROM ${t.table} WHERE ${t.hashColumn} IN (${batch.map((_r, i) => `$${i + 1}`).join(', ')})`, batch.map(t.hashOf));
      const seen = new Set(existing.map((r) => String(r[t.hashColumn])));
      const fresh = batch.filter((r) => !seen.has(t.hashOf(r)) && (seen.add(t.hashOf(r)), true));
      if (fresh.length === 0) continue;
      const params: SqlParam[] = [];
      const tuples = fresh.map((r) => {
        const base = params.length;
        params.push(...t.columns.map((c) => t.value(r, c)), now);
        return `(${t.columns.map((c, i) => `$${base + i + 1}${t.cast(c)}`).join(', ')}, $${base + t.columns.length + 1}::BIGINT)`;
      });
      added += await tx.execute(`INSERT INTO ${t.table} (${t.columns.join(', ')}, imported_at) VALUES ${tuples.join(', ')}`, params);
    }
    return added;
  });
}
