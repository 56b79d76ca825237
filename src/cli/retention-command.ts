/** `costrail retention apply`: delete raw ledger records older than the retention period. */
import type { Command } from 'commander';
import type { RetentionResult } from '../ledger-admin/retention.js';
import { withApi, withApiOptions, type ApiAccessOptions } from './api-access.js';
import { CliError } from './cli-error.js';
import { environment } from '../config/environment.js';

interface RetentionOpts extends ApiAccessOptions {
  days?: string;
  dryRun?: boolean;
  json?: boolean;
}

export function registerRetentionCommand(program: Command): void {
  const retention = program.command('retention').description('Retention of raw ledger records');
  withApiOptions(
    retention
      .command('apply')
      .description('Delete raw ledger records that started more than N days ago (prompt and response bodies are never stored)')
      .option('--days <n>', 'keep this many days (or COSTRAIL_RETENTION_DAYS)', environment().COSTRAIL_RETENTION_DAYS)
      .option('--dry-run', 'count what would be deleted, delete nothing')
      .option('--json', 'print the result as JSON'),
  ).action(async (opts: RetentionOpts) => {
    if (opts.days === undefined) throw new CliError('--days is required (or set COSTRAIL_RETENTION_DAYS)', 2);
    const days = Number(opts.days);
    if (!Number.isInteger(days) || days < 1) throw new CliError(`--days must be a positive integer, not "${opts.days}"`, 2);
    const r = await withApi(opts, ({ client }) => client.post<RetentionResult>('/api/retention/apply', { days, dry_run: Boolean(opts.dryRun) }));
    if (opts.json) process.stdout.write(JSON.stringify(r, null, 2) + '\n');
    else process.stdout.write(`${r.dry_run ? 'would delete' : 'deleted'} ${r.deleted} ledger records that started before ${r.cutoff} (${r.days} days kept)\n`);
  });
}
