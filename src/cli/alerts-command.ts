/** `costrail alerts list|ack|resolve|annotate`: the alert history and its lifecycle from the command line. */
import type { Command } from 'commander';
import { scopeLabel } from '../alerts/scope.js';
import { withApi, withApiOptions, type ApiAccessOptions } from './api-access.js';
import { CliError } from './cli-error.js';
import { printTable } from './table.js';

interface AlertRow {
  id: string;
  status: string;
  kind: string;
  severity: string;
  scope: Record<string, string>;
  detected_at: string;
  observed: number;
  expected: number;
  unit: string;
  summary: string;
}

/** `team=search` pairs (repeatable) into a scope. */
export function parseScopeArgs(pairs: readonly string[]): Record<string, string> {
  const scope: Record<string, string> = {};
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new CliError(`--scope takes field=value (e.g. team=search), not "${p}"`, 2);
    scope[p.slice(0, eq)] = p.slice(eq + 1);
  }
  return scope;
}

const collect = (v: string, acc: string[]) => [...acc, v];

export function registerAlertsCommand(program: Command): void {
  const alerts = program.command('alerts').description('Spend alerts: list the history, acknowledge, resolve, annotate known events');

  withApiOptions(alerts.command('list').description('Alerts, newest first'))
    .option('--status <status>', 'open | acknowledged | resolved')
    .option('--kind <kind>', 'spend_velocity, cost_per_request_drift, new_source, …')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'print JSON')
    .action(async (opts: ApiAccessOptions & { status?: string; kind?: string; limit: string; json?: boolean }) => {
      const q = new URLSearchParams({ limit: opts.limit });
      if (opts.status) q.set('status', opts.status);
      if (opts.kind) q.set('kind', opts.kind);
      await withApi(opts, async ({ client }) => {
        const res = await client.get<{ alerts: AlertRow[] }>(`/api/alerts?${q.toString()}`);
        if (opts.json) return void process.stdout.write(JSON.stringify(res.alerts, null, 2) + '\n');
        if (res.alerts.length === 0) return void process.stdout.write('no alerts\n');
        printTable(
          res.alerts.map((a) => ({ ...a, scope: scopeLabel(a.scope), observed: `${a.observed} vs ${a.expected} ${a.unit}` })),
          ['id', 'detected_at', 'status', 'severity', 'kind', 'scope', 'observed'],
        );
      });
    });

  for (const action of ['ack', 'resolve'] as const) {
    withApiOptions(alerts.command(`${action} <id>`).description(action === 'ack' ? 'Acknowledge an alert' : 'Resolve an alert by hand'))
      .option('--json', 'print JSON')
      .action(async (id: string, opts: ApiAccessOptions & { json?: boolean }) => {
        await withApi(opts, async ({ client }) => {
          const a = await client.post<AlertRow>(`/api/alerts/${encodeURIComponent(id)}/${action}`, {});
          process.stdout.write(opts.json ? JSON.stringify(a, null, 2) + '\n' : `${a.id} ${a.status}\n`);
        });
      });
  }

  withApiOptions(alerts.command('annotate').description('Annotate a known event (launch, load test) so its spend is expected'))
    .requiredOption('--from <iso>', 'start (ISO 8601)')
    .requiredOption('--to <iso>', 'end (ISO 8601)')
    .option('--scope <field=value>', 'scope field (repeatable; none = all spend)', collect, [] as string[])
    .option('--note <text>', 'what it is', '')
    .option('--multiplier <x>', 'how many times the usual spend to expect', '3')
    .action(async (opts: ApiAccessOptions & { from: string; to: string; scope: string[]; note: string; multiplier: string }) => {
      const m = Number(opts.multiplier);
      if (!(m >= 1)) throw new CliError('--multiplier must be a number ≥ 1', 2);
      await withApi(opts, async ({ client }) => {
        const a = await client.post<{ id: string }>('/api/annotations', { scope: parseScopeArgs(opts.scope), from: opts.from, to: opts.to, note: opts.note, expected_multiplier: m });
        process.stdout.write(`annotation ${a.id}\n`);
      });
    });
}
