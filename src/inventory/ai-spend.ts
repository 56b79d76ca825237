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
 */
import { Decimal } from '../pricing/decimal.js';
import type { Store } from '../store/store.js';

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
  parts: { ledger: string; billed: string; expenses: string };
  /** Card charges for API credits of providers whose usage is already counted. */
  excluded_prepaid: string;
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

  let expenses = ZERO;
  let prepaid = ZERO;
  let unconverted = 0;
  for (const e of await store.inventory.totals({ from: q.from, to: q.to })) {
    unconverted += e.unconverted_lines;
    const amount = Decimal.parse(e.amount_usd);
    if (e.category === 'model_api' && (PROVIDERS_OF[e.vendor] ?? []).some((p) => apiProviders.has(p))) {
      prepaid = prepaid.add(amount);
      continue;
    }
    expenses = expenses.add(amount);
    add(q.by === 'category' ? e.category : q.by === 'vendor' ? e.vendor : q.by === 'channel' ? e.channel : e.cost_centre, amount);
  }
  const rows = [...sums.entries()].map(([key, v]) => ({ key, amount_usd: v.toString() })).sort((a, b) => Decimal.parse(b.amount_usd).cmp(Decimal.parse(a.amount_usd)) || String(a.key).localeCompare(String(b.key)));
  return {
    rows,
    total: ledgerTotal.add(billedTotal).add(expenses).toString(),
    parts: { ledger: ledgerTotal.toString(), billed: billedTotal.toString(), expenses: expenses.toString() },
    excluded_prepaid: prepaid.toString(),
    unconverted_lines: unconverted,
  };
}
