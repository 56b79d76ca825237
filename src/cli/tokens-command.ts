/** `costrail tokens`: scoped API tokens (crt_…) for dashboards and scripts. */
import type { Command } from 'commander';
import { withApi, withApiOptions, type ApiAccessOptions } from './api-access.js';
import { parsePairs } from './keys-command.js';
import { printTable } from './table.js';

interface TokenRow {
  id: string;
  name: string;
  hint: string;
  status: string;
  scope: Record<string, string>;
  created_at: string;
  last_used_at: string | null;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

export function registerTokensCommand(program: Command): void {
  const tokens = program.command('tokens').description('Scoped API tokens: reads through one see only its scope (e.g. one team)');

  withApiOptions(
    tokens
      .command('create')
      .description('Create a token; its secret is printed once')
      .requiredOption('--name <name>', 'what it is for')
      .option('--scope <k=v>', 'restrict reads, e.g. team=search (repeatable or comma-separated; none = every record, read-only)', collect, [])
      .option('--json', 'print JSON'),
  ).action(async (opts: ApiAccessOptions & { name: string; scope: string[]; json?: boolean }) => {
    const res = await withApi(opts, ({ client }) => client.post<{ token: TokenRow; secret: string }>('/api/tokens', { name: opts.name, scope: parsePairs(opts.scope, '--scope') }));
    if (opts.json) {
      process.stdout.write(JSON.stringify(res, null, 2) + '\n');
      return;
    }
    const scope = Object.entries(res.token.scope).map(([k, v]) => `${k}=${v}`).join(', ') || 'everything (read-only)';
    process.stdout.write(`created ${res.token.id}, scope ${scope}\nsecret (shown once; store it now): ${res.secret}\n`);
  });

  withApiOptions(tokens.command('list').description('List API tokens (never their secrets)').option('--json', 'print JSON')).action(async (opts: ApiAccessOptions & { json?: boolean }) => {
    const res = await withApi(opts, ({ client }) => client.get<{ tokens: TokenRow[] }>('/api/tokens'));
    if (opts.json) process.stdout.write(JSON.stringify(res.tokens, null, 2) + '\n');
    else if (res.tokens.length === 0) process.stdout.write('no API tokens yet; create one with `costrail tokens create --name … --scope team=…`\n');
    else printTable(res.tokens.map((t) => ({ ...t, scope: Object.entries(t.scope).map(([k, v]) => `${k}=${v}`).join(',') || '*' })), ['id', 'name', 'hint', 'status', 'scope', 'created_at', 'last_used_at']);
  });

  withApiOptions(tokens.command('revoke').description('Revoke an API token').argument('<id>', 'token id (tok_…)').option('--json', 'print JSON')).action(async (id: string, opts: ApiAccessOptions & { json?: boolean }) => {
    const res = await withApi(opts, ({ client }) => client.delete<{ token: TokenRow }>(`/api/tokens/${encodeURIComponent(id)}`));
    process.stdout.write(opts.json ? JSON.stringify(res.token, null, 2) + '\n' : `revoked ${res.token.id}\n`);
  });
}
