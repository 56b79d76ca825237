/**
 * One total of AI spend: metered API spend (ledger), billed API spend (imported provider exports)
 * and SaaS / expense spend (matched card and expense lines), never counting a dollar twice:
 *
 * - API spend, per provider and UTC day: billed lines replace ledger spend where billed lines exist
 *   for that provider and day (the bill is what was charged; the rule of src/billing/reconciliation.ts),
 *   otherwise the ledger's priced cost counts.
 * - An expense line matched to a `model_api` product of a provider with any API spend in the
 *   window (a card charge for OpenAI prepaid credits) pays for that usage; it is not more usage, so
 *   it is reported as `excluded_prepaid`, not added.
 *
 * Everything is first gathered as spend items (one per origin, vendor, category, team, channel,
 * status and UTC day; `aiSpendItems`), so the grouped total, the trend, the team view and the
 * vendor / category budgets (src/inventory/imported-spend-meter.ts) all read one set of dollars.
 */
import { Decimal } from '../pricing/decimal.js';
import type { SourceStatus, SpendCategory, SpendChannel } from '../store/spend-source.js';
import type { Store } from '../store/store.js';
import { spendSourceId } from './spend-source-id.js';

export const AI_SPEND_DIMENSIONS = ['category', 'vendor', 'team', 'channel', 'status'] as const;
export type AiSpendDimension = (typeof AI_SPEND_DIMENSIONS)[number];

export interface AiSpendQuery {
  from: string;
  to: string;
  by: AiSpendDimension;
  /** Only this team's spend (a scoped token's view): ledger team or expense cost centre. */
  team?: string;
}

/** Where a dollar was seen: the gateway's ledger, an imported bill, a card / expense line. */
export type AiSpendOrigin = 'ledger' | 'billed' | 'expense';

/** Dollars of one origin, vendor, category, team, channel and status on one UTC day. */
export interface AiSpendItem {
  origin: AiSpendOrigin;
  /** Catalog vendor name for expenses; the provider id for ledger and billed spend. */
  vendor: string;
  category: SpendCategory;
  /** Ledger team or expense cost centre; null when unattributed (billed lines). */
  team: string | null;
  channel: SpendChannel;
  /**
   * API spend seen by the gateway or billed to the organisation counts as sanctioned; an expense
   * line takes its spend source's status (`under_review` until someone decides).
   */
  status: SourceStatus;
  /** `YYYY-MM-DD`. */
  day: string;
  amount: Decimal;
}

export interface AiSpendItems {
  items: AiSpendItem[];
  /** Card charges for API credits of providers whose usage is already counted. */
  excluded_prepaid: Decimal;
  unconverted_lines: number;
}

export interface AiSpendResult {
  rows: { key: string | null; amount_usd: string }[];
  total: string;
  parts: { ledger: string; billed: string; expenses: string };
  /** Card charges for API credits of providers whose usage is already counted. */
  excluded_prepaid: string;
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

  const statusOf = new Map((await store.inventory.sources()).map((s) => [s.source_id, s.status]));
  let prepaid = ZERO;
  let unconverted = 0;
  for (const e of await store.inventory.totals({ from: q.from, to: q.to })) {
    unconverted += e.unconverted_lines;
    const amount = Decimal.parse(e.amount_usd);
    if (e.category === 'model_api' && (PROVIDERS_OF[e.vendor] ?? []).some((p) => apiProviders.has(p))) {
      prepaid = prepaid.add(amount);
      continue;
    }
    const status = statusOf.get(spendSourceId(e.vendor, e.product, e.channel)) ?? 'under_review';
    items.push({ origin: 'expense', vendor: e.vendor, category: e.category, team: e.cost_centre, channel: e.channel, status, day: e.day, amount });
  }
  return { items, excluded_prepaid: prepaid, unconverted_lines: unconverted };
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
  const [ledger, billed, expenses] = [part('ledger'), part('billed'), part('expense')];
  return {
    rows: sumBy(items, (i) => itemKey(i, q.by)),
    total: ledger.add(billed).add(expenses).toString(),
    parts: { ledger: ledger.toString(), billed: billed.toString(), expenses: expenses.toString() },
    // A team's view leaves out what cannot be attributed to it (prepaid charges are per vendor).
    excluded_prepaid: q.team === undefined ? all.excluded_prepaid.toString() : '0',
    unconverted_lines: all.unconverted_lines,
  };
}
