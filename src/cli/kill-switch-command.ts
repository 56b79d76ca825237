/** `costrail kill-switch set|list|lift`: stop every call in a scope at once, and resume it. */
import type { Command } from 'commander';
import type { KillSwitchSpec } from '../policy/policy-schemas.js';
import { withApi, withApiOptions, type ApiAccessOptions } from './api-access.js';
import { CliError } from './cli-error.js';
import { parseScope, printJson, scopeLabel } from './policy-cli-kit.js';
import { printTable } from './table.js';

export function registerKillSwitchCommand(program: Command): void {
  const ks = program.command('kill-switch').description('Refuse every call in a scope immediately (403 kill_switch), and lift it');

  withApiOptions(
    ks
      .command('set')
      .description('Set a kill switch')
      .requiredOption('--scope <fields>', 'fields that must all match, e.g. team=search or agent=planner ("global" stops everything)')
      .requiredOption('--reason <text>', 'shown to callers in the refusal')
      .option('--json', 'print JSON'),
  ).action(async (o: ApiAccessOptions & { scope: string; reason: string; json?: boolean }) => {
    await withApi(o, async ({ client }) => {
      const k = await client.post<KillSwitchSpec>('/api/kill-switches', { scope: parseScope(o.scope), reason: o.reason });
      if (o.json) return printJson(k);
      process.stdout.write(`kill switch ${k.id} set on ${scopeLabel(k.scope)}; lift it with costrail kill-switch lift ${k.id}\n`);
    });
  });

  withApiOptions(ks.command('list').description('Kill switches in force').option('--json', 'print JSON')).action(async (o: ApiAccessOptions & { json?: boolean }) => {
    await withApi(o, async ({ client }) => {
      const { kill_switches: list } = await client.get<{ kill_switches: KillSwitchSpec[] }>('/api/kill-switches');
      if (o.json) return printJson({ kill_switches: list });
      if (list.length === 0) return void process.stdout.write('no kill switches set\n');
      printTable(list.map((k) => ({ id: k.id, scope: scopeLabel(k.scope), reason: k.reason, set_at: k.set_at })), ['id', 'scope', 'reason', 'set_at']);
    });
  });

  withApiOptions(ks.command('lift').description('Lift a kill switch').argument('<id>', 'kill switch id (see list)').option('--json', 'print JSON')).action(async (id: string, o: ApiAccessOptions & { json?: boolean }) => {
    if (!id) throw new CliError('give the kill switch id (costrail kill-switch list)', 2);
    await withApi(o, async ({ client }) => {
      const r = await client.delete<{ deleted: string }>(`/api/kill-switches/${encodeURIComponent(id)}`);
      if (o.json) return printJson(r);
      process.stdout.write(`kill switch ${r.deleted} lifted\n`);
    });
  });
}
