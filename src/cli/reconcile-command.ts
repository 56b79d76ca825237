/** `costrail reconcile`: the ledger against the imported bills (GET /api/reconciliation). */
import type { Command } from 'commander';
import { parseReconciliationQuery, type ReconciliationResult } from '../billing/reconciliation.js';
import { withApi, withApiOptions, type ApiAccessOptions } from './api-access.js';
import { CliError } from './cli-error.js';
import { formatUsd } from './money-format.js';
import { printTable } from './table.js';

interface ReconcileOpts extends ApiAccessOptions {
  from?: string;
  to?: string;
  by: string;
  tz: string;
  json?: boolean;
}

export function registerReconcileCommand(program: Command): void {
  withApiOptions(
    program
      .command('reconcile')
      .description('Observed (ledger) vs billed (imported exports) spend per provider and day: the gap, exactly, and what explains it')
      .requiredOption('--from <iso>', 'start, inclusive (ISO 8601)')
      .requiredOption('--to <iso>', 'end, exclusive (ISO 8601)')
      .option('--by <dims>', 'provider,day, optionally with model or account', 'provider,day')
      .option('--tz <zone>', 'IANA time zone for days', 'UTC')
      .option('--json', 'print the API response: {rows:[{provider, day, observed, billed, gap, gap_pct, explained:[{kind, amount, detail}]}], total, coverage}'),
  )
    .addHelpText('after', '\nImport the bills first: costrail import billing FILE. Explanation kinds: unmetered_account, price_difference,\ncredit, tax, discount, unpriced_calls, timing; what they leave is unexplained.')
    .action(async (opts: ReconcileOpts) => {
      const q = parseReconciliationQuery({ from: opts.from, to: opts.to, by: opts.by, tz: opts.tz });
      if ('error' in q) throw new CliError(q.error, 2);
      const params = new URLSearchParams({ from: q.from, to: q.to, by: opts.by, tz: q.tz });
      const result = await withApi(opts, (s) => s.client.get<ReconciliationResult>(`/api/reconciliation?${params.toString()}`));
      if (opts.json) {
        process.stdout.write(JSON.stringify(result, null, 2) + '\n');
        return;
      }
      const third = q.by;
      const rows = result.rows.map((r) => ({
        day: r.day,
        provider: r.provider,
        ...(third ? { [third]: (third === 'model' ? r.model : r.account) ?? '-' } : {}),
        observed: formatUsd(r.observed),
        billed: formatUsd(r.billed),
        gap: formatUsd(r.gap),
        'gap %': r.gap_pct === null ? '-' : `${r.gap_pct}%`,
        explained: r.explained.map((e) => `${e.kind} ${formatUsd(e.amount)}`).join(', ') || '-',
      }));
      printTable(rows, ['day', 'provider', ...(third ? [third] : []), 'observed', 'billed', 'gap', 'gap %', 'explained']);
      const t = result.total;
      process.stdout.write(`\ntotal: observed ${formatUsd(t.observed)}, billed ${formatUsd(t.billed)}, gap ${formatUsd(t.gap)}${t.gap_pct === null ? '' : ` (${t.gap_pct}%)`}\n`);
      for (const e of t.explained) process.stdout.write(`  ${e.kind} ${formatUsd(e.amount)}: ${e.detail}\n`);
      const c = result.coverage;
      process.stdout.write(`coverage: ${c.metered_pct ?? '-'}% of billed usage metered, ${c.attributed_pct ?? '-'}% attributed to a team\n`);
    });
}
