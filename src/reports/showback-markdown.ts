/** Showback as a readable Markdown summary (money rounded to cents for reading; CSV/JSON are exact). */
import { Decimal } from '../pricing/decimal.js';
import type { Driver, ShowbackReport } from './showback.js';
import { costOrUnpriced } from '../analytics/unpriced-label.js';

export function usd(v: string): string {
  const d = Decimal.parse(v).round(2);
  const [int, frac = ''] = (d.isNegative() ? d.neg() : d).toString().split('.');
  return `${d.isNegative() ? '-' : ''}$${(int ?? '0').replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${frac.padEnd(2, '0')}`;
}

export function signedUsd(v: string): string {
  return Decimal.parse(v).isNegative() ? usd(v) : `+${usd(v)}`;
}

export function pct(p: number | null): string {
  return p === null ? 'new' : `${p > 0 ? '+' : ''}${p.toFixed(1)}%`;
}

export function driverText(d: Driver): string {
  return `${d.kind} ${d.name ?? '(none)'} ${signedUsd(d.change)}`;
}

const esc = (s: string): string => s.replace(/\|/g, '\\|');

export function showbackMarkdown(r: ShowbackReport): string {
  const out: string[] = [];
  out.push(`# Showback ${r.period.label} by ${r.by.join(' + ')}`, '');
  out.push(`Ledger total **${usd(r.totals.ledger)}** (${r.totals.requests} calls${r.totals.unpriced_requests ? `, ${r.totals.unpriced_requests} unpriced and not counted` : ''}), ${signedUsd(r.totals.change)} vs ${r.previous_period.label} (${usd(r.totals.previous_ledger)}).`);
  out.push(`Period ${r.period.from} to ${r.period.to} (${r.tz}). Allocation: **${r.allocation.rule}**${r.allocation.shared.length ? `; shared: ${r.allocation.shared.join(', ')}` : ''}.${r.allocation.note ? ` ${r.allocation.note}.` : ''}`, '');
  out.push('| Owner | Direct | Allocated | Total | Previous | Change | Calls | Top drivers |', '|---|---:|---:|---:|---:|---:|---:|---|');
  for (const o of r.owners) {
    out.push(`| ${esc(o.label)} | ${costOrUnpriced(o.direct, o.unpriced_requests, usd)} | ${o.allocated === '0' ? '–' : usd(o.allocated)} | ${usd(o.total)} | ${usd(o.previous)} | ${signedUsd(o.change)} (${pct(o.change_pct)}) | ${o.requests} | ${esc(o.drivers.map(driverText).join('; '))} |`);
  }
  out.push('');
  if (r.pools.length) {
    out.push('## Unattributed and shared spend', '', '| Pool | Kind | Cost | Allocated | Unallocated | Calls |', '|---|---|---:|---:|---:|---:|');
    for (const p of r.pools) out.push(`| ${esc(p.label)} | ${p.kind} | ${costOrUnpriced(p.cost, p.unpriced_requests, usd)} | ${usd(p.allocated)} | ${usd(p.unallocated)} | ${p.requests} |`);
    out.push('');
    const lines = r.owners.flatMap((o) => o.allocations.map((a) => `| ${esc(o.label)} | ${esc(a.pool)} | ${usd(a.amount)} |`));
    if (lines.length) out.push('### Allocation lines', '', '| Owner | From pool | Amount |', '|---|---|---:|', ...lines, '');
  }
  if (r.drivers.length) {
    out.push('## What changed most', '');
    for (const d of r.drivers) out.push(`- ${esc(d.owner ?? '')}: ${driverText(d)} (${usd(d.previous)} → ${usd(d.current)})`);
    out.push('');
  }
  out.push('## Models per owner', '');
  for (const o of [...r.owners, ...r.pools]) {
    if (o.models.length === 0) continue;
    out.push(`### ${o.label}`, '', '| Model | Cost | Calls | Input | Cache read | Output | Reasoning |', '|---|---:|---:|---:|---:|---:|---:|');
    for (const m of o.models) out.push(`| ${esc(m.model ?? '(unknown)')} | ${costOrUnpriced(m.cost, m.unpriced_requests, usd)} | ${m.requests} | ${m.input_tokens} | ${m.cache_read_tokens} | ${m.output_tokens} | ${m.reasoning_tokens} |`);
    out.push('');
  }
  out.push(`Reconciliation: owners' direct ${usd(r.totals.direct)} + pools ${usd(r.totals.pools)} = ledger ${usd(r.totals.ledger)}; allocated ${usd(r.totals.allocated)}, unallocated ${usd(r.totals.unallocated)}. Exact figures: --format json or csv.`);
  return out.join('\n') + '\n';
}
