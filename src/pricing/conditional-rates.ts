/**
 * Conditions under which a price period's rates change for one call: long-context tiers (by
 * input size, with each provider's own boundary wording) and time-of-day rate windows (by the
 * call's start time in the provider's time zone).
 */
import type { PricePeriod, RateWindow, Tier } from './catalog-schema.js';

/** The tier's threshold and whether a request of exactly that size is already in it. */
export function tierBoundary(t: Tier): { tokens: number; inclusive: boolean } {
  return t.from_input_tokens !== undefined
    ? { tokens: t.from_input_tokens, inclusive: true }
    : { tokens: t.above_input_tokens ?? Number.POSITIVE_INFINITY, inclusive: false };
}

export function tierApplies(t: Tier, inputTokens: number): boolean {
  const b = tierBoundary(t);
  return b.inclusive ? inputTokens >= b.tokens : inputTokens > b.tokens;
}

export function describeTier(t: Tier): string {
  const b = tierBoundary(t);
  return `${b.inclusive ? '>=' : '>'} ${b.tokens}`;
}

/** The highest tier the request falls in (tiers are ordered by threshold), if any. */
export function pickTier(tiers: readonly Tier[], inputTokens: number): number | undefined {
  let best: number | undefined;
  tiers.forEach((t, i) => {
    if (!tierApplies(t, inputTokens)) return;
    const prev = best === undefined ? undefined : tiers[best];
    if (prev === undefined || tierBoundary(t).tokens >= tierBoundary(prev).tokens) best = i;
  });
  return best;
}

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const clocks = new Map<string, Intl.DateTimeFormat>();

/** Wall-clock weekday and minute of day of `at` in `timeZone` (formatters are built once per zone). */
export function wallClock(at: Date, timeZone: string): { day: (typeof DAYS)[number]; minute: number } {
  let f = clocks.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    clocks.set(timeZone, f);
  }
  let day = 'sun';
  let hour = 0;
  let minute = 0;
  for (const p of f.formatToParts(at)) {
    if (p.type === 'weekday') day = p.value.toLowerCase().slice(0, 3);
    else if (p.type === 'hour') hour = Number(p.value);
    else if (p.type === 'minute') minute = Number(p.value);
  }
  const d = DAYS.find((x) => x === day) ?? 'sun';
  return { day: d, minute: hour * 60 + minute };
}

function minutes(hhmm: string): number {
  const [h = '0', m = '0'] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
}

/** The first rate window the call's start instant falls in (`from` inclusive, `to` exclusive). */
export function activeRateWindow(period: PricePeriod, at: Date): RateWindow | undefined {
  for (const w of period.rate_windows ?? []) {
    const clock = wallClock(at, w.timezone);
    if (w.days && !w.days.includes(clock.day)) continue;
    const from = minutes(w.from);
    const to = minutes(w.to);
    // A window past midnight (22:00-06:00) is the union of its two halves.
    const inside = from <= to ? clock.minute >= from && clock.minute < to : clock.minute >= from || clock.minute < to;
    if (inside) return w;
  }
  return undefined;
}
