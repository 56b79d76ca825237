/** CSV of spend rows (RFC 4180 quoting), downloaded as a file without a server round trip. */
import type { SpendRow } from '../api/types';

// Same rule as the server's writer (src/analytics/csv.ts; the web build cannot import it): a text
// cell a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading ' (OWASP CSV
// injection); numbers, including negative money strings, stay numeric.
const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

export function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v !== 'string') return String(v);
  const s = FORMULA_START.test(v) && !PLAIN_NUMBER.test(v) ? `'${v}` : v;
  return s !== v || /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function spendCsv(rows: readonly SpendRow[], dims: readonly string[]): string {
  const cols = ['period', ...dims, 'cost', 'requests', 'unpriced_requests', 'input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens', 'reasoning_tokens'];
  const lines = [cols.join(',')];
  for (const r of rows) lines.push(cols.map((c) => cell(r[c])).join(','));
  return lines.join('\r\n') + '\r\n';
}

export function download(filename: string, content: string, type = 'text/csv'): void {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
