/** `costrail forecast`: period-end spend projection with an interval, for a scope. */
import type { Command } from 'commander';
import { scopeLabel } from '../alerts/scope.js';
import { parseScopeArgs } from './alerts-command.js';
import { withApi, withApiOptions, type ApiAccessOptions } from './api-access.js';
import { CliError } from './cli-error.js';

interface ForecastBody {
  scope: Record<string, string>;
  period: string;
  period_end: string;
  spent: number;
  projected: number;
  low: number;
  high: number;
  method: string;
}

export function registerForecastCommand(program: Command): void {
  withApiOptions(program.command('forecast').description('Projected spend at the end of the period (90% interval), for all spend or a scope'))
    .option('--period <p>', 'day | week | month', 'month')
    .option('--tz <zone>', 'IANA time zone of the period calendar (the dashboard uses the viewer\'s)', 'UTC')
    .option('--at <instant>', 'project as of this ISO instant instead of now')
    .option('--scope <field=value>', 'scope field, e.g. team=search (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--json', 'print JSON')
    .action(async (opts: ApiAccessOptions & { period: string; tz: string; at?: string; scope: string[]; json?: boolean }) => {
      if (!['day', 'week', 'month'].includes(opts.period)) throw new CliError('--period must be day, week or month', 2);
      const q = new URLSearchParams({ period: opts.period, tz: opts.tz, ...(opts.at ? { at: opts.at } : {}), ...parseScopeArgs(opts.scope) });
      await withApi(opts, async ({ client }) => {
        const f = await client.get<ForecastBody>(`/api/forecast?${q.toString()}`);
        if (opts.json) return void process.stdout.write(JSON.stringify(f, null, 2) + '\n');
        process.stdout.write(`${scopeLabel(f.scope)}: $${f.spent.toFixed(2)} spent this ${f.period}; projected $${f.projected.toFixed(2)} by ${f.period_end} (90% interval $${f.low.toFixed(2)}–$${f.high.toFixed(2)}, ${f.method})\n`);
      });
    });
}
