/**
 * Money and dates as people read them in terminal tables. `--json` and `--csv` keep the exact
 * decimal strings; tables round by magnitude ($1,234.57, $0.1234, $0.00042) because eighteen
 * decimals of a DECIMAL(38,18) column hide the figure a FinOps lead is looking for.
 */
import { Decimal } from '../pricing/decimal.js';

/** `d` with exactly `places` decimals (rounded half away from zero by Decimal.round). */
export function fixedDecimal(d: Decimal, places: number): string {
  const s = d.round(places).toString();
  const neg = s.startsWith('-');
  const [int, frac = ''] = (neg ? s.slice(1) : s).split('.');
  const body = places > 0 ? `${int}.${frac.padEnd(places, '0')}` : (int ?? '0');
  return neg ? `-${body}` : body;
}

/** Decimal places that show a USD amount sensibly: cents from $1, four places from 1¢, two significant digits below. */
function placesFor(abs: Decimal): number {
  if (abs.isZero() || abs.cmp(Decimal.ONE) >= 0) return 2;
  if (abs.cmp(Decimal.parse('0.01')) >= 0) return 4;
  // Only picks the display precision; the value itself is never a float.
  return Math.min(18, Math.max(4, 1 - Math.floor(Math.log10(abs.toNumber()))));
}

/** A USD decimal string as `$1,234.57`; null/undefined (unpriced) stays `-`. */
export function formatUsd(value: string | null | undefined): string {
  if (value === null || value === undefined) return '-';
  const d = Decimal.tryParse(value);
  if (!d) return value;
  const abs = d.isNegative() ? d.neg() : d;
  const [int = '0', frac] = fixedDecimal(abs, placesFor(abs)).split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${d.isNegative() && !abs.round(placesFor(abs)).isZero() ? '-' : ''}$${grouped}${frac ? `.${frac}` : ''}`;
}

/** A bucket start as its local date (YYYY-MM-DD) in `timeZone`, for day/week/month buckets. */
export function bucketDate(iso: string, timeZone = 'UTC'): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(t);
}
