/**
 * Local weekday and minute of day in an IANA zone, for routing's time windows, without Intl on
 * the hot path: the zone's UTC offset is read with Intl once per quarter hour (offsets only change
 * on quarter-hour boundaries) and reused for every call until then.
 */
const QUARTER = 15 * 60_000;

export class ZoneClock {
  private readonly fmt: Intl.DateTimeFormat;
  private validFrom = 0;
  private validUntil = -1;
  private offsetMs = 0;

  constructor(readonly zone: string) {
    // Throws RangeError for an unknown zone: the caller reports it with its config key.
    this.fmt = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' });
  }

  /** Local weekday (Monday = 0 … Sunday = 6) of the instant last passed to `at`. */
  weekday = 0;
  /** Minutes since local midnight of the instant last passed to `at`. */
  minute = 0;

  /** Sets `weekday` and `minute` for `now` (fields, not a returned object: nothing allocated per call). */
  at(now: number): this {
    if (now < this.validFrom || now >= this.validUntil) this.refresh(now);
    const t = now + this.offsetMs;
    const day = Math.floor(t / 86_400_000);
    // 1970-01-01 was a Thursday (3 with Monday = 0).
    this.weekday = (((day + 3) % 7) + 7) % 7;
    this.minute = Math.floor((t - day * 86_400_000) / 60_000);
    return this;
  }

  private refresh(now: number): void {
    const start = Math.floor(now / QUARTER) * QUARTER;
    const parts: Record<string, number> = {};
    for (const p of this.fmt.formatToParts(new Date(start))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
    const asUtc = Date.UTC(parts['year'] ?? 1970, (parts['month'] ?? 1) - 1, parts['day'] ?? 1, parts['hour'] ?? 0, parts['minute'] ?? 0);
    this.offsetMs = asUtc - start;
    this.validFrom = start;
    this.validUntil = start + QUARTER;
  }
}
