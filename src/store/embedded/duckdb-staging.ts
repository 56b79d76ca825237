/**
 * How ledger records travel into DuckDB's staging table: one staging column per ledger column,
 * in JS-native types (instants as epoch µs, money as exact text, counts as numbers), converted in
 * SQL on the way into the ledger. Shared by the store (appender chunks, cost updates) and the
 * staging worker (spool segment → JSON Lines scratch file read with read_json), so both paths
 * stage exactly the same values. Imports nothing native: the worker loads it without DuckDB.
 */
import type { LedgerRecord } from '../../ledger/ledger-record.js';
import { isoToMicros } from '../event-cursor.js';
import { ROW_COLUMNS, type LedgerRowColumn } from '../ledger-row.js';

/** How a field travels through the staging table: JS-native types, converted in SQL on the way in. */
export type StageType = 'VARCHAR' | 'DOUBLE' | 'BIGINT' | 'BOOLEAN';
export interface Column {
  name: string;
  stage: StageType;
  /** SQL turning the staging column into the ledger column. */
  convert: (col: string) => string;
  value: (r: LedgerRecord) => string | number | bigint | boolean | null;
}

/** The staging form of each kind: instants as epoch µs, money as exact text, counts as numbers. */
function stagingColumn(c: LedgerRowColumn): Column {
  switch (c.kind) {
    case 'instant':
      return { name: c.name, stage: 'BIGINT', convert: (x) => `make_timestamp(${x})`, value: (r) => { const v = c.encode(r); return v === null ? null : isoToMicros(String(v)); } };
    case 'money':
      // DuckDB casts VARCHAR -> DECIMAL exactly (the encoder keeps at most 18 fraction digits).
      return { name: c.name, stage: 'VARCHAR', convert: (x) => `${x}::DECIMAL(38,18)`, value: c.encode };
    case 'int':
    case 'count':
      return { name: c.name, stage: 'DOUBLE', convert: (x) => `${x}::BIGINT`, value: c.encode };
    case 'float':
      return { name: c.name, stage: 'DOUBLE', convert: (x) => x, value: c.encode };
    case 'bool':
      return { name: c.name, stage: 'BOOLEAN', convert: (x) => x, value: c.encode };
    default:
      return { name: c.name, stage: 'VARCHAR', convert: (x) => x, value: c.encode };
  }
}

export const COLUMNS: readonly Column[] = ROW_COLUMNS.map(stagingColumn);

export type StageValue = string | number | bigint | boolean | null;
/** The batch as staging columns (DOUBLE cells must be finite: NaN/Infinity become NULL). */
export function stagingColumns(records: readonly LedgerRecord[]): StageValue[][] {
  const cols: StageValue[][] = COLUMNS.map(() => new Array<StageValue>(records.length));
  const lines = new Array<StageValue>(records.length);
  for (let j = 0; j < records.length; j++) {
    const r = records[j]!;
    for (let i = 0; i < COLUMNS.length; i++) {
      const v = COLUMNS[i]!.value(r);
      cols[i]![j] = typeof v === 'number' && !Number.isFinite(v) ? null : v;
    }
    lines[j] = BigInt(j);
  }
  cols.push(lines);
  return cols;
}
/** Cost updates still travel as a JSON Lines scratch file (re-pricing is rare and off the request path). */
const STAGING_KEYS = Array.from({ length: 128 }, (_v, i) => `"c${i}":`);
/** One JSON object per row, concatenated by hand (no per-row object with 55 computed keys to build and stringify). */
export function stagingLine(row: readonly (string | number | bigint | boolean | null)[]): string {
  let line = '{';
  for (let i = 0; i < row.length; i++) {
    const v = row[i];
    if (i > 0) line += ',';
    line += STAGING_KEYS[i];
    if (v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v))) line += 'null';
    else if (typeof v === 'string') line += JSON.stringify(v);
    else line += String(v);
  }
  return line + '}';
}
export const STARTED_AT_INDEX = COLUMNS.findIndex((c) => c.name === 'started_at');

/** read_json's `columns` for a staged row: c0, c1, ... then the row's position in the batch. */
export const STAGING_READ_COLUMNS = `{${COLUMNS.map((c, i) => `c${i}: '${c.stage}'`).join(', ')}, c${COLUMNS.length}: 'BIGINT'}`;

export interface StagedSegment {
  /** Records staged (lines of the segment). */
  count: number;
  /** Smallest and largest started_at in the batch, epoch µs (decimal text: exact). */
  lo: string;
  hi: string;
}

/**
 * A spool segment's records as staging lines (`{"c0":…,…,"cN":<line>}`), the same values
 * stagingColumns() gives the appender. Throws on a line that is not a record (a torn tail):
 * the caller then commits the segment the careful way, record by record.
 */
export function stageSegmentText(text: string): { lines: string; staged: StagedSegment } {
  const out: string[] = [];
  let lo: bigint | null = null;
  let hi: bigint | null = null;
  let n = 0;
  const row = new Array<StageValue>(COLUMNS.length + 1);
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const r = JSON.parse(line) as LedgerRecord;
    if (!r || typeof r !== 'object' || typeof r.id !== 'string') throw new Error(`spool line ${n + 1} is not a ledger record`);
    for (let i = 0; i < COLUMNS.length; i++) {
      const v = COLUMNS[i]!.value(r);
      row[i] = typeof v === 'number' && !Number.isFinite(v) ? null : v;
    }
    row[COLUMNS.length] = n;
    const start = row[STARTED_AT_INDEX];
    if (typeof start === 'bigint') {
      if (lo === null || start < lo) lo = start;
      if (hi === null || start > hi) hi = start;
    }
    out.push(stagingLine(row));
    n++;
  }
  return { lines: out.join('\n'), staged: { count: n, lo: String(lo ?? 0n), hi: String(hi ?? 0n) } };
}
