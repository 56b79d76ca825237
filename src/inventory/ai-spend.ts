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
 */
import { Decimal } from '../pricing/decimal.js';
import type { Store } from '../store/store.js';
import { planChargeTest, prorateMonthly, seatPlans } from './seat-run-rates.js';
import { spendSourceId } from './spend-source-id.js';

export const AI_SPEND_DIMENSIONS = ['category', 'vendor', 'team', 'channel'] as const;
export type AiSpendDimension = (typeof AI_SPEND_DIMENSIONS)[number];

export interface AiSpendQuery {
  from: string;
  to: string;
  by: AiSpendDimension;
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
const PROVIDERS_OF: Record<string, readonly string[]> = {
  OpenAI: ['openai'],
  Anthropic: ['anthropic'],
  Google: ['gemini', 'vertex'],
  Microsoft: ['azure', 'azure-openai'],
  'Amazon Web Services': ['bedrock'],
  'Mistral AI': ['mistral'],
};

const ZERO = Decimal.ZERO;

export async function aiSpend(store: Store, q: AiSpendQuery): Promise<AiSpendResult> {
  const sums = new Map<string | null, Decimal>();
  const add = (key: string | null, amount: Decimal): void => void sums.set(key, (sums.get(key) ?? ZERO).add(amount));

  const billed = await store.billed.totals({ from: q.from, to: q.to });
  const billedDays = new Set<string>();
  let billedTotal = ZERO;
  for (const b of billed) {
    billedDays.add(`${b.provider}|${b.charge_start.slice(0, 10)}`);
    const amount = Decimal.parse(b.amount_usd);
    billedTotal = billedTotal.add(amount);
    add(q.by === 'category' ? 'model_api' : q.by === 'vendor' ? b.provider : q.by === 'channel' ? 'api_direct' : null, amount);
  }
  const ledger = await store.getSpend({ from: q.from, to: q.to, group_by: ['provider', 'team'], granularity: 'day' });
  let ledgerTotal = ZERO;
  const apiProviders = new Set(billed.map((b) => b.provider));
  for (const r of ledger.rows) {
    const provider = r.groups['provider'] ?? 'unknown';
    const cost = Decimal.parse(r.cost);
    if (!cost.isZero()) apiProviders.add(provider);
    if (billedDays.has(`${provider}|${(r.period ?? '').slice(0, 10)}`)) continue;
    ledgerTotal = ledgerTotal.add(cost);
    add(q.by === 'category' ? 'model_api' : q.by === 'vendor' ? provider : q.by === 'channel' ? 'api_direct' : r.groups['team'] ?? null, cost);
  }

  let seats = ZERO;
  const plans = seatPlans(await store.inventory.sources());
  // A run-rate is spend as time passes: the part of the window still in the future has not been spent.
  const incurredTo = Math.min(Date.parse(q.to), Date.now());
  for (const s of plans) {
    const amount = prorateMonthly(Decimal.parse(s.run_rate_usd!), Date.parse(q.from), incurredTo);
    seats = seats.add(amount);
    add(q.by === 'category' ? s.category : q.by === 'vendor' ? s.vendor : q.by === 'channel' ? s.channel : s.owner_team, amount);
  }
  const planIds = new Set(plans.map((s) => s.source_id));

  let gpu = ZERO;
  const gpuVendors = new Set<string>();
  for (const l of await store.inventory.gpuUsage({ from: q.from, to: q.to })) {
    const amount = Decimal.parse(l.cost_usd);
    if (amount.isZero()) continue;
    if (l.vendor !== null) gpuVendors.add(l.vendor.toLowerCase());
    gpu = gpu.add(amount);
    add(q.by === 'category' ? 'gpu_compute' : q.by === 'vendor' ? l.vendor ?? 'self-hosted' : q.by === 'channel' ? 'self_hosted' : l.team, amount);
  }

  let expenses = ZERO;
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
  const keyOf = (e: { vendor: string; category: string; channel: string; cost_centre: string | null }): string | null => (q.by === 'category' ? e.category : q.by === 'vendor' ? e.vendor : q.by === 'channel' ? e.channel : e.cost_centre);
  for (const e of await store.inventory.totals({ from: q.from, to: q.to })) {
    unconverted += e.unconverted_lines;
    const amount = Decimal.parse(e.amount_usd);
    const rule = excludedBy(e);
    if (rule === 'prepaid') prepaid = prepaid.add(amount);
    else if (rule === 'seat') seatCharges = seatCharges.add(amount);
    else if (rule === 'gpu') gpuPayments = gpuPayments.add(amount);
    else {
      expenses = expenses.add(amount);
      add(keyOf(e), amount);
    }
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
      expenses = expenses.sub(amount);
      add(keyOf(e), amount.neg());
      seatCharges = seatCharges.add(amount);
    }
  }
  const rows = [...sums.entries()].map(([key, v]) => ({ key, amount_usd: v.toString() })).sort((a, b) => Decimal.parse(b.amount_usd).cmp(Decimal.parse(a.amount_usd)) || String(a.key).localeCompare(String(b.key)));
  return {
    rows,
    total: ledgerTotal.add(billedTotal).add(expenses).add(seats).add(gpu).toString(),
    parts: { ledger: ledgerTotal.toString(), billed: billedTotal.toString(), expenses: expenses.toString(), seats: seats.toString(), gpu: gpu.toString() },
    excluded_prepaid: prepaid.toString(),
    excluded_seat_charges: seatCharges.toString(),
    excluded_gpu_payments: gpuPayments.toString(),
    unconverted_lines: unconverted,
  };
}
