/** The models, keys, traces and features behind an alert's scope in its window, by spend. */
import type { Store } from '../store/store.js';
import type { Contributor } from './alert-types.js';
import type { Scope } from './scope.js';

const DIMENSIONS = ['model', 'key_id', 'trace_id', 'feature'] as const;

export async function topContributors(store: Store, scope: Scope, fromMs: number, toMs: number, perDimension = 3): Promise<Contributor[]> {
  const out: Contributor[] = [];
  for (const dim of DIMENSIONS) {
    if (dim in scope) continue;
    const res = await store.getSpend({ from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), group_by: [dim], filters: scope });
    const rows = [...res.rows].sort((a, b) => Number(b.cost) - Number(a.cost)).slice(0, perDimension);
    for (const r of rows) if (Number(r.cost) > 0) out.push({ dimension: dim, value: r.groups[dim] ?? null, cost: r.cost, requests: r.requests });
  }
  return out;
}
