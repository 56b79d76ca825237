/** Turns spend rows (period × group) into chart series: the top groups by spend, the rest as "other". */
import type { SpendRow } from '../api/types';
import { compareMoney, fromUnits, toUnits } from './money';
import type { ChartSeries } from '../charts/spend-chart';

export const NONE_LABEL = '(none)';

export function groupLabel(row: SpendRow, dims: readonly string[]): string {
  if (dims.length === 0) return 'spend';
  return dims.map((d) => (row[d] === null || row[d] === undefined ? NONE_LABEL : String(row[d]))).join(' · ');
}

export function toSeries(rows: readonly SpendRow[], dims: readonly string[], top = 8): { categories: string[]; series: ChartSeries[] } {
  const categories = [...new Set(rows.map((r) => r.period ?? ''))].sort();
  const index = new Map(categories.map((c, i) => [c, i]));
  const totals = new Map<string, bigint>();
  for (const r of rows) totals.set(groupLabel(r, dims), (totals.get(groupLabel(r, dims)) ?? 0n) + toUnits(r.cost));
  const ranked = [...totals.entries()].sort((a, b) => compareMoney(fromUnits(b[1]), fromUnits(a[1]))).map(([k]) => k);
  const kept = new Set(ranked.slice(0, top));
  const byName = new Map<string, number[]>();
  for (const r of rows) {
    const label = groupLabel(r, dims);
    const name = kept.has(label) ? label : 'other';
    const values = byName.get(name) ?? new Array<number>(categories.length).fill(0);
    const i = index.get(r.period ?? '') ?? 0;
    values[i] = (values[i] ?? 0) + Number(r.cost);
    byName.set(name, values);
  }
  const order = [...ranked.filter((k) => kept.has(k)), ...(byName.has('other') ? ['other'] : [])];
  const groups = new Map<string, (string | null)[]>();
  for (const r of rows) groups.set(groupLabel(r, dims), dims.map((d) => (r[d] === null || r[d] === undefined ? null : String(r[d]))));
  return { categories, series: order.map((name) => ({ name, values: byName.get(name) ?? [], ...(name !== 'other' && groups.has(name) ? { group: groups.get(name) } : {}) })) };
}
