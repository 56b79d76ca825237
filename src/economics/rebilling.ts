/**
 * The rebilling export: per customer and model, what the AI usage cost and what to bill for it,
 * for SaaS teams that pass AI cost on to their customers.
 *
 * Two pricing modes, never mixed in one export:
 * - cost plus: billed = cost × (1 + markup_pct / 100), exact. Calls without a known price cannot
 *   be billed this way: they are counted in `unpriced_calls` and the row's billed amount covers
 *   only the priced calls (the export says so; nothing is billed at $0 silently).
 * - rate card: billed = tokens × the card's per-million-token rates for the model (or its
 *   `default`), so unpriced calls are billable too. A model the card does not cover refuses the
 *   export, naming it, rather than billing it at nothing.
 */
import { z } from 'zod';
import { Decimal } from '../pricing/decimal.js';
import type { Store } from '../store/store.js';
import { toCsv } from '../analytics/csv.js';

const rate = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const d = Decimal.tryParse(v);
  if (d === undefined || d.isNegative()) {
    ctx.addIssue({ code: 'custom', message: `not a non-negative decimal: ${JSON.stringify(v)}` });
    return z.NEVER;
  }
  return d;
});
const cardRates = z.strictObject({ input_per_mtok: rate, output_per_mtok: rate, cache_read_per_mtok: rate.optional(), cache_write_per_mtok: rate.optional() });
export const rateCardSchema = z.strictObject({ default: cardRates.optional(), models: z.record(z.string().min(1), cardRates).optional() });
export type RateCard = z.output<typeof rateCardSchema>;

export interface RebillingRow {
  customer: string | null;
  model: string | null;
  calls: number;
  unpriced_calls: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  cost: string;
  billed: string;
}

export interface RebillingExport {
  from: string;
  to: string;
  mode: 'cost_plus' | 'rate_card';
  markup_pct: string | null;
  rows: RebillingRow[];
  /** Per customer: billed and cost summed over its models. */
  customers: { customer: string | null; cost: string; billed: string; unpriced_calls: number }[];
}

const tokens = (n: number, perMtok: Decimal): Decimal => Decimal.fromInt(n).mul(perMtok).shift(6);

export async function buildRebilling(store: Store, q: { from: string; to: string; markup_pct?: string; rate_card?: RateCard }): Promise<RebillingExport> {
  if (q.markup_pct !== undefined && q.rate_card !== undefined) throw new RangeError('markup and a rate card are two pricing modes: pass one');
  const markup = Decimal.tryParse(q.markup_pct ?? '0');
  if (markup === undefined || markup.cmp(Decimal.fromInt(-100)) < 0 || markup.cmp(Decimal.fromInt(10_000)) > 0) throw new RangeError(`markup_pct: "${q.markup_pct}" is not a percentage from -100 to 10000`);
  const spend = await store.getSpend({ from: q.from, to: q.to, group_by: ['customer', 'model'] });
  const card = q.rate_card;
  if (card) {
    const missing = [...new Set(spend.rows.map((r) => r.groups['model'] ?? '(unknown model)'))].filter((m) => !card.models?.[m] && !card.default);
    if (missing.length > 0) throw new RangeError(`the rate card has no rates for ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', …' : ''}: add them or a "default"`);
  }
  const factor = Decimal.ONE.add(markup.shift(2));
  const rows: RebillingRow[] = spend.rows.map((r) => {
    const model = r.groups['model'] ?? null;
    const cost = Decimal.parse(r.cost);
    let billed: Decimal;
    if (card) {
      const c = (model !== null ? card.models?.[model] : undefined) ?? card.default!;
      billed = tokens(r.input_tokens, c.input_per_mtok)
        .add(tokens(r.output_tokens, c.output_per_mtok))
        .add(tokens(r.cache_read_tokens, c.cache_read_per_mtok ?? c.input_per_mtok))
        .add(tokens(r.cache_write_tokens, c.cache_write_per_mtok ?? c.input_per_mtok));
    } else billed = cost.mul(factor);
    return {
      customer: r.groups['customer'] ?? null,
      model,
      calls: r.requests,
      unpriced_calls: r.unpriced_requests,
      input_tokens: r.input_tokens,
      output_tokens: r.output_tokens,
      cache_read_tokens: r.cache_read_tokens,
      cache_write_tokens: r.cache_write_tokens,
      cost: cost.toString(),
      billed: billed.round(18).toString(),
    };
  });
  rows.sort((a, b) => String(a.customer).localeCompare(String(b.customer)) || String(a.model).localeCompare(String(b.model)));
  const byCustomer = new Map<string | null, { cost: Decimal; billed: Decimal; unpriced: number }>();
  for (const r of rows) {
    const e = byCustomer.get(r.customer) ?? { cost: Decimal.ZERO, billed: Decimal.ZERO, unpriced: 0 };
    byCustomer.set(r.customer, { cost: e.cost.add(Decimal.parse(r.cost)), billed: e.billed.add(Decimal.parse(r.billed)), unpriced: e.unpriced + r.unpriced_calls });
  }
  return {
    from: new Date(q.from).toISOString(),
    to: new Date(q.to).toISOString(),
    mode: card ? 'rate_card' : 'cost_plus',
    markup_pct: card ? null : markup.toString(),
    rows,
    customers: [...byCustomer].map(([customer, e]) => ({ customer, cost: e.cost.toString(), billed: e.billed.toString(), unpriced_calls: e.unpriced })),
  };
}

export const REBILLING_CSV_HEADER = ['customer', 'model', 'calls', 'unpriced_calls', 'input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens', 'cost_usd', 'billed_usd'] as const;

export function rebillingCsv(e: RebillingExport): string {
  return toCsv(REBILLING_CSV_HEADER, e.rows.map((r) => [r.customer, r.model, r.calls, r.unpriced_calls, r.input_tokens, r.output_tokens, r.cache_read_tokens, r.cache_write_tokens, r.cost, r.billed]));
}
