/** `costrail reprice --from --to [--dry-run]`: re-price history with today's price book and overrides. */
import type { Command } from 'commander';
import { parseRange } from '../analytics/instant.js';
import type { RepriceResult } from '../ledger-admin/reprice.js';
import { usd, signedUsd } from '../reports/showback-markdown.js';
import { costOrUnpriced } from '../analytics/unpriced-label.js';
import { withApi, withApiOptions, type ApiAccessOptions } from './api-access.js';
import { CliError, describeError } from './cli-error.js';
import { printTable } from './table.js';

interface RepriceOpts extends ApiAccessOptions {
  from: string;
  to: string;
  dryRun?: boolean;
  reason?: string;
  json?: boolean;
}

export function registerRepriceCommand(program: Command): void {
  withApiOptions(
    program
      .command('reprice')
      .description('Recompute costs of a period with the current price book and overrides (e.g. a back-dated negotiated discount); the old figures stay in the audit trail')
      .requiredOption('--from <date>', 'inclusive start, YYYY-MM-DD or ISO 8601 (UTC)')
      .requiredOption('--to <date>', 'exclusive end')
      .option('--dry-run', 'show what would change, change nothing')
      .option('--reason <text>', 'why, kept in the audit trail')
      .option('--json', 'print the result as JSON'),
  )
    .addHelpText('after', '\nOverrides live in <data>/price-overrides.json (discounts, custom prices, deployment names).')
    .action(async (opts: RepriceOpts) => {
      let range;
      try {
        range = parseRange(opts.from, opts.to);
      } catch (e) {
        throw new CliError(`--${describeError(e)}`, 2);
      }
      const result = await withApi(opts, ({ client }) => client.post<RepriceResult>('/api/reprice', { ...range, dry_run: Boolean(opts.dryRun), ...(opts.reason ? { reason: opts.reason } : {}) }));
      if (opts.json) {
        process.stdout.write(JSON.stringify(result, null, 2) + '\n');
        return;
      }
      printTable(
        result.models.map((m) => ({ provider: m.provider, model: m.model, records: m.records, changed: m.changed, old: costOrUnpriced(m.old_cost, m.old_unpriced, usd), new: costOrUnpriced(m.new_cost, m.new_unpriced, usd), difference: signedUsd(m.difference), exact_difference: m.difference })),
        ['provider', 'model', 'records', 'changed', 'old', 'new', 'difference', 'exact_difference'],
      );
      const verb = result.dry_run ? 'would change' : 'changed';
      process.stdout.write(
        `\n${result.scanned} records scanned, ${result.considered} re-priced, ${verb} ${result.changed}; skipped ${result.skipped.no_usage} without usage and ${result.skipped.reported_import} imported with a reported cost.\n` +
          `total ${usd(result.totals.old_cost)} → ${usd(result.totals.new_cost)} (${signedUsd(result.totals.difference)}, exact ${result.totals.difference}) with price book ${result.price_version}${result.dry_run ? ' — dry run, nothing changed' : ''}\n`,
      );
    });
}
