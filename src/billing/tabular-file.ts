/**
 * CSV and Parquet exports read through DuckDB (in memory, no database file): its CSV reader and
 * Parquet reader are multi-threaded C++ and read only the columns asked for, which is what makes a
 * multi-million-line CUR import in seconds. Every cell comes back as text so amounts stay exact
 * (Decimal parses them). strict_mode is off because real exports mix CRLF and LF line ends (the
 * FOCUS spec's own example files do); cells are trimmed and validated field by field instead. The
 * row's number in the file is counted in order (DuckDB preserves
 * insertion order for a plain scan).
 */
import fs from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

export type TableRow = Record<string, string | null>;

/** Keep only rows whose `field` (accepted column names) is one of `values`; `onTotal` gets the unfiltered row count. */
export interface TableFilter {
  field: readonly string[];
  values: readonly string[];
  onTotal?: (rows: number) => void;
}

export interface TableBatch {
  /** File line of the first row (CSV: header is line 1; Parquet: row number + 1). */
  firstLine: number;
  rows: TableRow[];
  /** Each row's file line, when a filter left gaps (otherwise firstLine + index). */
  lines?: number[];
}

export function isParquet(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(4);
    fs.readSync(fd, buf, 0, 4, 0);
    return buf.toString('latin1') === 'PAR1';
  } finally {
    fs.closeSync(fd);
  }
}

const sqlString = (s: string): string => `'${s.replace(/'/g, "''")}'`;
const ident = (s: string): string => `"${s.replace(/"/g, '""')}"`;

function source(file: string): string {
  return isParquet(file) ? `read_parquet(${sqlString(file)})` : `read_csv(${sqlString(file)}, header = true, all_varchar = true, auto_detect = true, strict_mode = false, quote = '"', escape = '"')`;
}

/** Column names of a CSV/Parquet file (its header). */
export async function tableColumns(file: string): Promise<string[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    const r = await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${source(file)}`);
    return r.getRowObjects().map((o) => String(o['column_name']));
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/**
 * Streams the rows of `file`, each as `{logical: text}` for the logical fields in `fields`
 * (each a list of accepted column names, matched case-insensitively; absent columns read null).
 */
export async function* readTable(file: string, fields: Record<string, readonly string[]>, filter?: TableFilter): AsyncIterable<TableBatch> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    const described = await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${source(file)}`);
    const present = new Map(described.getRowObjects().map((o) => [String(o['column_name']).toLowerCase(), String(o['column_name'])]));
    const names = Object.keys(fields);
    const select = names.map((n) => {
      const col = fields[n]!.map((a) => present.get(a.toLowerCase())).find((c) => c !== undefined);
      return col === undefined ? `NULL AS ${ident(n)}` : `CAST(${ident(col)} AS VARCHAR) AS ${ident(n)}`;
    });
    const filterCol = filter ? filter.field.map((a) => present.get(a.toLowerCase())).find((c) => c !== undefined) : undefined;
    if (filter && filterCol !== undefined) {
      // Rows the filter drops never reach JavaScript (most of a CUR is other services). Their
      // numbers still count: row_number() over the unfiltered scan, which DuckDB produces in file
      // order (insertion order is preserved for a plain scan; checked on 1M rows with 2 threads).
      const inList = filter.values.map(sqlString).join(', ');
      const numbered = `SELECT row_number() OVER () + 1 AS "__line", ${select.join(', ')}, ${ident(filterCol)} IN (${inList}) AS "__keep" FROM ${source(file)}`;
      const total = await conn.runAndReadAll(`SELECT count(*) FROM ${source(file)}`);
      filter.onTotal?.(Number(total.getRows()[0]?.[0] ?? 0));
      const result = await conn.stream(`SELECT * EXCLUDE ("__keep") FROM (${numbered}) WHERE "__keep"`);
      for (;;) {
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        const raw = chunk.getRows();
        const rows = new Array<TableRow>(raw.length);
        const lines = new Array<number>(raw.length);
        for (let i = 0; i < raw.length; i++) {
          const r = raw[i]!;
          lines[i] = Number(r[0]);
          const o: TableRow = {};
          for (let j = 0; j < names.length; j++) {
            const v = r[j + 1];
            o[names[j]!] = v === null || v === undefined ? null : String(v);
          }
          rows[i] = o;
        }
        yield { firstLine: lines[0] ?? 2, rows, lines };
      }
      return;
    }
    const result = await conn.stream(`SELECT ${select.join(', ')} FROM ${source(file)}`);
    let line = 2;
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      const raw = chunk.getRows();
      const rows = new Array<TableRow>(raw.length);
      for (let i = 0; i < raw.length; i++) {
        const r = raw[i]!;
        const o: TableRow = {};
        for (let j = 0; j < names.length; j++) {
          const v = r[j];
          o[names[j]!] = v === null || v === undefined ? null : String(v);
        }
        rows[i] = o;
      }
      yield { firstLine: line, rows };
      line += raw.length;
    }
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}
