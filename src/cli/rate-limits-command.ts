/** `costrail rate-limits create|list|delete`: requests, tokens and USD per minute per scope. */
import type { Command } from 'commander';
import type { RateLimitSpec } from '../policy/policy-schemas.js';
import { withApi, withApiOptions, type ApiAccessOptions } from './api-access.js';
import { CliError } from './cli-error.js';
import { parseScope, positiveNumber, printJson, scopeLabel } from './policy-cli-kit.js';
import { printTable } from './table.js';

export function registerRateLimitsCommand(program: Command): void {
  const rl = program.command('rate-limits').description('Per-scope rate limits (429 rate_limited with Retry-After)');

  withApiOptions(
    rl
      .command('create')
      .description('Create a rate limit')
      .option('--scope <fields>', 'fields that must all match, e.g. team=search,model=gpt-4o (default global)')
      .option('--rpm <n>', 'requests per minute', positiveNumber('--rpm'))
      .option('--tpm <n>', 'tokens per minute', positiveNumber('--tpm'))
      .option('--usd-per-minute <usd>', 'USD per minute, e.g. 0.50')
      .option('--id <id>', 'a stable id (default: generated)')
      .option('--json', 'print JSON'),
  ).action(async (o: ApiAccessOptions & { scope?: string; rpm?: number; tpm?: number; usdPerMinute?: string; id?: string; json?: boolean }) => {
    if (o.rpm === undefined && o.tpm === undefined && o.usdPerMinute === undefined) throw new CliError('give at least one of --rpm, --tpm, --usd-per-minute', 2);
    const body = { ...(o.id ? { id: o.id } : {}), scope: parseScope(o.scope), ...(o.rpm ? { rpm: o.rpm } : {}), ...(o.tpm ? { tpm: o.tpm } : {}), ...(o.usdPerMinute ? { usd_per_minute: o.usdPerMinute } : {}) };
    await withApi(o, async ({ client }) => {
      const r = await client.post<RateLimitSpec>('/api/rate-limits', body);
      if (o.json) return printJson(r);
      process.stdout.write(`rate limit ${r.id} on ${scopeLabel(r.scope)}\n`);
    });
  });

  withApiOptions(rl.command('list').description('Rate limits in force').option('--json', 'print JSON')).action(async (o: ApiAccessOptions & { json?: boolean }) => {
    await withApi(o, async ({ client }) => {
      const { rate_limits: list } = await client.get<{ rate_limits: RateLimitSpec[] }>('/api/rate-limits');
      if (o.json) return printJson({ rate_limits: list });
      if (list.length === 0) return void process.stdout.write('no rate limits\n');
      printTable(list.map((r) => ({ id: r.id, scope: scopeLabel(r.scope), rpm: r.rpm, tpm: r.tpm, usd_per_minute: r.usd_per_minute })), ['id', 'scope', 'rpm', 'tpm', 'usd_per_minute']);
    });
  });

  withApiOptions(rl.command('delete').description('Delete a rate limit').argument('<id>', 'rate limit id').option('--json', 'print JSON')).action(async (id: string, o: ApiAccessOptions & { json?: boolean }) => {
    await withApi(o, async ({ client }) => {
      const r = await client.delete<{ deleted: string }>(`/api/rate-limits/${encodeURIComponent(id)}`);
      if (o.json) return printJson(r);
      process.stdout.write(`rate limit ${r.deleted} deleted\n`);
    });
  });
}
