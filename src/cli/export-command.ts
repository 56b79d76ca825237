/** `costrail export focus`: the ledger as FOCUS 1.2 (CSV, or Parquet when --out ends in .parquet). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { focusCsvToParquet } from '../reports/focus-parquet.js';
import { parseRange } from '../analytics/instant.js';
import { withApi, withApiOptions, type ApiAccessOptions } from './api-access.js';
import { CliError, describeError } from './cli-error.js';

interface FocusOpts extends ApiAccessOptions {
  from: string;
  to: string;
  grain: string;
  out?: string;
  billed: boolean;
}

export function registerExportCommand(program: Command): void {
  const exp = program.command('export').description('Export the ledger for other tools');
  withApiOptions(
    exp
      .command('focus')
      .description('FOCUS 1.2 cost and usage data: the metered ledger (one row per usage kind per hour or day per provider, model and attribution set) and imported billed line items, never a dollar twice')
      .requiredOption('--from <date>', 'inclusive start, YYYY-MM-DD or ISO 8601 (UTC)')
      .requiredOption('--to <date>', 'exclusive end')
      .option('--grain <g>', 'hour | day', 'day')
      .option('--out <file>', 'write to a file: .csv, or .parquet for Parquet (default: CSV on standard output)')
      .option('--no-billed', 'the metered ledger only: leave out imported billed line items (x_source=billed rows)'),
  ).action(async (opts: FocusOpts) => {
    if (opts.grain !== 'hour' && opts.grain !== 'day') throw new CliError(`--grain must be hour or day, not "${opts.grain}"`, 2);
    try {
      parseRange(opts.from, opts.to);
    } catch (e) {
      throw new CliError(`--${describeError(e)}`, 2);
    }
    const q = new URLSearchParams({ from: opts.from, to: opts.to, grain: opts.grain, billed: opts.billed ? 'include' : 'exclude' });
    const csv = await withApi(opts, ({ client }) => client.text(`/api/exports/focus?${q.toString()}`));
    if (!opts.out) {
      process.stdout.write(csv);
      return;
    }
    if (opts.out.endsWith('.parquet')) {
      const tmp = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'costrail-focus-')), 'focus.csv');
      fs.writeFileSync(tmp, csv);
      try {
        await focusCsvToParquet(tmp, opts.out);
      } finally {
        fs.rmSync(path.dirname(tmp), { recursive: true, force: true });
      }
    } else {
      fs.writeFileSync(opts.out, csv);
    }
    process.stderr.write(`wrote ${csv.split('\r\n').length - 2} FOCUS rows to ${opts.out}\n`);
  });
}
