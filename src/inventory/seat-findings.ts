/**
 * Findings from seat lists, over the 30 days before `as_of`:
 * - idle_seats: seats with no activity in those 30 days (or never) — saving: the seats' price;
 * - duplicate_seat: one person holding seats on two tools of one category (saving: every seat but
 *   the dearest), or expensing a personal plan in a category where they hold an organisation seat
 *   (saving: those charges, matched by payer email to the seat lists).
 *
 * A seat's monthly price is its source's run-rate over its seat count (purchased, else listed),
 * rounded to the cent as vendors quote it; a source without a run-rate prices its seats at 0 and
 * says so, rather than guessing a list price.
 */
import { Decimal } from '../pricing/decimal.js';
import type { ExpenseLine, SeatAssignment, SpendSource } from '../store/spend-source.js';
import { ratio } from './money-ratio.js';
import type { InventoryFinding } from './inventory-findings.js';

const DAY = 86_400_000;
const PERSONAL_CHANNELS = new Set(['card', 'expense']);

export interface SeatFindings {
  findings: InventoryFinding[];
  /** Expense lines already priced by a duplicate_seat finding (kept out of duplicate_channel). */
  covered: Set<string>;
}

/** A source's monthly price per seat, rounded to the cent; null without a run-rate. */
export function seatPrice(source: SpendSource, listed: number): Decimal | null {
  const seats = source.seats_purchased ?? listed;
  if (source.run_rate_usd === null || seats <= 0) return null;
  return ratio(Decimal.parse(source.run_rate_usd), 1n, BigInt(seats), 2);
}

const label = (s: SpendSource): string => `${s.vendor} ${s.product}`;

export function seatFindings(sources: readonly SpendSource[], seats: readonly SeatAssignment[], personalLines: readonly ExpenseLine[], asOf: number): SeatFindings {
  const findings: InventoryFinding[] = [];
  const byId = new Map(sources.filter((s) => !PERSONAL_CHANNELS.has(s.channel)).map((s) => [s.source_id, s]));
  const bySource = new Map<string, SeatAssignment[]>();
  for (const seat of seats) if (byId.has(seat.source_id)) bySource.set(seat.source_id, [...(bySource.get(seat.source_id) ?? []), seat]);
  const price = new Map<string, Decimal | null>();
  for (const [id, list] of bySource) price.set(id, seatPrice(byId.get(id)!, list.length));

  const idleBefore = asOf - 30 * DAY;
  for (const [id, list] of [...bySource.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const s = byId.get(id)!;
    const idle = list.filter((x) => x.last_active_at === null || Date.parse(x.last_active_at) < idleBefore);
    if (idle.length === 0) continue;
    const p = price.get(id) ?? null;
    const priced = p === null ? ' (no run-rate set: price unknown)' : ` at $${p.toString()}/seat`;
    findings.push({ kind: 'idle_seats', vendor: s.vendor, category: s.category, team: s.owner_team, detail: `${idle.length} of ${list.length} ${label(s)} seats had no activity in the 30 days before ${new Date(asOf).toISOString().slice(0, 10)}${priced}`, monthly_usd: (p ?? Decimal.ZERO).mulInt(idle.length).toString() });
  }

  // Seats per person and category.
  const held = new Map<string, SpendSource[]>();
  for (const [id, list] of bySource) {
    const s = byId.get(id)!;
    for (const x of list) {
      const key = `${x.person}\u0000${s.category}`;
      held.set(key, [...(held.get(key) ?? []), s]);
    }
  }
  const overlap = new Map<string, { sources: SpendSource[]; people: number; usd: Decimal }>();
  for (const ss of held.values()) {
    if (ss.length < 2) continue;
    const prices = ss.map((s) => price.get(s.source_id) ?? Decimal.ZERO).sort((a, b) => b.cmp(a));
    const group = ss.map((s) => s.source_id).sort().join(' + ');
    const g = overlap.get(group) ?? { sources: [...ss].sort((a, b) => a.source_id.localeCompare(b.source_id)), people: 0, usd: Decimal.ZERO };
    g.people++;
    g.usd = g.usd.add(Decimal.sum(prices.slice(1)));
    overlap.set(group, g);
  }
  for (const [, g] of [...overlap.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    findings.push({ kind: 'duplicate_seat', vendor: g.sources.map((s) => s.vendor).join(' + '), category: g.sources[0]!.category, team: null, detail: `${g.people} people hold seats on ${g.sources.map(label).join(' and ')} (${g.sources[0]!.category}); keeping one seat each`, monthly_usd: g.usd.toString() });
  }

  // Personal plans expensed by seat holders of the same category.
  const covered = new Set<string>();
  const expensed = new Map<string, { seat: SpendSource; vendor: string; people: Set<string>; lines: number; usd: Decimal }>();
  for (const l of personalLines) {
    if (!l.employee || !l.category || !l.vendor || l.amount_usd === null || !PERSONAL_CHANNELS.has(l.channel)) continue;
    const ss = held.get(`${l.employee.toLowerCase()}\u0000${l.category}`);
    if (!ss) continue;
    // The seat of the same vendor if they hold one, else their first seat in the category.
    const seat = ss.find((s) => s.vendor === l.vendor) ?? ss[0]!;
    const key = `${seat.source_id}\u0000${l.vendor}`;
    const g = expensed.get(key) ?? { seat, vendor: l.vendor, people: new Set<string>(), lines: 0, usd: Decimal.ZERO };
    g.people.add(l.employee.toLowerCase());
    g.lines++;
    g.usd = g.usd.add(Decimal.parse(l.amount_usd));
    expensed.set(key, g);
    covered.add(l.line_hash);
  }
  for (const [, g] of [...expensed.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    findings.push({ kind: 'duplicate_seat', vendor: g.vendor, category: g.seat.category, team: null, detail: `${g.people.size} people pay ${g.vendor} personally (${g.lines} charges) while holding a ${label(g.seat)} seat`, monthly_usd: g.usd.toString() });
  }
  return { findings, covered };
}
