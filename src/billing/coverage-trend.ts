/**
 * Coverage as a trend: per day or week (in the reconciliation's time zone) and per provider, plus
 * an overall point per bucket (`provider: null`), how much of the billed usage the ledger metered
 * and how much carries a team. The same rules as the range's `coverage` figure, applied bucket by
 * bucket, with the money behind each share as exact decimals so a chart or a script can re-add it:
 *
 * - metered usage: billed usage on accounts the ledger saw in the whole range (or on no account);
 * - attributed usage: metered usage × the share of that provider's observed cost in the bucket
 *   that has a team, plus unmetered usage whose own tags name a team. The share is a quotient, so
 *   that product is rounded half-up to 12 decimals — the only rounding here.
 *
 * A bucket's team share is the bucket's own, not the range's: a trend is meant to show attribution
 * improving (or not), so the sum of the buckets' attributed usage can differ from the range figure.
 */
import { Decimal } from '../pricing/decimal.js';
import type { BilledTotalRow } from '../store/billed-line.js';
import type { SpendRow } from '../store/store.js';

export const COVERAGE_GRAINS = ['day', 'week'] as const;
export type CoverageGrain = (typeof COVERAGE_GRAINS)[number];

export interface CoveragePoint {
  /** First day of the bucket (YYYY-MM-DD in the query's time zone; weeks start on Monday). */
  period: string;
  /** null: every provider together. */
  provider: string | null;
  billed_usage: string;
  metered_usage: string;
  attributed_usage: string;
  metered_pct: number | null;
  attributed_pct: number | null;
}

export type ProviderCoverage = Omit<CoveragePoint, 'period' | 'provider'> & { provider: string };

export interface CoverageTrendInput {
  /** `range`: one bucket for the whole range (the per-provider coverage of the range). */
  grain: CoverageGrain | 'range';
  spendRows: readonly SpendRow[];
  billed: readonly BilledTotalRow[];
  /** The calendar day (YYYY-MM-DD, in the query's zone) of an instant. */
  dayOf: (iso: string) => string;
  isMetered: (provider: string, account: string | null) => boolean;
  rangeStart: string;
}

const ZERO = Decimal.ZERO;
const ATTRIBUTED_SCALE = 12;

/** Monday of the ISO week holding `day` (pure calendar arithmetic on the date string). */
export function weekOf(day: string): string {
  const ms = Date.parse(`${day}T00:00:00Z`);
  const back = (new Date(ms).getUTCDay() + 6) % 7;
  return new Date(ms - back * 86_400_000).toISOString().slice(0, 10);
}

/** a × b / c, rounded half-up (away from zero) to `scale` decimals; c must not be zero. */
export function mulDiv(a: Decimal, b: Decimal, c: Decimal, scale = ATTRIBUTED_SCALE): Decimal {
  const p = a.mul(b);
  // p / c = (p.coef / 10^p.scale) / (c.coef / 10^c.scale); scaled to 10^scale and kept integral.
  let num = p.coef * 10n ** BigInt(c.scale + scale);
  let den = c.coef * 10n ** BigInt(p.scale);
  if (den < 0n) {
    num = -num;
    den = -den;
  }
  const q = num / den;
  const r = num % den;
  const abs = r < 0n ? -r : r;
  const rounded = abs * 2n >= den ? q + (num < 0n ? -1n : 1n) : q;
  return Decimal.fromBigInt(rounded, scale);
}

const pct = (part: Decimal, whole: Decimal): number | null => (whole.isZero() ? null : Math.round((part.toNumber() / whole.toNumber()) * 10000) / 100);

interface Bucket {
  period: string;
  provider: string;
  usage: Decimal;
  metered: Decimal;
  unmeteredWithTeam: Decimal;
  observed: Decimal;
  observedWithTeam: Decimal;
}

/** Coverage of the whole range per provider (no overall point: that is the result's `coverage`). */
export function coverageByProvider(input: Omit<CoverageTrendInput, 'grain'>): ProviderCoverage[] {
  return coverageTrend({ ...input, grain: 'range' }).flatMap(({ period: _period, provider, ...figures }) => (provider === null ? [] : [{ provider, ...figures }]));
}

export function coverageTrend(input: CoverageTrendInput): CoveragePoint[] {
  const periodOf = (iso: string): string => {
    if (input.grain === 'range') return input.dayOf(input.rangeStart);
    const day = input.dayOf(iso);
    return input.grain === 'week' ? weekOf(day) : day;
  };
  const buckets = new Map<string, Bucket>();
  const bucketOf = (period: string, provider: string): Bucket => {
    const id = `${period}\u0000${provider}`;
    let b = buckets.get(id);
    if (!b) {
      b = { period, provider, usage: ZERO, metered: ZERO, unmeteredWithTeam: ZERO, observed: ZERO, observedWithTeam: ZERO };
      buckets.set(id, b);
    }
    return b;
  };
  for (const r of input.spendRows) {
    const b = bucketOf(periodOf(r.period ?? input.rangeStart), r.groups['provider'] ?? 'unknown');
    const cost = Decimal.parse(r.cost);
    b.observed = b.observed.add(cost);
    if (r.groups['team']) b.observedWithTeam = b.observedWithTeam.add(cost);
  }
  for (const l of input.billed) {
    if (l.charge_kind !== 'usage') continue;
    const b = bucketOf(periodOf(l.charge_start), l.provider);
    const amount = Decimal.parse(l.amount_usd);
    b.usage = b.usage.add(amount);
    if (input.isMetered(l.provider, l.account)) b.metered = b.metered.add(amount);
    else if (l.has_team) b.unmeteredWithTeam = b.unmeteredWithTeam.add(amount);
  }

  const points: CoveragePoint[] = [];
  const overall = new Map<string, { usage: Decimal; metered: Decimal; attributed: Decimal }>();
  for (const b of buckets.values()) {
    // Coverage is a share of the bill: a bucket with ledger spend but no billed usage has none.
    if (b.usage.isZero()) continue;
    const fromLedger = b.observed.isZero() || b.metered.isZero() ? ZERO : mulDiv(b.metered, b.observedWithTeam, b.observed);
    const attributed = fromLedger.add(b.unmeteredWithTeam);
    points.push(point(b.period, b.provider, b.usage, b.metered, attributed));
    const o = overall.get(b.period) ?? { usage: ZERO, metered: ZERO, attributed: ZERO };
    overall.set(b.period, { usage: o.usage.add(b.usage), metered: o.metered.add(b.metered), attributed: o.attributed.add(attributed) });
  }
  for (const [period, o] of overall) points.push(point(period, null, o.usage, o.metered, o.attributed));
  // By period, then provider with the overall point last in each period.
  return points.sort((a, b) => (a.period !== b.period ? (a.period < b.period ? -1 : 1) : a.provider === b.provider ? 0 : a.provider === null ? 1 : b.provider === null ? -1 : a.provider < b.provider ? -1 : 1));
}

function point(period: string, provider: string | null, usage: Decimal, metered: Decimal, attributed: Decimal): CoveragePoint {
  return {
    period,
    provider,
    billed_usage: usage.toString(),
    metered_usage: metered.toString(),
    attributed_usage: attributed.toString(),
    metered_pct: pct(metered, usage),
    attributed_pct: pct(attributed, usage),
  };
}
