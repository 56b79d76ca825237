/**
 * All AI spend over time: the same items as the one total (ai-spend.ts), bucketed by UTC day,
 * ISO week (starting Monday) or calendar month, each bucket split by category — so the trend's
 * buckets always add up to the total for the same window.
 */
import { Decimal } from '../pricing/decimal.js';
import type { Store } from '../store/store.js';
import { aiSpendItems, sumBy, type AiSpendItem } from './ai-spend.js';

export const TREND_GRANULARITIES = ['day', 'week', 'month'] as const;
export type TrendGranularity = (typeof TREND_GRANULARITIES)[number];

export interface AiSpendTrendRow {
  /** First day of the bucket, `YYYY-MM-DD`. */
  period: string;
  total: string;
  by_category: { key: string | null; amount_usd: string }[];
}

export interface AiSpendTrend {
  granularity: TrendGranularity;
  rows: AiSpendTrendRow[];
  total: string;
}

/** The bucket a `YYYY-MM-DD` day falls in. */
export function periodOf(day: string, g: TrendGranularity): string {
  if (g === 'day') return day;
  if (g === 'month') return `${day.slice(0, 7)}-01`;
  const t = Date.parse(`${day}T00:00:00Z`);
  const monday = t - ((new Date(t).getUTCDay() + 6) % 7) * 86_400_000;
  return new Date(monday).toISOString().slice(0, 10);
}

export async function aiSpendTrend(store: Store, q: { from: string; to: string; granularity: TrendGranularity; team?: string }): Promise<AiSpendTrend> {
  const { items } = await aiSpendItems(store, q);
  const buckets = new Map<string, AiSpendItem[]>();
  for (const i of items) {
    if (q.team !== undefined && i.team !== q.team) continue;
    const p = periodOf(i.day, q.granularity);
    const list = buckets.get(p);
    if (list) list.push(i);
    else buckets.set(p, [i]);
  }
  const rows = [...buckets.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([period, list]) => ({ period, total: Decimal.sum(list.map((i) => i.amount)).toString(), by_category: sumBy(list, (i) => i.category) }));
  return { granularity: q.granularity, rows, total: Decimal.sum(rows.map((r) => Decimal.parse(r.total))).toString() };
}
