/**
 * LedgerRecord ⇄ ledger row, for both stores, driven by the one column list in
 * src/ledger/ledger-schema.ts. The engines differ only in how a few values travel (DuckDB returns
 * DECIMAL as bigint + scale and TIMESTAMP as epoch µs bigint; pg returns NUMERIC and BIGINT as
 * text and instants as the `*_us` text the query selects), so each store passes a `RowDriver`.
 *
 * Mapping rules (what makes a read-back record deepEqual the written one):
 * - money: exact decimal text in, DECIMAL/NUMERIC(38,18) stored, canonical decimal string out;
 * - instants: microseconds stored, canonical ISO (`...000Z`) out;
 * - `usage` null ⇔ input_tokens NULL, `cost` null ⇔ cost_total NULL; inside a present group a
 *   NULL leaf reads as the group's zero;
 * - optional keys (`error`, `raw_usage`, `usage_version`, `cost.other`, `cost.source`): NULL
 *   means "key absent"; JSON fields keep a present null as the text 'null'.
 */
import { LEDGER_COLUMNS, LEDGER_GROUPS, type LedgerColumn, type LedgerGroup } from '../ledger/ledger-schema.js';
import type { LedgerRecord } from '../ledger/ledger-record.js';
import { Decimal } from '../pricing/decimal.js';

/** A column's value in the portable form both drivers accept: JSON-form leaves, JSON fields as text. */
export type Cell = string | number | boolean | null;

/** Already plain decimal notation both engines cast exactly (exponents and the like go through Decimal). */
const PLAIN_DECIMAL = /^-?\d{1,20}(\.\d{1,18})?$/;

type Getter = (r: LedgerRecord) => unknown;
function getter(col: LedgerColumn): Getter {
  const [a, b] = col.path;
  if (b === undefined) return (r) => (r as unknown as Record<string, unknown>)[a];
  return (r) => {
    const group = (r as unknown as Record<string, Record<string, unknown> | null | undefined>)[a];
    return group === null || group === undefined ? undefined : group[b];
  };
}

function encoder(col: LedgerColumn): (r: LedgerRecord) => Cell {
  const get = getter(col);
  switch (col.kind) {
    case 'money':
      return (r) => {
        const v = get(r);
        if (v === null || v === undefined) return null;
        const s = String(v);
        return PLAIN_DECIMAL.test(s) ? s : Decimal.parse(s).toString();
      };
    case 'json':
      return (r) => {
        const v = get(r);
        return v === undefined ? null : JSON.stringify(v);
      };
    case 'tags':
      return (r) => JSON.stringify(get(r) ?? {});
    default:
      return (r) => {
        const v = get(r);
        return v === undefined ? null : (v as Cell);
      };
  }
}

export interface LedgerRowColumn extends LedgerColumn {
  /** The record's value for this column (JSON-form leaf; JSON kinds as text; absent as null). */
  encode(r: LedgerRecord): Cell;
}

/** LEDGER_COLUMNS with their encoders, in table order. */
export const ROW_COLUMNS: readonly LedgerRowColumn[] = LEDGER_COLUMNS.map((c) => ({ ...c, encode: encoder(c) }));

/** The record as one row of cells in column order. */
export function recordCells(r: LedgerRecord, columns: readonly LedgerRowColumn[] = ROW_COLUMNS): Cell[] {
  const out = new Array<Cell>(columns.length);
  for (let i = 0; i < columns.length; i++) out[i] = columns[i]!.encode(r);
  return out;
}

/** What differs between engines when reading a row back. */
export interface RowDriver<Row> {
  /** The raw value of a column in a row (a driver may select instants under another name). */
  cell(row: Row, col: LedgerColumn): unknown;
  /** Instant column value → canonical ISO string. */
  instant(v: unknown): string | null;
  /** Money column value → canonical decimal string. */
  money(v: unknown): string | null;
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

function decode<Row>(driver: RowDriver<Row>, row: Row, col: LedgerColumn): unknown {
  const v = driver.cell(row, col);
  switch (col.kind) {
    case 'instant':
      return col.nullable ? driver.instant(v) : (driver.instant(v) ?? '');
    case 'money':
      return driver.money(v);
    case 'float':
    case 'int':
    case 'count':
      return num(v);
    case 'bool':
      return col.nullable && (v === null || v === undefined) ? null : v === true;
    case 'json':
      return typeof v === 'string' ? JSON.parse(v) : undefined;
    case 'tags':
      // DuckDB holds the JSON text, pg's jsonb arrives parsed.
      return typeof v === 'string' ? JSON.parse(v) : (v ?? {});
    case 'text':
      return col.nullable ? text(v) : String(v ?? '');
  }
}

/** Builds the record from one row; `driver` supplies the engine's value conversions. */
export function rowToRecord<Row>(row: Row, driver: RowDriver<Row>): LedgerRecord {
  const record: Record<string, unknown> = {};
  const groups: Partial<Record<LedgerGroup, Record<string, unknown> | null>> = {};
  for (const col of LEDGER_COLUMNS) {
    const [key, leaf] = col.path;
    if (leaf === undefined) {
      const v = decode(driver, row, col);
      // JSON fields decode SQL NULL as undefined; their text 'null' is a present null.
      if (col.absentWhenNull && (v === undefined || (v === null && col.kind !== 'json'))) continue;
      record[key] = v;
      continue;
    }
    const g = key as LedgerGroup;
    const rule = LEDGER_GROUPS[g];
    if (!(g in groups)) {
      // The group's place in the record is that of its first column; its presence column decides null.
      const marker = rule.presence === null ? true : driver.cell(row, LEDGER_PRESENCE[g]!);
      const present = marker !== null && marker !== undefined;
      groups[g] = present ? {} : null;
      record[g] = groups[g];
    }
    const group = groups[g];
    if (!group) continue;
    const v = decode(driver, row, col);
    if (v === null || v === undefined) {
      if (col.absentWhenNull) continue;
      group[leaf] = col.kind === 'text' ? (col.values?.length === 1 ? col.values[0] : null) : rule.zero;
    } else group[leaf] = v;
  }
  return record as unknown as LedgerRecord;
}

const LEDGER_PRESENCE: Partial<Record<LedgerGroup, LedgerColumn>> = Object.fromEntries(
  (Object.keys(LEDGER_GROUPS) as LedgerGroup[]).flatMap((g) => {
    const name = LEDGER_GROUPS[g].presence;
    const col = name === null ? undefined : LEDGER_COLUMNS.find((c) => c.name === name);
    return col ? [[g, col]] : [];
  }),
);
