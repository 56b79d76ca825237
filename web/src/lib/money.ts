/**
 * Money arrives as exact decimal strings. Sums the dashboard computes itself (a week out of hourly
 * buckets, a trace's calls) stay exact with scaled BigInts; only display rounds.
 */
const SCALE = 18;
const ONE = 10n ** BigInt(SCALE);

export function toUnits(s: string | number | null | undefined): bigint {
  if (s === null || s === undefined || s === '') return 0n;
  const str = typeof s === 'number' ? s.toFixed(SCALE) : s.trim();
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(str);
  if (!m) return 0n;
  const frac = (m[3] ?? '').slice(0, SCALE).padEnd(SCALE, '0');
  const v = BigInt(m[2] || '0') * ONE + BigInt(frac || '0');
  return m[1] === '-' ? -v : v;
}

export function fromUnits(u: bigint): string {
  const neg = u < 0n;
  const a = neg ? -u : u;
  const whole = a / ONE;
  const frac = (a % ONE).toString().padStart(SCALE, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${whole}${frac ? '.' + frac : ''}`;
}

export function sumMoney(values: readonly (string | number | null | undefined)[]): string {
  let t = 0n;
  for (const v of values) t += toUnits(v);
  return fromUnits(t);
}

export function compareMoney(a: string | null | undefined, b: string | null | undefined): number {
  const d = toUnits(a) - toUnits(b);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

/** $0.0004, $0.25, $12.40, $1,234.56, $123.4K, $1.2M — precise where small, short where large. */
export function formatMoney(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—';
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n)) return String(value);
  const sign = n < 0 ? '-' : '';
  const a = Math.abs(n);
  if (a === 0) return '$0.00';
  if (a >= 1e9) return `${sign}$${trim(a / 1e9, 1)}B`;
  if (a >= 1e6) return `${sign}$${trim(a / 1e6, 1)}M`;
  if (a >= 1e5) return `${sign}$${trim(a / 1e3, 1)}K`;
  if (a >= 1) return `${sign}$${a.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  if (a >= 0.01) return `${sign}$${a.toFixed(2 + (a < 0.1 ? 1 : 0)).replace(/(\.\d\d\d?)0$/, '$1')}`;
  // Sub-cent: two significant digits, never rounded to a misleading $0.00.
  const digits = Math.min(12, 1 - Math.floor(Math.log10(a)));
  return `${sign}$${a.toFixed(digits).replace(/0+$/, '')}`;
}

function trim(n: number, decimals: number): string {
  return n.toFixed(decimals).replace(/\.0+$/, '');
}

export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  if (Math.abs(n) >= 1e9) return `${trim(n / 1e9, 1)}B`;
  if (Math.abs(n) >= 1e6) return `${trim(n / 1e6, 1)}M`;
  if (Math.abs(n) >= 1e4) return `${trim(n / 1e3, 1)}K`;
  return n.toLocaleString('en-US');
}
