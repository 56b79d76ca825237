/**
 * The seat list (`GET /api/seats`): every imported seat with its tool and flags, on the same rules
 * as the seat findings (seat-findings.ts) — `idle`: no activity in the 30 days before `as_of` (or
 * never); `duplicate`: the person also holds a seat on another organisation tool of the same
 * category, or pays a personal plan in that category on a card / expense report in those 30 days.
 */
import type { SpendCategory } from '../store/spend-source.js';
import type { Store } from '../store/store.js';
import { seatPrice } from './seat-findings.js';

const DAY = 86_400_000;
const PERSONAL_CHANNELS = new Set(['card', 'expense']);

export interface SeatRow {
  source_id: string;
  vendor: string;
  product: string;
  category: SpendCategory;
  person: string;
  team: string | null;
  last_active_at: string | null;
  /** The seat's monthly price (run-rate over seats), null when the source has no run-rate. */
  monthly_usd: string | null;
  idle: boolean;
  duplicate: boolean;
  /** Why it is a duplicate: the other tools or the personal plans paid. */
  duplicate_of: string[];
}

export async function seatList(store: Store, asOf: number): Promise<SeatRow[]> {
  const sources = new Map((await store.inventory.sources()).filter((s) => !PERSONAL_CHANNELS.has(s.channel)).map((s) => [s.source_id, s]));
  const seats = (await store.inventory.seats()).filter((x) => sources.has(x.source_id));
  const listed = new Map<string, number>();
  for (const x of seats) listed.set(x.source_id, (listed.get(x.source_id) ?? 0) + 1);
  const held = new Map<string, Set<string>>();
  for (const x of seats) {
    const s = sources.get(x.source_id)!;
    const key = `${x.person}\u0000${s.category}`;
    held.set(key, (held.get(key) ?? new Set()).add(`${s.vendor} ${s.product}`));
  }
  const personal = new Map<string, Set<string>>();
  for (const l of await store.inventory.lines({ state: 'matched', from: new Date(asOf - 30 * DAY).toISOString(), to: new Date(asOf).toISOString() })) {
    if (!l.employee || !l.category || !l.vendor || !PERSONAL_CHANNELS.has(l.channel)) continue;
    const key = `${l.employee.toLowerCase()}\u0000${l.category}`;
    personal.set(key, (personal.get(key) ?? new Set()).add(`${l.vendor} (${l.channel})`));
  }
  return seats
    .map((x) => {
      const s = sources.get(x.source_id)!;
      const key = `${x.person}\u0000${s.category}`;
      const own = `${s.vendor} ${s.product}`;
      const others = [...(held.get(key) ?? [])].filter((t) => t !== own);
      const duplicateOf = [...others, ...(personal.get(key) ?? [])].sort();
      return {
        source_id: s.source_id,
        vendor: s.vendor,
        product: s.product,
        category: s.category,
        person: x.person,
        team: x.team,
        last_active_at: x.last_active_at,
        monthly_usd: seatPrice(s, listed.get(s.source_id) ?? 0)?.toString() ?? null,
        idle: x.last_active_at === null || Date.parse(x.last_active_at) < asOf - 30 * DAY,
        duplicate: duplicateOf.length > 0,
        duplicate_of: duplicateOf,
      };
    })
    .sort((a, b) => a.vendor.localeCompare(b.vendor) || a.product.localeCompare(b.product) || a.person.localeCompare(b.person));
}
