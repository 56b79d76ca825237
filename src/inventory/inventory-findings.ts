/**
 * Findings with money on them, over the 30 days before `as_of` (so "monthly $" is spend actually
 * seen in a month, never an extrapolation):
 * - duplicate_channel: individuals paying for a chat or coding assistant on a card / expense report
 *   while the same vendor has an organisation channel (a sanctioned seat plan or invoice, or API
 *   usage in the ledger / bills) — saving: those individual charges;
 * - unsanctioned_vendor: spend on a vendor whose sources are all marked unsanctioned — saving: it all;
 * - overlapping_tools: one team (cost centre) paying for several vendors in one category — saving:
 *   everything but the vendor it spends most on;
 * - renewal: a source renewing in the next 60 days — at stake: its run-rate;
 * - idle_seats and duplicate_seat from seat lists (seat-findings.ts). A charge priced by a
 *   duplicate_seat finding is left out of duplicate_channel, so no dollar is claimed twice.
 * A seat plan's own card charges (seat-run-rates.ts: its owner paying the plan) are no finding.
 */
import { Decimal } from '../pricing/decimal.js';
import type { Store } from '../store/store.js';
import { seatFindings } from './seat-findings.js';
import { planChargeTest, seatPlans } from './seat-run-rates.js';

export const FINDING_KINDS = ['duplicate_channel', 'unsanctioned_vendor', 'overlapping_tools', 'renewal', 'idle_seats', 'duplicate_seat'] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

export interface InventoryFinding {
  kind: FindingKind;
  vendor: string | null;
  category: string | null;
  team: string | null;
  detail: string;
  /** Exact USD a month this would save (or, for renewals, the monthly run-rate at stake). */
  monthly_usd: string;
}

const DAY = 86_400_000;
const ORG_CHANNELS = new Set(['ap_invoice', 'api_direct', 'cloud_marketplace']);
const PERSONAL_CATEGORIES = new Set(['chat_assistant', 'coding_assistant']);
const PROVIDER_VENDOR: Record<string, string> = { openai: 'OpenAI', anthropic: 'Anthropic', gemini: 'Google', vertex: 'Google', mistral: 'Mistral AI' };

export async function inventoryFindings(store: Store, asOf: string): Promise<InventoryFinding[]> {
  const end = Date.parse(asOf);
  const from = new Date(end - 30 * DAY).toISOString();
  const to = new Date(end).toISOString();
  const sources = await store.inventory.sources();
  // A seat plan's own charges (its owner paying it on a card) are the plan, not a personal duplicate.
  const isPlanCharge = planChargeTest(seatPlans(sources));
  const lines = (await store.inventory.lines({ state: 'matched', from, to })).filter((l) => l.amount_usd !== null && l.vendor !== null && !(l.product !== null && l.category !== null && isPlanCharge({ vendor: l.vendor, product: l.product, category: l.category, channel: l.channel, employee: l.employee })));
  const findings: InventoryFinding[] = [];
  const sum = (xs: readonly { amount_usd: string | null }[]): Decimal => Decimal.sum(xs.map((x) => Decimal.parse(x.amount_usd ?? '0')));

  // Vendors with an organisation channel: sanctioned org sources, plus API providers seen in the ledger or bills.
  const orgVendors = new Set(sources.filter((s) => s.status === 'sanctioned' && (ORG_CHANNELS.has(s.channel) || s.seats_purchased !== null)).map((s) => s.vendor));
  const spend = await store.getSpend({ from, to, group_by: ['provider'] });
  for (const r of spend.rows) if (r.requests > 0 && PROVIDER_VENDOR[r.groups['provider'] ?? '']) orgVendors.add(PROVIDER_VENDOR[r.groups['provider'] ?? '']!);
  for (const b of await store.billed.totals({ from, to })) if (PROVIDER_VENDOR[b.provider]) orgVendors.add(PROVIDER_VENDOR[b.provider]!);

  const seats = seatFindings(sources, await store.inventory.seats(), lines, end);

  const byVendor = new Map<string, typeof lines>();
  for (const l of lines) byVendor.set(l.vendor!, [...(byVendor.get(l.vendor!) ?? []), l]);
  for (const [vendor, ls] of [...byVendor.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const personal = ls.filter((l) => PERSONAL_CATEGORIES.has(l.category ?? '') && (l.channel === 'card' || l.channel === 'expense') && l.employee !== null && !seats.covered.has(l.line_hash));
    if (orgVendors.has(vendor) && personal.length > 0) {
      const people = new Set(personal.map((l) => l.employee)).size;
      findings.push({ kind: 'duplicate_channel', vendor, category: personal[0]!.category, team: null, detail: `${people} people pay ${vendor} individually (${personal.length} charges) while an organisation plan or API account exists`, monthly_usd: sum(personal).toString() });
    }
    const vs = sources.filter((s) => s.vendor === vendor);
    if (vs.length > 0 && vs.every((s) => s.status === 'unsanctioned')) {
      findings.push({ kind: 'unsanctioned_vendor', vendor, category: vs[0]!.category, team: null, detail: `${vendor} is not sanctioned: ${ls.length} charges in 30 days`, monthly_usd: sum(ls).toString() });
    }
  }

  const byTeamCategory = new Map<string, Map<string, Decimal>>();
  for (const l of lines) {
    if (!l.cost_centre || !l.category) continue;
    const key = `${l.cost_centre}\u0000${l.category}`;
    const m = byTeamCategory.get(key) ?? new Map<string, Decimal>();
    m.set(l.vendor!, (m.get(l.vendor!) ?? Decimal.ZERO).add(Decimal.parse(l.amount_usd!)));
    byTeamCategory.set(key, m);
  }
  for (const [key, m] of [...byTeamCategory.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    if (m.size < 2) continue;
    const [team, category] = key.split('\u0000') as [string, string];
    const ranked = [...m.entries()].sort(([va, a], [vb, b]) => b.cmp(a) || va.localeCompare(vb));
    const rest = Decimal.sum(ranked.slice(1).map(([, v]) => v));
    findings.push({ kind: 'overlapping_tools', vendor: null, category, team, detail: `${team} pays for ${m.size} ${category} tools (${ranked.map(([v]) => v).join(', ')}); keeping ${ranked[0]![0]} only`, monthly_usd: rest.toString() });
  }

  for (const s of sources) {
    if (!s.renewal_date) continue;
    const t = Date.parse(`${s.renewal_date}T00:00:00Z`);
    if (t >= end && t < end + 60 * DAY) {
      findings.push({ kind: 'renewal', vendor: s.vendor, category: s.category, team: s.owner_team, detail: `${s.vendor} ${s.product} renews ${s.renewal_date}${s.seats_purchased !== null && s.seats_active !== null ? ` (${s.seats_active} of ${s.seats_purchased} seats active)` : ''}`, monthly_usd: s.run_rate_usd ?? '0' });
    }
  }
  return [...findings, ...seats.findings];
}
