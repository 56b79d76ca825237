/**
 * Field-level parsing shared by the billing importers: exact decimals, instants, units and tags.
 * Every helper throws BilledLineError with a reason a user can act on; the importer turns that
 * into "line N: reason".
 */
import { Decimal } from '../pricing/decimal.js';

export class BilledLineError extends Error {
  override readonly name = 'BilledLineError';
}

/** The store keeps 18 fraction digits (DECIMAL(38,18)); anything finer is rounded half-even. */
const STORE_SCALE = 18;
const DECIMAL_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** An exact decimal from export text (or a JSON number, via its shortest round-trip form). */
export function decimalField(value: unknown, field: string): Decimal {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new BilledLineError(`${field} is not a finite number`);
    return Decimal.parse(value).round(STORE_SCALE);
  }
  if (typeof value !== 'string' || !DECIMAL_TEXT.test(value.trim())) throw new BilledLineError(`${field} is not a decimal number (got ${JSON.stringify(value ?? null)})`);
  const text = value.trim().replace(/^\+/, '');
  const d = /[eE]/.test(text) ? expandExponent(text) : Decimal.parse(text);
  return d.round(STORE_SCALE);
}

/** Decimal.parse takes plain notation; exports (Parquet doubles cast to text) may use 1.5e-05. */
function expandExponent(text: string): Decimal {
  const [mant, exp] = text.split(/[eE]/) as [string, string];
  const e = Number(exp);
  if (!Number.isInteger(e) || Math.abs(e) > 40) throw new BilledLineError(`number out of range: ${text}`);
  const m = Decimal.parse(mant);
  return e >= 0 ? m.mul(Decimal.parse('1' + '0'.repeat(e))) : m.shift(-e);
}

export function optionalDecimal(value: unknown, field: string): string | null {
  if (value === null || value === undefined || value === '') return null;
  return decimalField(value, field).toString();
}

const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/**
 * An ISO 8601 date or date-time as a UTC instant. A time without a zone is UTC (exports state
 * their times in UTC; DuckDB renders TIMESTAMP columns that way). Anything else is refused, not
 * guessed: `4/1/25` could be April or January.
 */
export function instantField(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new BilledLineError(`${field} is missing`);
  const m = ISO_INSTANT.exec(value.trim());
  if (!m) throw new BilledLineError(`${field} is not an ISO 8601 date or time (got ${JSON.stringify(value)})`);
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone = 'Z'] = m;
  const z = zone === 'Z' ? 'Z' : zone.length === 3 ? `${zone}:00` : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const t = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}${frac.slice(0, 4)}${z}`);
  if (!Number.isFinite(t)) throw new BilledLineError(`${field} is not a valid date (got ${JSON.stringify(value)})`);
  return new Date(t).toISOString();
}

/** Azure EA exports write dates as MM/DD/YYYY (US order, documented); ISO is taken as well. */
export function usDateField(value: unknown, field: string): string {
  const m = typeof value === 'string' ? /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(value.trim()) : null;
  if (!m) return instantField(value, field);
  return instantField(`${m[3]}-${m[1]!.padStart(2, '0')}-${m[2]!.padStart(2, '0')}`, field);
}

export const DAY_MS = 86_400_000;
export const plusDay = (iso: string): string => new Date(Date.parse(iso) + DAY_MS).toISOString();
/** `YYYY-MM` of an instant (UTC). */
export const monthOf = (iso: string): string => iso.slice(0, 7);

/**
 * Quantities in blocks ("1K", "1M", "1K tokens", "1000 Tokens") become plain units so lines from
 * different exports add up; anything else keeps the export's own unit.
 */
export function normaliseQuantity(quantity: string | null, unit: string | null): { quantity: string | null; unit: string | null } {
  if (quantity === null || unit === null) return { quantity, unit };
  const m = /^\s*(\d+(?:\.\d+)?)?\s*([KkMm])?\s*(tokens?|characters?|requests?)?\s*$/.exec(unit);
  if (!m || (!m[1] && !m[2])) return { quantity, unit };
  let factor = Decimal.parse(m[1] ?? '1');
  if (m[2]) factor = factor.mul(Decimal.parse(m[2].toLowerCase() === 'k' ? '1000' : '1000000'));
  const base = (m[3] ?? 'tokens').toLowerCase();
  return { quantity: Decimal.parse(quantity).mul(factor).toString(), unit: base.endsWith('s') ? base : `${base}s` };
}

/** A team from a tag object / JSON text / list of {key, value} labels. */
export function teamFromTags(tags: unknown): string | null {
  let obj: unknown = tags;
  if (typeof tags === 'string') {
    const text = tags.trim();
    if (text === '') return null;
    try {
      obj = JSON.parse(text.startsWith('{') || text.startsWith('[') ? text : `{${text}}`);
    } catch {
      return null;
    }
  }
  if (Array.isArray(obj)) {
    for (const l of obj) if (l && typeof l === 'object' && (l as { key?: unknown }).key === 'team' && typeof (l as { value?: unknown }).value === 'string') return (l as { value: string }).value;
    return null;
  }
  if (obj && typeof obj === 'object') {
    const rec = obj as Record<string, unknown>;
    for (const k of ['team', 'user_team', 'user:team']) if (typeof rec[k] === 'string' && rec[k] !== '') return rec[k];
  }
  return null;
}

/** "gpt 4o 1120" / "Gemini 2.5 Flash" → "gpt-4o-1120" / "gemini-2.5-flash". */
export const modelSlug = (text: string): string =>
  text
    .trim()
    .toLowerCase()
    .replace(/\s+/g, '-');

export function text(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const s = String(value).trim();
  return s === '' ? null : s;
}
