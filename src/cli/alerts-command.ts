/** `costrail alerts list|ack|resolve|annotate|incidents|incident`: the alert history, incidents and their lifecycle from the command line. */
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

  withApiOptions(alerts.command('incidents').description('Incidents (the alerts that share one cause), newest first'))
    .option('--status <status>', 'open | acknowledged | resolved')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'print JSON')
    .action(async (opts: ApiAccessOptions & { status?: string; limit: string; json?: boolean }) => {
      const q = new URLSearchParams({ limit: opts.limit });
      if (opts.status) q.set('status', opts.status);
      await withApi(opts, async ({ client }) => {
        const res = await client.get<{ incidents: IncidentRow[] }>(`/api/incidents?${q.toString()}`);
        if (opts.json) return void process.stdout.write(JSON.stringify(res.incidents, null, 2) + '\n');
        if (res.incidents.length === 0) return void process.stdout.write('no incidents\n');
        printTable(
          res.incidents.map((i) => ({ ...i, root_scope: scopeLabel(i.root_scope), impact: `$${i.impact_usd_per_hour.toFixed(2)}/h`, alerts: i.alert_ids.length })),
          ['id', 'opened_at', 'status', 'severity', 'root_kind', 'root_scope', 'impact', 'alerts'],
        );
      });
    });

  withApiOptions(alerts.command('incident <id>').description('Show an incident, or act on it: --ack, --snooze, --note, --new-normal'))
    .option('--ack', 'acknowledge it and its open alerts')
    .option('--snooze <minutes>', 'no notifications about it for this many minutes')
    .option('--note <text>', 'add a note')
    .option('--new-normal', 'a legitimate step change (a launch): expect the new level on its root scope from now on')
    .option('--days <n>', 'with --new-normal: days the annotation bridges while the baseline learns (default 1)')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: ApiAccessOptions & { ack?: boolean; snooze?: string; note?: string; newNormal?: boolean; days?: string; json?: boolean }) => {
      const actions = [opts.ack, opts.snooze !== undefined, opts.newNormal].filter(Boolean).length;
      if (actions > 1) throw new CliError('give one of --ack, --snooze, --new-normal', 2);
      const minutes = opts.snooze === undefined ? undefined : Number(opts.snooze);
      if (minutes !== undefined && !(Number.isInteger(minutes) && minutes >= 1)) throw new CliError('--snooze takes whole minutes ≥ 1', 2);
      const days = opts.days === undefined ? undefined : Number(opts.days);
      if (days !== undefined && !(days > 0)) throw new CliError('--days must be a number > 0', 2);
      const path = `/api/incidents/${encodeURIComponent(id)}`;
      await withApi(opts, async ({ client }) => {
        let i: IncidentRow;
        if (opts.ack) i = await client.post<IncidentRow>(`${path}/ack`, {});
        else if (minutes !== undefined) i = await client.post<IncidentRow>(`${path}/snooze`, { minutes, ...(opts.note ? { note: opts.note } : {}) });
        else if (opts.newNormal) i = await client.post<IncidentRow>(`${path}/new-normal`, { ...(days !== undefined ? { days } : {}), ...(opts.note ? { note: opts.note } : {}) });
        else if (opts.note) i = await client.post<IncidentRow>(`${path}/notes`, { text: opts.note });
        else i = await client.get<IncidentRow>(path);
        if (opts.json) return void process.stdout.write(JSON.stringify(i, null, 2) + '\n');
        process.stdout.write(`${i.id} ${i.status} ${i.severity}: ${i.summary}\n`);
        for (const a of i.alerts ?? []) process.stdout.write(`  ${a.detected_at} ${a.kind} ${scopeLabel(a.scope)} (${a.status})\n`);
      });
    });
}

interface IncidentRow {
  id: string;
  status: string;
  severity: string;
  opened_at: string;
  root_kind: string;
  root_scope: Record<string, string>;
  impact_usd_per_hour: number;
  alert_ids: string[];
  summary: string;
  alerts?: AlertRow[];
}
