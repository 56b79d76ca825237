/**
 * Budget periods, calendar-aligned in the budget's own time zone: an hour, a day (from local
 * midnight), a week (from Monday 00:00), a month (from the fiscal start day, default the 1st, at
 * 00:00), or `total` (never resets). Windows are computed from wall-clock parts so DST shifts
 * land where a person in that zone expects them (a day can be 23 or 25 hours long).
 */
import type { BudgetSpec } from './policy-schemas.js';

export interface PeriodWindow {
  /** Epoch ms, inclusive. */
  start: number;
  /** Epoch ms, exclusive; Infinity for `total`. */
  end: number;
}

interface Wall {
  y: number;
  m: number; // 1-12
  d: number;
  h: number;
  /** 0 = Sunday. */
  dow: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', weekday: 'short' });
    formatters.set(tz, f);
  }
  return f;
}

const DOW: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

function wallParts(ms: number, tz: string): Wall & { min: number; s: number } {
  const p: Record<string, string> = {};
  for (const part of formatter(tz).formatToParts(ms)) p[part.type] = part.value;
  return { y: Number(p['year']), m: Number(p['month']), d: Number(p['day']), h: Number(p['hour']), min: Number(p['minute']), s: Number(p['second']), dow: DOW[p['weekday'] ?? 'Sun'] ?? 0 };
}

/** Offset of `tz` from UTC at instant `ms`, in ms (positive east of Greenwich). */
function offsetAt(ms: number, tz: string): number {
  const w = wallParts(ms, tz);
  return Date.UTC(w.y, w.m - 1, w.d, w.h, w.min, w.s) - Math.floor(ms / 1000) * 1000;
}

/** The instant a wall-clock time (normalised: day 32 rolls into the next month) happens in `tz`. */
export function wallToInstant(y: number, m: number, d: number, h: number, tz: string): number {
  const guess = Date.UTC(y, m - 1, d, h);
  let t = guess - offsetAt(guess, tz);
  // One correction covers a DST change between the guess and the answer.
  const again = guess - offsetAt(t, tz);
  if (again !== t) t = again;
  return t;
}

function addDays(y: number, m: number, d: number, days: number): { y: number; m: number; d: number } {
  const t = new Date(Date.UTC(y, m - 1, d + days));
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

export function periodWindow(b: Pick<BudgetSpec, 'period' | 'timezone' | 'fiscal_month_start_day'>, at: number): PeriodWindow {
  if (b.period === 'total') return { start: 0, end: Infinity };
  const tz = b.timezone;
  const w = wallParts(at, tz);
  switch (b.period) {
    case 'hour': {
      const start = wallToInstant(w.y, w.m, w.d, w.h, tz);
      return { start, end: wallToInstant(w.y, w.m, w.d, w.h + 1, tz) };
    }
    case 'day': {
      const n = addDays(w.y, w.m, w.d, 1);
      return { start: wallToInstant(w.y, w.m, w.d, 0, tz), end: wallToInstant(n.y, n.m, n.d, 0, tz) };
    }
    case 'week': {
      const s = addDays(w.y, w.m, w.d, -((w.dow + 6) % 7));
      const n = addDays(s.y, s.m, s.d, 7);
      return { start: wallToInstant(s.y, s.m, s.d, 0, tz), end: wallToInstant(n.y, n.m, n.d, 0, tz) };
    }
    case 'month': {
      const day = b.fiscal_month_start_day;
      const startMonth = w.d >= day ? w.m : w.m - 1;
      // Date.UTC normalises month 0 and 13 into the neighbouring years.
      const s = new Date(Date.UTC(w.y, startMonth - 1, day));
      const n = new Date(Date.UTC(w.y, startMonth, day));
      return {
        start: wallToInstant(s.getUTCFullYear(), s.getUTCMonth() + 1, day, 0, tz),
        end: wallToInstant(n.getUTCFullYear(), n.getUTCMonth() + 1, day, 0, tz),
      };
    }
  }
}
