/**
 * `costrail billing pull`: a provider's cost report from its admin API into the billed line items,
 * through POST /api/billing/pull — in-process on the data folder, or by the running server (which
 * then uses its own admin key and keeps the pull in its log).
 */
import type { Command } from 'commander';
import type { BillingPullResult } from '../billing/pull/billing-pull.js';
import { parseRange } from '../analytics/instant.js';
import { withApi, withApiOptions, type ApiAccessOptions } from './api-access.js';
import { CliError, describeError } from './cli-error.js';

interface PullOpts extends ApiAccessOptions {
  provider: string;
  from: string;
  to: string;
  json?: boolean;
}

const PROVIDERS = ['openai', 'anthropic'];

export function registerBillingCommand(program: Command): void {
  const billing = program.command('billing').description("Bring in what providers actually charge (see also: costrail import billing, costrail reconcile)");
  withApiOptions(
    billing
      .command('pull')
      .description("Pull a provider's cost report from its admin API (OpenAI Costs API, Anthropic cost_report) and import it as billed line items")
      .requiredOption('--provider <p>', 'openai | anthropic')
      .requiredOption('--from <date>', 'inclusive start, YYYY-MM-DD or ISO 8601 (whole UTC days are pulled)')
      .requiredOption('--to <date>', 'exclusive end')
      .option('--json', 'print the result: {provider, from, to, pages, at, status, import:{…as import billing --json}, error?}'),
  )
    .addHelpText(
      'after',
      '\nThe admin key comes from COSTRAIL_OPENAI_ADMIN_KEY / COSTRAIL_ANTHROPIC_ADMIN_KEY (where the server runs,\nwhen one is running) and goes only to COSTRAIL_<P>_ADMIN_BASE_URL (default: the provider\'s base URL).\nPulling a period again changes nothing when the figures are the same, and replaces it when they changed.\n`serve` pulls the last two days daily when a key is set.',
    )
    .action(async (opts: PullOpts) => {
      if (!PROVIDERS.includes(opts.provider)) throw new CliError(`--provider must be one of ${PROVIDERS.join(', ')}, not "${opts.provider}"`, 2);
      try {
        parseRange(opts.from, opts.to);
      } catch (e) {
        throw new CliError(`--${describeError(e)}`, 2);
      }
      if (!opts.json) process.stderr.write(`pulling ${opts.provider} costs ${opts.from} – ${opts.to}…\n`);
      const r = await withApi(opts, (s) => s.client.post<BillingPullResult>('/api/billing/pull', { provider: opts.provider, from: opts.from, to: opts.to }));
      if (opts.json) {
        process.stdout.write(JSON.stringify(r, null, 2) + '\n');
        return;
      }
      const imp = r.import;
      const what = { imported: 'imported', already_imported: 'already imported (nothing changed)', empty: 'no billable lines', refused: 'refused', failed: 'failed' }[r.status];
      process.stdout.write(`${r.provider}: ${r.pages} page(s) ${what}: ${imp?.lines ?? 0} billed lines, ${imp?.replaced ?? 0} earlier lines replaced\n`);
      if (imp?.period_start) process.stdout.write(`period ${imp.period_start} – ${imp.period_end}; compare with the ledger: costrail reconcile --from ${opts.from} --to ${opts.to}\n`);
    });
}
