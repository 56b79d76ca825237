/**
 * Engine-neutral half of the analytics queries: validating a SpendQuery/ScanQuery, resolving
 * dimensions and filters, and shaping result rows. Each store turns the resolved query into its
 * own SQL; both must answer identically (test/store/store.case.ts).
 */
import { Decimal } from '../pricing/decimal.js';
import { isoToMicros, microsToIso } from './event-cursor.js';
import { isSpendDimension, StoreQueryError, type DimensionFilters, type Granularity, type SpendQuery, type SpendResult, type SpendRow } from './store.js';

export const GRANULARITIES: readonly Granularity[] = ['minute', 'hour', 'day', 'week', 'month', 'none'];

/** A dimension as a store sees it: a ledger column, or one key of the tags JSON. */
export type ResolvedDimension = { kind: 'column'; name: string } | { kind: 'tag'; name: string };

export interface ResolvedFilter {
  dim: ResolvedDimension;
  value: string | null;
}

export interface ResolvedSpendQuery {
  fromUs: bigint | undefined;
  toUs: bigint | undefined;
  groupBy: { key: string; dim: ResolvedDimension }[];
  granularity: Granularity;
  tz: string;
  filters: ResolvedFilter[];
}

export function resolveDimension(d: string, field: string): ResolvedDimension {
  if (!isSpendDimension(d)) throw new StoreQueryError(`${field}: unknown dimension "${d}" (an attribution field, provider, model, model_requested, api, status, source, key_id, trace_id or tag:NAME)`);
  return d.startsWith('tag:') ? { kind: 'tag', name: d.slice(4) } : { kind: 'column', name: d };
}

export function resolveFilters(filters: DimensionFilters | undefined): ResolvedFilter[] {
  return Object.entries(filters ?? {}).map(([k, v]) => {
    if (v !== null && typeof v !== 'string') throw new StoreQueryError(`${k}: filter value must be a string or null`);
    return { dim: resolveDimension(k, k), value: v };
  });
}

/** A valid IANA zone (as the runtime's ICU knows it), else a query error naming `tz`. */
export function resolveTimeZone(tz: string | undefined): string {
  if (tz === undefined || tz === '' || tz.toUpperCase() === 'UTC') return 'UTC';
  // Zone names are letters, digits and / _ + -; checking the shape first keeps SQL literals safe.
  if (!/^[A-Za-z][A-Za-z0-9/_+-]{0,63}$/.test(tz)) throw new StoreQueryError(`tz: not an IANA time zone: "${tz}"`);
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    throw new StoreQueryError(`tz: not an IANA time zone: "${tz}"`);
  }
  return tz;
}

export function resolveRange(from: string | undefined, to: string | undefined): { fromUs: bigint | undefined; toUs: bigint | undefined } {
  const parse = (v: string | undefined, field: string): bigint | undefined => {
    if (v === undefined) return undefined;
    try {
      return isoToMicros(v);
    } catch {
      throw new StoreQueryError(`${field}: not an ISO 8601 timestamp: "${v}"`);
    }
  };
  return { fromUs: parse(from, 'from'), toUs: parse(to, 'to') };
}

export function resolveSpendQuery(q: SpendQuery): ResolvedSpendQuery {
  const granularity = q.granularity ?? 'none';
  if (!GRANULARITIES.includes(granularity)) throw new StoreQueryError(`granularity: must be one of ${GRANULARITIES.join(', ')}`);
  const keys = q.group_by ?? [];
  if (new Set(keys).size !== keys.length) throw new StoreQueryError('group_by: a dimension is listed twice');
  return {
    ...resolveRange(q.from, q.to),
    groupBy: keys.map((key) => ({ key, dim: resolveDimension(key, 'group_by') })),
    granularity,
    tz: resolveTimeZone(q.tz),
    filters: resolveFilters(q.filters),
  };
}

/** One aggregated row as an engine returns it, before shaping. Sums may be null (no rows with a value). */
export interface RawSpendRow {
  periodUs: bigint | null;
  groups: (string | null)[];
  cost: Decimal;
  requests: number;
  unpriced: number;
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  reasoning: number;
  /** Savings of the row's cache hits, when the query asked for them (with_saved). */
  saved?: Decimal;
}

/** Shapes rows (already ordered by the engine) and adds the exact total. */
export function spendResult(q: Pick<ResolvedSpendQuery, 'groupBy'>, raw: readonly RawSpendRow[]): SpendResult {
  let total = Decimal.ZERO;
  let requests = 0;
  let unpriced = 0;
  let saved: Decimal | undefined;
  const rows: SpendRow[] = raw.map((r) => {
    total = total.add(r.cost);
    requests += r.requests;
    unpriced += r.unpriced;
    if (r.saved) saved = (saved ?? Decimal.ZERO).add(r.saved);
    return {
      period: r.periodUs === null ? null : microsToIso(r.periodUs),
      groups: Object.fromEntries(q.groupBy.map((g, i) => [g.key, r.groups[i] ?? null])),
      cost: r.cost.toString(),
      requests: r.requests,
      unpriced_requests: r.unpriced,
      input_tokens: r.input,
      output_tokens: r.output,
      cache_read_tokens: r.cacheRead,
      cache_write_tokens: r.cacheWrite,
      reasoning_tokens: r.reasoning,
      ...(r.saved ? { saved: r.saved.toString() } : {}),
    };
  });
  return { rows, total: { cost: total.toString(), requests, unpriced_requests: unpriced, ...(saved ? { saved: saved.toString() } : {}) } };
}

/**
 * The savings side of a `with_saved` query: the same grouping over the raw cached records, summing
 * `saved`; undefined when no cached record can match (the query filters status to another value).
 */
export function savingsQuery(q: ResolvedSpendQuery): ResolvedSpendQuery | undefined {
  const status = q.filters.find((f) => f.dim.kind === 'column' && f.dim.name === 'status');
  if (status && status.value !== 'cached') return undefined;
  return { ...q, filters: status ? q.filters : [...q.filters, { dim: { kind: 'column', name: 'status' }, value: 'cached' }] };
}

/**
 * Every row gets `saved` (zero where no hit), taken from `savings` rows (the savings query's
 * answer, its `cost` holding the summed `saved`) of the same period and groups.
 */
export function withSavings(raw: readonly RawSpendRow[], savings: readonly RawSpendRow[]): RawSpendRow[] {
  const key = (r: RawSpendRow): string => JSON.stringify([r.periodUs?.toString() ?? null, ...r.groups]);
  const byKey = new Map(savings.map((s) => [key(s), s.cost]));
  return raw.map((r) => ({ ...r, saved: byKey.get(key(r)) ?? Decimal.ZERO }));
}

/** Exact decimal from an engine's text or decimal value; NULL (no priced rows) is zero. */
export function decimalOrZero(v: string | null | undefined): Decimal {
  return v === null || v === undefined ? Decimal.ZERO : Decimal.parse(v);
}

/** Slot width for zone-aware bucketing: every zone offset in use today is a multiple of 15 minutes. */
export const TZ_SLOT_US = 900_000_000n;

export const HOUR_US = 3_600_000_000n;

/** True when every offset of `tz` between the bounds is a whole number of hours (sampled every ~2 weeks). */
export function zoneIsHourAligned(tz: string, fromUs: bigint | undefined, toUs: bigint | undefined): boolean {
  if (tz === 'UTC') return true;
  const start = fromUs === undefined ? Date.UTC(2000, 0, 1) : Number(fromUs / 1000n);
  const end = toUs === undefined ? Date.now() + 366 * 86_400_000 : Number(toUs / 1000n);
  const step = Math.max(86_400_000 * 13, Math.ceil((end - start) / 2000));
  const fmt = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'longOffset' });
  for (let t = start; t <= end + step; t += step) {
    const name = fmt.formatToParts(new Date(Math.min(t, end))).find((x) => x.type === 'timeZoneName')?.value ?? '';
    const m = /GMT[+-]\d{1,2}:(\d{2})/.exec(name);
    if (m && m[1] !== '00') return false;
  }
  return true;
}

