/** `costrail report showback`: the monthly showback/chargeback report, via the management API. */
import fs from 'node:fs';
import type { Command } from 'commander';
import { withApi, withApiOptions, type ApiAccessOptions } from './api-access.js';
import { CliError } from './cli-error.js';

interface ShowbackOpts extends ApiAccessOptions {
  period: string;
  by: string;
  allocate: string;
  shared?: string;
  tz?: string;
  format: string;
  json?: boolean;
  out?: string;
}

export function registerReportCommand(program: Command): void {
  const report = program.command('report').description('Reports over the ledger');
  withApiOptions(
    report
      .command('showback')
      .description('Spend per owner for a month, with model breakdown, change vs the month before, top drivers, and unattributed/shared spend allocated on separate lines')
      .requiredOption('--period <YYYY-MM>', 'the month')
      .option('--by <dims>', 'owner dimensions, comma-separated (team, feature, customer, project, tag:NAME…)', 'team')
      .option('--allocate <rule>', 'unattributed and shared spend: none | proportional | even | fixed:team=60,ops=40', 'none')
      .option('--shared <owners>', 'values of the first --by dimension whose spend is shared (e.g. platform)')
      .option('--tz <zone>', 'IANA time zone of the month boundaries', 'UTC')
      .option('--format <f>', 'md | csv | json | html', 'md')
      .option('--json', 'same as --format json')
      .option('--out <file>', 'write to a file instead of standard output'),
  ).action(async (opts: ShowbackOpts) => {
    const format = opts.json ? 'json' : opts.format;
    if (!['md', 'csv', 'json', 'html'].includes(format)) throw new CliError(`--format must be md, csv, json or html, not "${format}"`, 2);
    if (!/^\d{4}-\d{2}$/.test(opts.period)) throw new CliError(`--period must be a month YYYY-MM, not "${opts.period}"`, 2);
    const q = new URLSearchParams({ period: opts.period, by: opts.by, allocate: opts.allocate, tz: opts.tz ?? 'UTC', format });
    if (opts.shared) q.set('shared', opts.shared);
    const text = await withApi(opts, ({ client }) => client.text(`/api/reports/showback?${q.toString()}`));
    const content = format === 'json' ? JSON.stringify(JSON.parse(text), null, 2) + '\n' : text;
    if (opts.out) fs.writeFileSync(opts.out, content);
    else process.stdout.write(content);
  });
}
