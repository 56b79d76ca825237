/**
 * Reading `costrail import outcomes|revenue` files: JSON Lines (one object per line) or CSV with a
 * header row, chosen by extension (.csv / .tsv, else JSON Lines) or `--format`.
 *
 * CSV goes through DuckDB's `read_csv` (already a dependency; no CSV library is installed) with
 * every column read as text, so nothing is guessed: "007" stays "007" and amounts stay exact
 * decimals. Rows then map onto the same input shape as the API and are validated by the same zod
 * schemas, line by line, so a bad row is reported with its line number.
 */
import fs from 'node:fs';
import readline from 'node:readline';
import { DuckDBInstance } from '@duckdb/node-api';
import type { z } from 'zod';
import { describeIssues, outcomeInputSchema, revenueInputSchema, type OutcomeInput } from './outcome-input.js';
import type { RevenueRecord } from '../store/economics-types.js';

export type TabularFormat = 'jsonl' | 'csv';

export interface FileRow {
  /** 1-based line in the file (CSV: the header is line 1; a quoted field spanning lines shifts later numbers). */
  line: number;
  value: Record<string, unknown>;
}

export interface InvalidRow {
  line: number;
  error: string;
}

export function formatOf(file: string, explicit?: string): TabularFormat {
  if (explicit !== undefined) {
    if (explicit !== 'jsonl' && explicit !== 'csv') throw new RangeError(`--format must be jsonl or csv, not "${explicit}"`);
    return explicit;
  }
  return /\.(csv|tsv)$/i.test(file) ? 'csv' : 'jsonl';
}

export async function readRows(file: string, format: TabularFormat): Promise<FileRow[]> {
  return format === 'csv' ? readCsv(file) : readJsonLines(file);
}

async function readJsonLines(file: string): Promise<FileRow[]> {
  const rows: FileRow[] = [];
  const lines = readline.createInterface({ input: fs.createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let n = 0;
  for await (const text of lines) {
    n++;
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = { __invalid: 'not valid JSON' };
    }
    rows.push({ line: n, value: value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : { __invalid: 'not a JSON object' } });
  }
  return rows;
}

async function readCsv(file: string): Promise<FileRow[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    const delim = /\.tsv$/i.test(file) ? '\\t' : ',';
    const reader = await conn.runAndReadAll(`SELECT * FROM read_csv($1, header = true, all_varchar = true, delim = '${delim}', quote = '"', escape = '"')`, [file]);
    return reader.getRowObjectsJson().map((value, i) => ({ line: i + 2, value: value as Record<string, unknown> }));
  } catch (e) {
    throw new RangeError(`${file}: not a readable CSV file (${(e as Error).message.split('\n')[0]})`);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

const empty = (v: unknown): boolean => v === null || v === undefined || (typeof v === 'string' && v.trim() === '');

/** A CSV row (all text) → the outcome input shape: booleans, call id lists and attributes decoded. */
export function csvOutcome(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const attributes: Record<string, unknown> = {};
  for (const [rawKey, v] of Object.entries(row)) {
    const key = rawKey.trim();
    if (empty(v)) continue;
    const text = String(v).trim();
    if (key === 'success') {
      const b = text.toLowerCase();
      out.success = ['true', '1', 'yes', 'y'].includes(b) ? true : ['false', '0', 'no', 'n'].includes(b) ? false : text;
    } else if (key === 'call_ids') {
      out.call_ids = text.split(/[\s;|]+/).filter(Boolean);
    } else if (key === 'attributes') {
      try {
        out.attributes = JSON.parse(text) as unknown;
      } catch {
        out.attributes = text; // refused by the schema, with the field named
      }
    } else if (key.startsWith('attributes.') || key.startsWith('attr.')) {
      attributes[key.slice(key.indexOf('.') + 1)] = text;
    } else {
      out[key] = text;
    }
  }
  if (Object.keys(attributes).length > 0) out.attributes = { ...(typeof out.attributes === 'object' && out.attributes !== null ? out.attributes : {}), ...attributes };
  return out;
}

/** Column names billing systems use for the revenue fields (compared lower-case, spaces and dashes as _). */
const REVENUE_ALIASES: Record<string, string> = {
  customer: 'customer',
  customer_id: 'customer',
  customer_name: 'customer',
  account: 'customer',
  period_start: 'period_start',
  service_period_start: 'period_start',
  start: 'period_start',
  period_from: 'period_start',
  period_end: 'period_end',
  service_period_end: 'period_end',
  end: 'period_end',
  period_to: 'period_end',
  amount: 'amount',
  total: 'amount',
  revenue: 'amount',
  amount_paid: 'amount',
  currency: 'currency',
};

/** A CSV row → revenue input; other columns of a billing export (invoice id, status…) are ignored and named. */
export function csvRevenue(row: Record<string, unknown>, ignored: Set<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [rawKey, v] of Object.entries(row)) {
    const field = REVENUE_ALIASES[rawKey.trim().toLowerCase().replace(/[\s-]+/g, '_')];
    if (!field) {
      ignored.add(rawKey);
      continue;
    }
    if (!empty(v)) out[field] = String(v).trim();
  }
  return out;
}

function validate<S extends z.ZodType>(schema: S, rows: readonly FileRow[], map: (v: Record<string, unknown>) => Record<string, unknown>): { valid: z.output<S>[]; invalid: InvalidRow[] } {
  const valid: z.output<S>[] = [];
  const invalid: InvalidRow[] = [];
  for (const r of rows) {
    if (typeof r.value.__invalid === 'string') {
      invalid.push({ line: r.line, error: r.value.__invalid });
      continue;
    }
    const parsed = schema.safeParse(map(r.value));
    if (parsed.success) valid.push(parsed.data);
    else invalid.push({ line: r.line, error: describeIssues(parsed.error) });
  }
  return { valid, invalid };
}

export function validateOutcomeRows(rows: readonly FileRow[], format: TabularFormat): { valid: OutcomeInput[]; invalid: InvalidRow[] } {
  return validate(outcomeInputSchema, rows, format === 'csv' ? csvOutcome : (v) => v);
}

export function validateRevenueRows(rows: readonly FileRow[], format: TabularFormat): { valid: RevenueRecord[]; invalid: InvalidRow[]; ignoredColumns: string[] } {
  const ignored = new Set<string>();
  const out = validate(revenueInputSchema, rows, format === 'csv' ? (v) => csvRevenue(v, ignored) : (v) => v);
  return { ...out, ignoredColumns: [...ignored] };
}
