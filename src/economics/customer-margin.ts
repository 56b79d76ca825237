/**
 * `costrail report margin`: per customer, revenue against AI cost over a window.
 *
 * - Revenue periods that straddle the window count pro rata by time (amount × overlap / period,
 *   exact, rounded once to 18 places); a window covering whole periods takes whole amounts.
 * - AI cost is in USD (the price book's currency). Revenue in another currency is converted with
 *   an explicit rate table (`EUR=1.08`: one EUR is 1.08 USD). Without a rate for a currency that
 *   occurs the report is REFUSED, naming the currency and customers: silently mixing currencies,
 *   or fetching a rate from the network, would make the margin wrong or unrepeatable.
 * - Customers with AI cost and no revenue are listed (revenue 0, margin_pct null): those are the
 *   margin-negative accounts a flat plan hides. Calls with no customer are reported apart.
 * - `alert_share` flags a customer whose AI cost exceeds that share of its revenue.
 */
import { Decimal } from '../pricing/decimal.js';
import type { RevenueRecord } from '../store/economics-types.js';
import type { Store } from '../store/store.js';
import { MONEY_PLACES, ratio } from './decimal-ratio.js';

export const REPORT_CURRENCY = 'USD';

export interface MarginRow {
  customer: string;
  /** In USD, exact (18 places at most after pro rata and conversion). */
  revenue: string;
  ai_cost: string;
  gross_margin: string;
  /** gross_margin / revenue × 100, 2 places; null without revenue. */
  margin_pct: string | null;
  /** ai_cost / revenue, 6 places; null without revenue. */
  ai_cost_share: string | null;
  has_revenue: boolean;
  /** Revenue before conversion, by currency (pro rata applied). */
  revenue_by_currency: Record<string, string>;
  unpriced_calls: number;
  /** True when alert_share was given and AI cost passes it (or there is cost and no revenue). */
  over_threshold: boolean;
}

export interface MarginReport {
  from: string;
  to: string;
  currency: typeof REPORT_CURRENCY;
  rates: Record<string, string>;
  alert_share: string | null;
  /** Worst margin first. */
  rows: MarginRow[];
  total: { revenue: string; ai_cost: string; gross_margin: string };
  /** AI cost of calls attributed to no customer (not in any row). */
  unattributed_cost: string;
}

export interface MarginQuery {
  from: string;
  to: string;
  /** Currency → USD per unit, exact decimal strings. */
  rates?: Record<string, string>;
  /** A share such as "0.3" (AI cost above 30% of revenue is flagged). */
  alert_share?: string;
}

/** `EUR=1.08,GBP=1.27` → { EUR: '1.08', GBP: '1.27' }; RangeError naming the bad part. */
export function parseRates(text: string): Record<string, string> {
  const rates: Record<string, string> = {};
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([A-Za-z]{3})[=:](.+)$/.exec(part);
    const rate = m ? Decimal.tryParse(m[2]!.trim()) : undefined;
    if (!m || rate === undefined || rate.isNegative() || rate.isZero()) throw new RangeError(`rates: "${part}" is not CUR=USD_PER_UNIT (e.g. EUR=1.08)`);
    rates[m[1]!.toUpperCase()] = rate.toString();
  }
  return rates;
}

function prorated(r: RevenueRecord, fromMs: number, toMs: number): Decimal {
  const start = Date.parse(r.period_start);
  const end = Date.parse(r.period_end);
  const overlap = Math.min(end, toMs) - Math.max(start, fromMs);
  const amount = Decimal.parse(r.amount);
  if (overlap >= end - start) return amount;
  return ratio(amount.mul(Decimal.fromInt(Math.max(0, overlap))), Decimal.fromInt(end - start), MONEY_PLACES) ?? Decimal.ZERO;
}

export async function buildMargin(store: Store, q: MarginQuery): Promise<MarginReport> {
  const fromMs = Date.parse(q.from);
  const toMs = Date.parse(q.to);
  if (!Number.isFinite(fromMs) || !Number.isFinite(toMs) || toMs <= fromMs) throw new RangeError('from and to must be ISO 8601 instants with from before to');
  const rates: Record<string, string> = { ...(q.rates ?? {}), [REPORT_CURRENCY]: '1' };
  const share = q.alert_share === undefined ? undefined : Decimal.tryParse(q.alert_share);
  if (q.alert_share !== undefined && (share === undefined || share.isNegative())) throw new RangeError(`alert_share: "${q.alert_share}" is not a non-negative decimal such as 0.3`);

  const revenue = await store.economics.listRevenue({ from: q.from, to: q.to });
  const missing = new Map<string, Set<string>>();
  for (const r of revenue) if (rates[r.currency] === undefined) missing.set(r.currency, (missing.get(r.currency) ?? new Set()).add(r.customer));
  if (missing.size > 0) {
    const list = [...missing].map(([cur, cs]) => `${cur} (${[...cs].slice(0, 5).join(', ')}${cs.size > 5 ? ', …' : ''})`).join('; ');
    throw new RangeError(`revenue in ${list} needs a conversion rate to ${REPORT_CURRENCY}: pass rates such as ${[...missing.keys()].map((c) => `${c}=1.08`).join(',')} (USD per unit); no rate is guessed`);
  }

  const byCustomer = new Map<string, { usd: Decimal; byCurrency: Map<string, Decimal>; cost: Decimal; unpriced: number; hasRevenue: boolean }>();
  const entry = (c: string) => {
    let e = byCustomer.get(c);
    if (!e) byCustomer.set(c, (e = { usd: Decimal.ZERO, byCurrency: new Map(), cost: Decimal.ZERO, unpriced: 0, hasRevenue: false }));
    return e;
  };
  for (const r of revenue) {
    const e = entry(r.customer);
    const local = prorated(r, fromMs, toMs);
    e.hasRevenue = true;
    e.byCurrency.set(r.currency, (e.byCurrency.get(r.currency) ?? Decimal.ZERO).add(local));
    e.usd = e.usd.add(local.mul(Decimal.parse(rates[r.currency]!)));
  }
  const spend = await store.getSpend({ from: q.from, to: q.to, group_by: ['customer'] });
  let unattributed = Decimal.ZERO;
  for (const row of spend.rows) {
    const customer = row.groups['customer'];
    if (customer === null || customer === undefined) {
      unattributed = unattributed.add(Decimal.parse(row.cost));
      continue;
    }
    const e = entry(customer);
    e.cost = e.cost.add(Decimal.parse(row.cost));
    e.unpriced += row.unpriced_requests;
  }

  const hundred = Decimal.fromInt(100);
  const rows: MarginRow[] = [...byCustomer].map(([customer, e]) => {
    const usd = e.usd.round(MONEY_PLACES);
    const margin = usd.sub(e.cost);
    const costShare = ratio(e.cost, usd, 6);
    return {
      customer,
      revenue: usd.toString(),
      ai_cost: e.cost.toString(),
      gross_margin: margin.toString(),
      margin_pct: ratio(margin.mul(hundred), usd, 2)?.toString() ?? null,
      ai_cost_share: costShare?.toString() ?? null,
      has_revenue: e.hasRevenue,
      revenue_by_currency: Object.fromEntries([...e.byCurrency].map(([c, v]) => [c, v.toString()])),
      unpriced_calls: e.unpriced,
      over_threshold: share !== undefined && (costShare === null ? !e.cost.isZero() : costShare.cmp(share) > 0),
    };
  });
  rows.sort((a, b) => Decimal.parse(a.gross_margin).cmp(Decimal.parse(b.gross_margin)) || a.customer.localeCompare(b.customer));
  const totalRevenue = Decimal.sum(rows.map((r) => Decimal.parse(r.revenue)));
  const totalCost = Decimal.sum(rows.map((r) => Decimal.parse(r.ai_cost)));
  return {
    from: new Date(fromMs).toISOString(),
    to: new Date(toMs).toISOString(),
    currency: REPORT_CURRENCY,
    rates: Object.fromEntries(Object.entries(rates).filter(([c]) => c !== REPORT_CURRENCY)),
    alert_share: share?.toString() ?? null,
    rows,
    total: { revenue: totalRevenue.toString(), ai_cost: totalCost.toString(), gross_margin: totalRevenue.sub(totalCost).toString() },
    unattributed_cost: unattributed.toString(),
  };
}
