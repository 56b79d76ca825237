/**
 * Pieces of portable SQL (src/store/sql.ts) shared by the queries that read the ledger beside the
 * economics tables: positional parameters, quoted ledger columns, equality filters, the two
 * engines' spellings of a ledger instant, and DECIMAL text brought to one canonical form.
 */
import type { SqlParam } from './sql.js';
import type { DimensionFilters } from './store.js';

export class Params {
  readonly values: SqlParam[] = [];
  add(v: SqlParam): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

export const quoteColumn = (column: string): string => `"${column}"`;

/** `column = $n` per filter (`null`: the column is absent), on `prefix`-qualified columns. */
export function filterClauses(filters: DimensionFilters, p: Params, prefix: string): string[] {
  return Object.entries(filters).map(([k, v]) => (v === null ? `${prefix}${quoteColumn(k)} IS NULL` : `${prefix}${quoteColumn(k)} = ${p.add(v)}`));
}

/**
 * A ledger timestamp bound from epoch microseconds, as each engine compares it to `started_at`
 * without a cast on the column (so DuckDB's zone maps and PostgreSQL's partitions still prune).
 */
export function ledgerInstant(dialect: 'duckdb' | 'postgres', us: bigint, p: Params): string {
  return dialect === 'duckdb' ? `make_timestamp(CAST(${p.add(us.toString())} AS BIGINT))` : `('epoch'::timestamptz + CAST(${p.add(us.toString())} AS BIGINT) * interval '1 microsecond')`;
}

/**
 * A ledger timestamp expression as BIGINT epoch microseconds, exact on both engines (rows then read
 * the same; PostgreSQL's EXTRACT(EPOCH) is a float before version 14, so whole seconds and the
 * microseconds within them are taken apart).
 */
export function epochUs(dialect: 'duckdb' | 'postgres', expr: string): string {
  return dialect === 'duckdb'
    ? `epoch_us(${expr})`
    : `(CAST(EXTRACT(EPOCH FROM date_trunc('second', ${expr})) AS BIGINT) * 1000000 + CAST(EXTRACT(MICROSECONDS FROM ${expr}) AS BIGINT) % 1000000)`;
}

/** DECIMAL text as each engine prints it ("1.500000000000000000", "-0E-18") → the canonical form. */
export function canonicalDecimal(text: string): string {
  const m = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
  if (!m) throw new Error(`not a decimal from the store: "${text}"`);
  const [, sign, int = '', frac = '', exp] = m;
  let digits = (int + frac).replace(/^0+/, '');
  let scale = frac.length - Number(exp ?? 0);
  if (digits === '') return '0';
  if (scale < 0) {
    digits += '0'.repeat(-scale);
    scale = 0;
  }
  const padded = digits.padStart(scale + 1, '0');
  const whole = padded.slice(0, padded.length - scale);
  const fraction = padded.slice(padded.length - scale).replace(/0+$/, '');
  return `${sign}${whole}${fraction ? `.${fraction}` : ''}`;
}
