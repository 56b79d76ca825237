/**
 * FOCUS CSV -> Parquet through an in-memory DuckDB (already a dependency for the embedded store):
 * works whichever store or server produced the CSV. Money and quantities are typed
 * DECIMAL(38,18) (exact), period bounds TIMESTAMP (UTC), everything else VARCHAR.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { FOCUS_COLUMNS, FOCUS_DATETIME_COLUMNS, FOCUS_DECIMAL_COLUMNS } from './focus-export.js';

const quote = (s: string): string => `'${s.replace(/'/g, "''")}'`;

export async function focusCsvToParquet(csvFile: string, parquetFile: string): Promise<void> {
  const types = FOCUS_COLUMNS.map((c) => {
    const t = FOCUS_DECIMAL_COLUMNS.includes(c) ? 'DECIMAL(38,18)' : FOCUS_DATETIME_COLUMNS.includes(c) ? 'TIMESTAMP' : c === 'x_requests' ? 'BIGINT' : c === 'x_priced' ? 'BOOLEAN' : 'VARCHAR';
    return `${quote(c)}: ${quote(t)}`;
  });
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    await conn.run(`COPY (SELECT * FROM read_csv(${quote(csvFile)}, header = true, delim = ',', quote = '"', escape = '"', timestampformat = '%Y-%m-%dT%H:%M:%SZ', columns = {${types.join(', ')}})) TO ${quote(parquetFile)} (FORMAT parquet)`);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}
