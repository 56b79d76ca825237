/**
 * Showback as CSV, one line per fact, typed by `line`: `direct` (owner x model), `allocation`
 * (owner x pool it received from), `owner_total`, `pool`, `pool_unallocated`, `ledger_total`.
 * Amounts are exact decimals; sum(direct) + sum(pool) = ledger_total.
 */
import { toCsv, type CsvValue } from '../analytics/csv.js';
import type { ShowbackReport, UsageTotals } from './showback.js';

const USAGE: (keyof UsageTotals)[] = ['requests', 'unpriced_requests', 'input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens', 'reasoning_tokens'];

export function showbackCsv(r: ShowbackReport): string {
  const header = ['period', 'line', 'owner', ...r.by, 'pool', 'model', 'cost', 'previous', 'change', ...USAGE];
  const rows: CsvValue[][] = [];
  const row = (line: string, owner: Record<string, string | null> | null, label: string, pool: string | null, model: string | null, cost: string, previous: string | null, change: string | null, u: UsageTotals | null): void => {
    rows.push([r.period.label, line, label, ...r.by.map((d) => owner?.[d] ?? null), pool, model, cost, previous, change, ...USAGE.map((k) => (u ? u[k] : null))]);
  };
  for (const o of r.owners) {
    for (const m of o.models) row('direct', o.owner, o.label, null, m.model, m.cost, null, null, m);
    for (const a of o.allocations) row('allocation', o.owner, o.label, a.pool, null, a.amount, null, null, null);
    row('owner_total', o.owner, o.label, null, null, o.total, o.previous, o.change, o);
  }
  for (const p of r.pools) {
    row('pool', p.owner, p.label, p.label, null, p.cost, p.previous, null, p);
    if (p.unallocated !== '0') row('pool_unallocated', p.owner, p.label, p.label, null, p.unallocated, null, null, null);
  }
  row('ledger_total', null, '', null, null, r.totals.ledger, r.totals.previous_ledger, r.totals.change, null);
  return toCsv(header, rows);
}
