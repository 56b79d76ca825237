/**
 * RFC 4180 CSV: comma-separated, CRLF line ends, a field quoted when it holds a comma, quote, CR
 * or LF, quotes doubled inside. No CSV library is installed and this is all the writer needs to do
 * (we only write, never parse), so it lives here rather than adding a dependency.
 * null/undefined become an empty field (FOCUS: nulls are empty in CSV).
 *
 * Formula injection (OWASP "CSV Injection"): attribution, tags and model names come from callers,
 * and a spreadsheet runs a cell starting with `=`, `+`, `-`, `@`, tab or CR as a formula
 * (`=HYPERLINK(…)`). Such text cells get a leading `'` and are quoted, so they show as text. Numbers
 * (JS numbers, and money as exact decimal strings like "-0.0012") are left alone: they must stay
 * numeric in the sheet, and a plain number is never a formula.
 */
export type CsvValue = string | number | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** A text cell a spreadsheet would not evaluate (a leading `'` when it would). */
export function neutraliseFormula(s: string): string {
  return FORMULA_START.test(s) && !PLAIN_NUMBER.test(s) ? `'${s}` : s;
}

export function csvField(v: CsvValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v !== 'string') return String(v);
  const s = neutraliseFormula(v);
  return s !== v || /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(values: readonly CsvValue[]): string {
  return values.map(csvField).join(',') + '\r\n';
}

export function toCsv(header: readonly string[], rows: Iterable<readonly CsvValue[]>): string {
  let out = csvLine(header);
  for (const r of rows) out += csvLine(r);
  return out;
}
