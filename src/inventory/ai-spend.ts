/**
 * One total of AI spend: metered API spend (ledger), billed API spend (imported provider exports),
 * SaaS / expense spend (matched card and expense lines), seat plans (run-rates) and self-hosted GPU
 * spend (imported GPU usage), never counting a dollar twice:
 *
 * - API spend, per provider and UTC day: billed lines replace ledger spend where billed lines exist
 *   for that provider and day (the bill is what was charged; the rule of src/billing/reconciliation.ts),
 *   otherwise the ledger's priced cost counts.
 * - An expense line matched to a `model_api` product of a provider with any API spend in the
 *   window (a card charge for OpenAI prepaid credits) pays for that usage; it is not more usage, so
 *   it is reported as `excluded_prepaid`, not added.
 * - A seat plan (a source billed by seat with a run-rate) counts its run-rate prorated over the
 *   window (seat-run-rates.ts). Its own charges are reported as `excluded_seat_charges`, not added:
 *   card / expense lines matched to that very source (same vendor, product and channel), and lines
 *   of its vendor and category paid by its `owner_person` (who holds the card the plan is billed
 *   to). Other people's personal plans still count: they are the duplicate-channel findings, real
 *   extra dollars.
 * - GPU usage counts its cost (category `gpu_compute`, channel `self_hosted`, vendor as imported or
 *   `self-hosted`). A `gpu_compute` card / expense line of a vendor the GPU usage names (a RunPod
 *   top-up beside RunPod hours) pays for those hours: reported as `excluded_gpu_payments`.
 *
 * Everything is first gathered as spend items (one per origin, vendor, category, team, channel,
 * status and UTC day; `aiSpendItems`), so the grouped total, the status split, the trend, the team
 * view and the vendor / category budgets (imported-spend-meter.ts) all read one set of dollars. A
 * seat plan's prorated run-rate is one item per calendar month part of the window, dated its first
 * day (the proration is per month, so the parts add up to the window's figure exactly).
 */
import { Decimal } from '../pricing/decimal.js';
import type { SourceStatus, SpendCategory, SpendChannel } from '../store/spend-source.js';
import type { Store } from '../store/store.js';
import { planChargeTest, prorateMonthly, seatPlans } from './seat-run-rates.js';
import { spendSourceId } from './spend-source-id.js';

export const AI_SPEND_DIMENSIONS = ['category', 'vendor', 'team', 'channel', 'status'] as const;
export type AiSpendDimension = (typeof AI_SPEND_DIMENSIONS)[number];

export interface AiSpendQuery {
  from: string;
  to: string;
  by: AiSpendDimension;
  /** Only this team's spend (a scoped token's view): ledger team, cost centre, plan owner, GPU team. */
  team?: string;
}

/** Where a dollar was seen: the gateway's ledger, an imported bill, a card / expense line, a seat plan, GPU usage. */
export type AiSpendOrigin = 'ledger' | 'billed' | 'expense' | 'seat' | 'gpu';

/** Dollars of one origin, vendor, category, team, channel and status on one UTC day. */
export interface AiSpendItem {
  origin: AiSpendOrigin;
  /** Catalog vendor name for expenses and seat plans; the provider id for ledger and billed spend. */
  vendor: string;
  category: SpendCategory;
  /** Ledger team, expense cost centre, plan owner team or GPU team; null when unattributed. */
  team: string | null;
  channel: SpendChannel | 'self_hosted';
  /**
   * API spend seen by the gateway or billed to the organisation, and self-hosted GPUs, count as
   * sanctioned; an expense line or seat plan takes its spend source's status.
   */
  status: SourceStatus;
  /** `YYYY-MM-DD`. */
  day: string;
  /** Negative for a plan owner's card charge taken back out (it pays the plan already counted). */
  amount: Decimal;
}

export interface AiSpendItems {
  items: AiSpendItem[];
  excluded_prepaid: Decimal;
  excluded_seat_charges: Decimal;
  excluded_gpu_payments: Decimal;
  unconverted_lines: number;
}

export interface AiSpendResult {
  rows: { key: string | null; amount_usd: string }[];
  total: string;
  parts: { ledger: string; billed: string; expenses: string; seats: string; gpu: string };
  /** Card charges for API credits of providers whose usage is already counted. */
  excluded_prepaid: string;
  /** Card / expense lines of seat plans whose run-rate is counted (the plan's own payments). */
  excluded_seat_charges: string;
  /** GPU-cloud card / expense charges of vendors whose GPU usage is counted. */
  excluded_gpu_payments: string;
  /** Matched expense lines with no USD amount (not in the total). */
  unconverted_lines: number;
}

/** Catalog vendor names to the ledger's / bill's provider ids, for the prepaid-credit rule. */
export const PROVIDERS_OF: Readonly<Record<string, readonly string[]>> = {
  OpenAI: ['openai'],
  Anthropic: ['anthropic'],
  Google: ['gemini', 'vertex'],
  Microsoft: ['azure', 'azure-openai'],
  'Amazon Web Services': ['bedrock'],
  'Mistral AI': ['mistral'],
};

const ZERO = Decimal.ZERO;
const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** Every counted dollar in `[from, to)` as items, with what was left out and why. */
export async function aiSpendItems(store: Store, q: { from: string; to: string }): Promise<AiSpendItems> {
  const items: AiSpendItem[] = [];
  const billed = await store.billed.totals({ from: q.from, to: q.to });
  const billedDays = new Set<string>();
  for (const b of billed) {
    const day = b.charge_start.slice(0, 10);
    billedDays.add(`${b.provider}|${day}`);
    items.push({ origin: 'billed', vendor: b.provider, category: 'model_api', team: null, channel: 'api_direct', status: 'sanctioned', day, amount: Decimal.parse(b.amount_usd) });
  }
  const ledger = await store.getSpend({ from: q.from, to: q.to, group_by: ['provider', 'team'], granularity: 'day' });
  const apiProviders = new Set(billed.map((b) => b.provider));
  for (const r of ledger.rows) {
    const provider = r.groups['provider'] ?? 'unknown';
    const cost = Decimal.parse(r.cost);
    if (!cost.isZero()) apiProviders.add(provider);
    const day = (r.period ?? q.from).slice(0, 10);
    if (billedDays.has(`${provider}|${day}`)) continue;
    items.push({ origin: 'ledger', vendor: provider, category: 'model_api', team: r.groups['team'] ?? null, channel: 'api_direct', status: 'sanctioned', day, amount: cost });
  }

  const sources = await store.inventory.sources();
  const plans = seatPlans(sources);
  // A run-rate is spend as time passes: the part of the window still in the future has not been spent.
  const from = Date.parse(q.from);
  const incurredTo = Math.min(Date.parse(q.to), Date.now());
  for (const s of plans) {
    for (let start = from; start < incurredTo; ) {
      const d = new Date(start);
      const end = Math.min(incurredTo, Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
      items.push({ origin: 'seat', vendor: s.vendor, category: s.category, team: s.owner_team, channel: s.channel, status: s.status, day: dayOf(start), amount: prorateMonthly(Decimal.parse(s.run_rate_usd!), start, end) });
      start = end;
    }
  }
  const planIds = new Set(plans.map((s) => s.source_id));

  const gpuVendors = new Set<string>();
  for (const l of await store.inventory.gpuUsage({ from: q.from, to: q.to })) {
    const amount = Decimal.parse(l.cost_usd);
    if (amount.isZero()) continue;
    if (l.vendor !== null) gpuVendors.add(l.vendor.toLowerCase());
    items.push({ origin: 'gpu', vendor: l.vendor ?? 'self-hosted', category: 'gpu_compute', team: l.team, channel: 'self_hosted', status: 'sanctioned', day: l.day, amount });
  }

  const statusOf = new Map(sources.map((s) => [s.source_id, s.status]));
  let prepaid = ZERO;
  let seatCharges = ZERO;
  let gpuPayments = ZERO;
  let unconverted = 0;
  /** Which rule, if any, keeps a matched line's dollars out (they are counted elsewhere). */
  const excludedBy = (e: { vendor: string; product: string; category: string; channel: string }): 'prepaid' | 'seat' | 'gpu' | null => {
    if (e.category === 'model_api' && (Object.hasOwn(PROVIDERS_OF, e.vendor) ? PROVIDERS_OF[e.vendor]! : []).some((p) => apiProviders.has(p))) return 'prepaid';
    if (planIds.has(spendSourceId(e.vendor, e.product, e.channel))) return 'seat';
    if (e.category === 'gpu_compute' && gpuVendors.has(e.vendor.toLowerCase())) return 'gpu';
    return null;
  };
  const expenseItem = (e: { vendor: string; product: string; category: SpendCategory; channel: SpendChannel; cost_centre: string | null }, day: string, amount: Decimal): AiSpendItem => ({
    origin: 'expense',
    vendor: e.vendor,
    category: e.category,
    team: e.cost_centre,
    channel: e.channel,
    status: statusOf.get(spendSourceId(e.vendor, e.product, e.channel)) ?? 'under_review',
    day,
    amount,
  });
  for (const e of await store.inventory.totals({ from: q.from, to: q.to })) {
    unconverted += e.unconverted_lines;
    const amount = Decimal.parse(e.amount_usd);
    const rule = excludedBy(e);
    if (rule === 'prepaid') prepaid = prepaid.add(amount);
    else if (rule === 'seat') seatCharges = seatCharges.add(amount);
    else if (rule === 'gpu') gpuPayments = gpuPayments.add(amount);
    else items.push(expenseItem(e, e.day, amount));
  }
  // A plan's owner paying its vendor in its category on their card is paying the plan (a company
  // card charge for Cursor Business), not buying a seat of their own: taken back out, line by line.
  const isPlanCharge = planChargeTest(plans);
  if (plans.some((s) => s.owner_person !== null)) {
    for (const l of await store.inventory.lines({ state: 'matched', from: q.from, to: q.to })) {
      if (l.amount_usd === null || l.vendor === null || l.product === null || l.category === null) continue;
      const e = { vendor: l.vendor, product: l.product, category: l.category, channel: l.channel, cost_centre: l.cost_centre, employee: l.employee };
      // Lines a row rule already kept out (including the plan's own source) are not taken out twice.
      if (excludedBy(e) !== null || !isPlanCharge(e)) continue;
      const amount = Decimal.parse(l.amount_usd);
      items.push(expenseItem(e, l.occurred_at.slice(0, 10), amount.neg()));
      seatCharges = seatCharges.add(amount);
    }
  }
  return { items, excluded_prepaid: prepaid, excluded_seat_charges: seatCharges, excluded_gpu_payments: gpuPayments, unconverted_lines: unconverted };
}

/** The item's key for a dimension. */
export function itemKey(item: AiSpendItem, by: AiSpendDimension): string | null {
  return item[by];
}

/** Sums per key, dearest first (ties by key). */
export function sumBy(items: readonly AiSpendItem[], key: (i: AiSpendItem) => string | null): { key: string | null; amount_usd: string }[] {
  const sums = new Map<string | null, Decimal>();
  for (const i of items) {
    const k = key(i);
    sums.set(k, (sums.get(k) ?? ZERO).add(i.amount));
  }
  return [...sums.entries()]
    .sort(([ka, a], [kb, b]) => b.cmp(a) || String(ka).localeCompare(String(kb)))
    .map(([k, v]) => ({ key: k, amount_usd: v.toString() }));
}

export async function aiSpend(store: Store, q: AiSpendQuery): Promise<AiSpendResult> {
  const all = await aiSpendItems(store, q);
  const items = q.team === undefined ? all.items : all.items.filter((i) => i.team === q.team);
  const part = (o: AiSpendOrigin): Decimal => Decimal.sum(items.filter((i) => i.origin === o).map((i) => i.amount));
  const parts = { ledger: part('ledger'), billed: part('billed'), expenses: part('expense'), seats: part('seat'), gpu: part('gpu') };
  // A team's view leaves out what cannot be attributed to it (the exclusions are organisation-wide).
  const org = (d: Decimal): string => (q.team === undefined ? d.toString() : '0');
  return {
    rows: sumBy(items, (i) => itemKey(i, q.by)),
    total: Decimal.sum(Object.values(parts)).toString(),
    parts: { ledger: parts.ledger.toString(), billed: parts.billed.toString(), expenses: parts.expenses.toString(), seats: parts.seats.toString(), gpu: parts.gpu.toString() },
    excluded_prepaid: org(all.excluded_prepaid),
    excluded_seat_charges: org(all.excluded_seat_charges),
    excluded_gpu_payments: org(all.excluded_gpu_payments),
    unconverted_lines: all.unconverted_lines,
  };
}
