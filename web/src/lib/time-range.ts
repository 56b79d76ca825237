/**
 * Time ranges as the URL spells them (`range=7d`, or `from`/`to` instants for a custom range),
 * shared by the explorer and the requests list so a drill-down keeps its window.
 */
import { DAY_MS, HOUR_MS, startOfMonth } from './time';

export const RANGES: Record<string, { label: string; from: (now: Date) => Date }> = {
  '24h': { label: 'Last 24 hours', from: (n) => new Date(n.getTime() - 24 * HOUR_MS) },
  '7d': { label: 'Last 7 days', from: (n) => new Date(n.getTime() - 7 * DAY_MS) },
  '30d': { label: 'Last 30 days', from: (n) => new Date(n.getTime() - 30 * DAY_MS) },
  '90d': { label: 'Last 90 days', from: (n) => new Date(n.getTime() - 90 * DAY_MS) },
  mtd: { label: 'Month to date', from: (n) => startOfMonth(n) },
};

export interface ResolvedRange {
  /** A RANGES key, 'custom' (from/to given) or 'all'. */
  range: string;
  from: string | undefined;
  to: string | undefined;
}

export function resolveRange(p: URLSearchParams, fallback: string | 'all', now = new Date()): ResolvedRange {
  const range = p.get('range') ?? (p.get('from') || p.get('to') ? 'custom' : fallback);
  if (range === 'custom') return { range, from: p.get('from') ?? undefined, to: p.get('to') ?? undefined };
  const r = RANGES[range];
  if (!r) return { range: 'all', from: undefined, to: undefined };
  return { range, from: r.from(now).toISOString(), to: undefined };
}

/** The range just before [from, to) of the same length: what "vs previous period" compares with. */
export function previousRange(from: string, to: string | undefined, now = new Date()): { from: string; to: string } {
  const f = Date.parse(from);
  const t = to ? Date.parse(to) : now.getTime();
  return { from: new Date(f - (t - f)).toISOString(), to: new Date(f).toISOString() };
}

export function toLocalInput(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function fromLocalInput(v: string): string | null {
  if (!v) return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** End of the bucket that starts at `iso` (viewer's calendar for day, week and month). */
export function bucketEnd(iso: string, granularity: string): string {
  const d = new Date(iso);
  switch (granularity) {
    case 'minute':
      return new Date(d.getTime() + 60_000).toISOString();
    case 'hour':
      return new Date(d.getTime() + HOUR_MS).toISOString();
    case 'week':
      return new Date(d.getFullYear(), d.getMonth(), d.getDate() + 7).toISOString();
    case 'month':
      return new Date(d.getFullYear(), d.getMonth() + 1, 1).toISOString();
    default:
      return new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).toISOString();
  }
}

/** The granularity one step finer, for a drill-down into one bucket. */
export function finer(granularity: string): string {
  return ({ month: 'day', week: 'day', day: 'hour', hour: 'minute' } as Record<string, string>)[granularity] ?? granularity;
}
