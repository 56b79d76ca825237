/**
 * LedgerRecord ⇄ PostgreSQL ledger columns: the one ledger definition (src/ledger/ledger-schema.ts)
 * and shared mapper (src/store/ledger-row.ts), with pg's value conversions.
 *
 * Batches travel as one array parameter per column and are expanded with unnest(): one statement
 * and one round trip per batch, no per-row placeholders.
 */
import type { LedgerRecord } from '../../ledger/ledger-record.js';
import type { FieldKind } from '../../ledger/ledger-schema.js';
import { Decimal } from '../../pricing/decimal.js';
import { microsToIso } from '../event-cursor.js';
import { ROW_COLUMNS, rowToRecord, type Cell, type RowDriver } from '../ledger-row.js';

type Value = Cell;
export interface PgColumn {
  name: string;
  /** Element type of the array parameter. */
  type: 'text' | 'timestamptz' | 'float8' | 'int8' | 'int4' | 'numeric' | 'bool' | 'jsonb';
  value: (r: LedgerRecord) => Value;
}

/** Array element type per kind (instants travel as ISO text, money as exact decimal text). */
const PARAM_TYPE: Record<FieldKind, PgColumn['type']> = { text: 'text', instant: 'timestamptz', float: 'float8', int: 'int4', count: 'int8', bool: 'bool', money: 'numeric', json: 'text', tags: 'jsonb' };

export const PG_COLUMNS: readonly PgColumn[] = ROW_COLUMNS.map((c) => ({ name: c.name, type: PARAM_TYPE[c.kind], value: c.encode }));

export const quote = (name: string): string => `"${name}"`;

/** jsonb travels as text (an array of jsonb would be serialised by pg as JSON arrays of objects). */
const paramType = (col: PgColumn): string => (col.type === 'jsonb' ? 'text' : col.type);

/** `unnest($1::text[], …) AS t(col, …)` over the given columns, parameters starting at $offset+1. */
export function unnestSource(cols: readonly PgColumn[], offset = 0): string {
  const args = cols.map((col, i) => `$${offset + i + 1}::${paramType(col)}[]`).join(', ');
  return `unnest(${args}) AS t(${cols.map((col) => quote(col.name)).join(', ')})`;
}

/** The SELECT list turning unnest's columns into ledger column types. */
export const unnestSelect = (cols: readonly PgColumn[], alias = 't'): string => cols.map((col) => (col.type === 'jsonb' ? `${alias}.${quote(col.name)}::jsonb` : `${alias}.${quote(col.name)}`)).join(', ');

export function columnArrays(cols: readonly PgColumn[], records: readonly LedgerRecord[]): Value[][] {
  const arrays: Value[][] = cols.map(() => new Array<Value>(records.length));
  records.forEach((r, j) => cols.forEach((col, i) => (arrays[i]![j] = col.value(r))));
  return arrays;
}

/**
 * Record columns as the engine returns them, instants as epoch-µs text for microsecond precision.
 * They are named `*_us` so an ORDER BY started_at still means the indexed column, not this text.
 */
export const RECORD_SELECT = PG_COLUMNS.map((col) =>
  col.name === 'started_at' || col.name === 'ended_at' ? `(extract(epoch from ${col.name}) * 1000000)::int8::text AS ${col.name}_us` : quote(col.name),
).join(', ');

type Row = Record<string, unknown>;

/** pg's side of the shared mapper: NUMERIC as text, instants selected as `*_us` epoch-µs text. */
const PG_ROWS: RowDriver<Row> = {
  cell: (row, col) => (col.kind === 'instant' ? row[`${col.name}_us`] : row[col.name]),
  instant: (v) => (v === null || v === undefined ? null : microsToIso(BigInt(String(v)))),
  money: (v) => (v === null || v === undefined ? null : Decimal.parse(String(v)).toString()),
};

export const pgRowToRecord = (row: Row): LedgerRecord => rowToRecord(row, PG_ROWS);
