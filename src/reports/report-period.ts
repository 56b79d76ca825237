/** Reporting periods: a calendar month (`2026-10`) in a time zone, and the month before it. */
export interface ReportPeriod {
  label: string;
  /** Inclusive start and exclusive end, ISO 8601 UTC instants. */
  from: string;
  to: string;
}

/** Milliseconds the zone is ahead of UTC at instant `at`. */
function zoneOffsetMs(at: number, tz: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(new Date(at));
  const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - Math.floor(at / 1000) * 1000;
}

/** The instant of local midnight on the first of `month` (1-based; may overflow into the next year). */
export function zonedMonthStart(year: number, month: number, tz: string): number {
  const local = Date.UTC(year, month - 1, 1);
  let at = local;
  // Two rounds settle the offset even when the month starts right after a DST change.
  for (let i = 0; i < 2; i++) at = local - zoneOffsetMs(at, tz);
  return at;
}

function monthLabel(year: number, month: number): string {
  const d = new Date(Date.UTC(year, month - 1, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

export function monthPeriod(text: string, tz = 'UTC'): { current: ReportPeriod; previous: ReportPeriod } {
  const m = /^(\d{4})-(\d{2})$/.exec(text);
  const month = Number(m?.[2]);
  if (!m || month < 1 || month > 12) throw new RangeError(`period must be a month YYYY-MM, not "${text}"`);
  const year = Number(m[1]);
  const period = (y: number, mo: number): ReportPeriod => ({ label: monthLabel(y, mo), from: new Date(zonedMonthStart(y, mo, tz)).toISOString(), to: new Date(zonedMonthStart(y, mo + 1, tz)).toISOString() });
  return { current: period(year, month), previous: period(year, month - 1) };
}
