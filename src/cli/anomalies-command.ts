/** `costrail anomalies --from --to`: the backtest — what the detectors would have raised, as if live. */
import type { Command } from 'commander';
import { scopeLabel } from '../alerts/scope.js';
import { withApi, withApiOptions, type ApiAccessOptions } from './api-access.js';
import { CliError } from './cli-error.js';
import { printTable } from './table.js';

interface BacktestAlert {
  detected_at: string;
  scope: Record<string, string>;
  kind: string;
  severity: string;
  observed: number;
  expected: number;
  unit: string;
  summary: string;
}

interface EconomicsReplay {
  outcome_cost_drift: boolean;
  margin_threshold: boolean;
  every_minutes: number;
  warnings: string[];
}

interface BacktestIncident {
  opened_at: string;
  severity: string;
  root_kind: string;
  root_scope: Record<string, string>;
  impact_usd_per_hour: number;
  alert_ids: string[];
  summary: string;
}

function isoArg(name: string, v: string): string {
  const ms = Date.parse(v);
  if (!Number.isFinite(ms)) throw new CliError(`${name} must be a date or ISO 8601 instant, not "${v}"`, 2);
  return new Date(ms).toISOString();
}

export function registerAnomaliesCommand(program: Command): void {
  withApiOptions(
    program
      .command('anomalies')
      .description('Backtest the detectors over history: the alerts they would have raised, each using only data before its instant'),
  )
    .requiredOption('--from <iso>', 'start of the evaluated range (history before it is the baseline)')
    .requiredOption('--to <iso>', 'end of the evaluated range')
    .option('--dimensions <list>', 'scope dimensions, comma-separated (default provider,model,team,feature,customer,key_id)')
    .option('--contributors', 'add the top contributors (model, key, trace, feature) to each alert')
    .option('--json', 'print {alerts, incidents, economics} as JSON: alerts (detected_at, scope, kind, severity, observed, expected, incident_id, …), the incidents grouping them, and which unit-economics detectors were replayed')
    .addHelpText('after', '\nThe unit-economics detectors (outcome_cost_drift, margin_threshold) are replayed hourly, as live, when the\nstore holds outcomes or revenue for the range; outcomes count as recorded now, even if they arrived late.')
    .addHelpText('after', '\nExample: costrail anomalies --from 2026-11-01 --to 2026-11-15 --json | jq \'.incidents[] | select(.severity=="critical")\'')
    .action(async (opts: ApiAccessOptions & { from: string; to: string; dimensions?: string; contributors?: boolean; json?: boolean }) => {
      const q = new URLSearchParams({ from: isoArg('--from', opts.from), to: isoArg('--to', opts.to) });
      if (opts.dimensions) q.set('dimensions', opts.dimensions);
      if (opts.contributors) q.set('contributors', 'true');
      if (!opts.json) process.stderr.write('backtesting… (one pass over the ledger, then a minute-by-minute replay)\n');
      await withApi(opts, async ({ client }) => {
        const res = await client.get<{ scopes: number; alerts: BacktestAlert[]; incidents: BacktestIncident[]; economics?: EconomicsReplay }>(`/api/anomalies?${q.toString()}`);
        if (opts.json) return void process.stdout.write(JSON.stringify({ alerts: res.alerts, incidents: res.incidents, ...(res.economics ? { economics: res.economics } : {}) }, null, 2) + '\n');
        for (const w of res.economics?.warnings ?? []) process.stderr.write(`warning: ${w}\n`);
        process.stdout.write(`${res.incidents.length} incidents (${res.alerts.length} alerts) over ${res.scopes} scopes\n`);
        if (res.incidents.length) printTable(res.incidents.map((i) => ({ ...i, root_scope: scopeLabel(i.root_scope), impact: `$${i.impact_usd_per_hour.toFixed(2)}/h`, alerts: i.alert_ids.length })), ['opened_at', 'severity', 'root_kind', 'root_scope', 'impact', 'alerts', 'summary']);
      });
    });
}
