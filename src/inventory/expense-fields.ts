/**
 * One card / expense export row to an expense line's fields: column names accepted per field,
 * `--map column=field` overrides, and strict parsing of dates, amounts and currencies (an absurd
 * value is refused at the edge, never stored).
 */
import { Decimal } from '../pricing/decimal.js';

export const EXPENSE_FIELDS = ['date', 'descriptor', 'amount', 'currency', 'amount_usd', 'employee', 'cost_centre', 'memo'] as const;
export type ExpenseField = (typeof EXPENSE_FIELDS)[number];

/** Column names each field is read from (case-insensitive), as card and expense tools name them. */
export const DEFAULT_COLUMNS: Record<ExpenseField, readonly string[]> = {
  date: ['date', 'transaction date', 'transaction_date', 'posted date', 'post date', 'posting date', 'expense date', 'purchase date', 'txn date'],
  descriptor: ['descriptor', 'merchant', 'merchant name', 'merchant_name', 'statement descriptor', 'description', 'payee', 'vendor'],
  amount: ['amount', 'transaction amount', 'original amount', 'local amount', 'total', 'expense amount'],
  currency: ['currency', 'currency code', 'original currency', 'transaction currency', 'local currency'],
  amount_usd: ['amount_usd', 'amount usd', 'usd amount', 'amount (usd)', 'billing amount usd', 'converted amount (usd)'],
  employee: ['employee', 'employee email', 'cardholder', 'card holder', 'cardholder email', 'submitter', 'user', 'email'],
  cost_centre: ['cost centre', 'cost center', 'cost_centre', 'cost_center', 'department', 'team'],
  memo: ['memo', 'notes', 'note', 'purpose', 'business purpose', 'comment'],
};

export class ExpenseInputError extends Error {
  override readonly name = 'ExpenseInputError';
}

/** `--map "Card Member=employee"` entries folded over the defaults (a mapped field reads only its column). */
export function columnsWith(maps: readonly string[]): Record<ExpenseField, readonly string[]> {
  const cols: Record<ExpenseField, readonly string[]> = { ...DEFAULT_COLUMNS };
  for (const m of maps) {
    const eq = m.lastIndexOf('=');
    const column = eq > 0 ? m.slice(0, eq).trim() : '';
    const field = eq > 0 ? m.slice(eq + 1).trim() : '';
    if (!column || !(EXPENSE_FIELDS as readonly string[]).includes(field)) throw new ExpenseInputError(`--map must be COLUMN=FIELD with FIELD one of ${EXPENSE_FIELDS.join(', ')}, not "${m}"`);
    cols[field as ExpenseField] = [column];
  }
  return cols;
}

/** `--rates EUR=1.08` (USD per one unit of the currency); exact decimals, positive. */
export function parseRates(entries: readonly string[]): Map<string, Decimal> {
  const rates = new Map<string, Decimal>();
  for (const e of entries) {
    const m = /^([A-Za-z]{3})=(\d{1,9}(?:\.\d{1,12})?)$/.exec(e.trim());
    const rate = m ? Decimal.parse(m[2]!) : undefined;
    if (!m || !rate || rate.isZero()) throw new ExpenseInputError(`--rates must be CUR=USD_PER_UNIT with a positive decimal (e.g. EUR=1.08), not "${e}"`);
    rates.set(m[1]!.toUpperCase(), rate);
  }
  return rates;
}

/** `1,234.56`, `$20.00`, `(12.00)` (accounting negative), `-5`. At most 12 integer and 8 fraction digits. */
export function parseAmount(raw: string): Decimal {
  let s = raw.trim().replace(/^[$€£]|\s/g, '');
  let negative = false;
  if (/^\(.*\)$/.test(s)) {
    negative = true;
    s = s.slice(1, -1).replace(/^[$€£]/, '');
  }
  s = s.replace(/,(?=\d{3}(\D|$))/g, '');
  if (!/^-?\d{1,12}(\.\d{1,8})?$/.test(s)) throw new ExpenseInputError(`amount "${raw}" is not a decimal number`);
  const d = Decimal.parse(s);
  return negative ? d.neg() : d;
}

/** `2026-11-05`, `2026-11-05T14:03:00Z` or US `11/05/2026`: the UTC day it names, as an ISO instant. */
export function parseDay(raw: string): string {
  const s = raw.trim();
  let y: number, mo: number, d: number;
  let m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(s);
  if (m) [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  else if ((m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s))) [y, mo, d] = [Number(m[3]), Number(m[1]), Number(m[2])];
  else throw new ExpenseInputError(`date "${raw}" is not YYYY-MM-DD or MM/DD/YYYY`);
  const t = Date.UTC(y, mo - 1, d);
  const back = new Date(t);
  if (y < 2000 || y > 2100 || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) throw new ExpenseInputError(`date "${raw}" is not a real day`);
  return back.toISOString();
}

export function parseCurrency(raw: string | null): string {
  if (raw === null || raw.trim() === '') return 'USD';
  const c = raw.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(c)) throw new ExpenseInputError(`currency "${raw}" is not a three-letter ISO 4217 code`);
  return c;
}

/** Free text cells: trimmed, empty as null, capped so one hostile cell cannot bloat the store. */
export function textCell(raw: string | null | undefined, max = 500): string | null {
  if (raw === null || raw === undefined) return null;
  const t = raw.trim();
  return t === '' ? null : t.slice(0, max);
}
