/** Showback as a self-contained HTML page (no scripts, inline styles) for mail or a wiki. */
import { driverText, pct, signedUsd, usd } from './showback-markdown.js';
import type { ShowbackReport } from './showback.js';
import { costOrUnpriced } from '../analytics/unpriced-label.js';

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const td = (s: string, num = false): string => `<td${num ? ' class="n"' : ''}>${esc(s)}</td>`;

export function showbackHtml(r: ShowbackReport): string {
  const owners = r.owners
    .map((o) => `<tr>${td(o.label)}${td(costOrUnpriced(o.direct, o.unpriced_requests, usd), true)}${td(o.allocated === '0' ? '–' : usd(o.allocated), true)}${td(usd(o.total), true)}${td(usd(o.previous), true)}${td(`${signedUsd(o.change)} (${pct(o.change_pct)})`, true)}${td(String(o.requests), true)}${td(o.drivers.map(driverText).join('; '))}</tr>`)
    .join('\n');
  const pools = r.pools.map((p) => `<tr>${td(p.label)}${td(p.kind)}${td(costOrUnpriced(p.cost, p.unpriced_requests, usd), true)}${td(usd(p.allocated), true)}${td(usd(p.unallocated), true)}${td(String(p.requests), true)}</tr>`).join('\n');
  const allocations = r.owners.flatMap((o) => o.allocations.map((a) => `<tr>${td(o.label)}${td(a.pool)}${td(usd(a.amount), true)}</tr>`)).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Showback ${esc(r.period.label)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px}th{background:#f4f4f4;text-align:left}.n{text-align:right;font-variant-numeric:tabular-nums}</style></head>
<body>
<h1>Showback ${esc(r.period.label)} by ${esc(r.by.join(' + '))}</h1>
<p>Ledger total <b>${esc(usd(r.totals.ledger))}</b> (${r.totals.requests} calls${r.totals.unpriced_requests ? `, ${r.totals.unpriced_requests} unpriced and not counted` : ''}), ${esc(signedUsd(r.totals.change))} vs ${esc(r.previous_period.label)}. Allocation: <b>${esc(r.allocation.rule)}</b>${r.allocation.note ? ` — ${esc(r.allocation.note)}` : ''}.</p>
<table><tr><th>Owner</th><th>Direct</th><th>Allocated</th><th>Total</th><th>Previous</th><th>Change</th><th>Calls</th><th>Top drivers</th></tr>
${owners}
</table>
${r.pools.length ? `<h2>Unattributed and shared spend</h2>\n<table><tr><th>Pool</th><th>Kind</th><th>Cost</th><th>Allocated</th><th>Unallocated</th><th>Calls</th></tr>\n${pools}\n</table>` : ''}
${allocations ? `<h3>Allocation lines</h3>\n<table><tr><th>Owner</th><th>From pool</th><th>Amount</th></tr>\n${allocations}\n</table>` : ''}
<p>Owners' direct ${esc(usd(r.totals.direct))} + pools ${esc(usd(r.totals.pools))} = ledger ${esc(usd(r.totals.ledger))}. Exact figures in the CSV and JSON formats.</p>
</body></html>
`;
}
