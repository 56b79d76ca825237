/** `costrail budgets create|list|show|delete`: budgets through the management API. */
import type { Command } from 'commander';
import type { BudgetStatus } from '../policy/budget-status.js';
import { withApi, withApiOptions, type ApiAccessOptions } from './api-access.js';
import { CliError } from './cli-error.js';
import { parseScope, positiveNumber, printJson, scopeLabel } from './policy-cli-kit.js';
import { Decimal } from '../pricing/decimal.js';
import { formatUsd } from './money-format.js';
import { printTable } from './table.js';

/** A new budget whose scope already spent its limit refuses (or downgrades) the very next call: say so. */
function overLimitWarning(b: BudgetStatus): string | null {
  const limit = b.limit_usd ?? (b.limit_tokens === undefined || b.limit_tokens === null ? undefined : String(b.limit_tokens));
  if (limit === undefined || Decimal.parse(b.spent).cmp(Decimal.parse(limit)) < 0) return null;
  const what = b.action === 'block' ? 'every call in this scope is refused' : b.action === 'downgrade' ? `calls in this scope are downgraded to ${b.downgrade_to}` : 'it notifies only';
  const amount = (v: string) => (b.unit === 'usd' ? formatUsd(v) : `${v} tokens`);
  return `warning: scope ${scopeLabel(b.scope)} has already spent ${amount(b.spent)} of this ${b.period}'s ${amount(limit)} limit: ${what} until ${b.resets_at ?? 'the budget is raised or deleted'}`;
}

interface CreateOpts extends ApiAccessOptions {
  name: string;
  id?: string;
  scope?: string;
  period: string;
  timezone: string;
  fiscalStartDay?: number;
  limitUsd?: string;
  limitTokens?: number;
  thresholds?: string;
  action?: string;
  downgradeTo?: string;
  backgroundPauseAt?: number;
  onCounterError?: string;
  json?: boolean;
}

function row(b: BudgetStatus) {
  const unit = (v: string) => (b.unit === 'usd' ? formatUsd(v) : `${v} tok`);
  return {
    id: b.id,
    name: b.name,
    scope: scopeLabel(b.scope),
    period: b.period === 'total' ? 'total' : `${b.period} (${b.timezone})`,
    limit: unit(b.limit_usd ?? String(b.limit_tokens)),
    spent: unit(b.spent),
    reserved: unit(b.reserved),
    remaining: unit(b.remaining),
    used: `${(b.used_fraction * 100).toFixed(1)}%`,
    action: b.action === 'downgrade' ? `downgrade -> ${b.downgrade_to}` : b.action,
    resets_at: b.resets_at ?? 'never',
  };
}

const COLUMNS = ['id', 'name', 'scope', 'period', 'limit', 'spent', 'reserved', 'remaining', 'used', 'action', 'resets_at'];

export function registerBudgetsCommand(program: Command): void {
  const budgets = program.command('budgets').description('Create, list, show and delete budgets (caps enforced in the gateway)');

  withApiOptions(
    budgets
      .command('create')
      .description('Create a budget on a scope, in USD or tokens, per period')
      .requiredOption('--name <name>', 'a name people recognise')
      .option('--id <id>', 'a stable id (default: generated)')
      .option('--scope <fields>', 'fields that must all match: team=search,model=gpt-4o,tag:env=prod (default global); vendor=… or category=… (with team=…) watches imported card, expense and billed spend and alerts only')
      .option('--period <period>', 'hour | day | week | month | total', 'month')
      .option('--timezone <tz>', 'IANA time zone the period follows', 'UTC')
      .option('--fiscal-start-day <day>', 'months start on this day (1-28)', positiveNumber('--fiscal-start-day'))
      .option('--limit-usd <usd>', 'limit in USD, e.g. 25.00')
      .option('--limit-tokens <n>', 'limit in tokens', positiveNumber('--limit-tokens'))
      .option('--thresholds <list>', 'fractions that raise threshold events', '0.5,0.8,1')
      .option('--action <action>', 'at 100%: block | notify | downgrade (default block; notify for vendor / category scopes)')
      .option('--downgrade-to <model>', 'the cheaper model for --action downgrade')
      .option('--background-pause-at <fraction>', 'refuse x-costrail-priority: background calls from this fraction on', positiveNumber('--background-pause-at'))
      .option('--on-counter-error <mode>', 'when shared counters are unreachable: open | closed', 'open')
      .option('--json', 'print the created budget as JSON'),
  ).action(async (o: CreateOpts) => {
    if ((o.limitUsd === undefined) === (o.limitTokens === undefined)) throw new CliError('give exactly one of --limit-usd or --limit-tokens', 2);
    const thresholds = (o.thresholds ?? '').split(',').filter(Boolean).map(Number);
    if (thresholds.some((t) => !Number.isFinite(t))) throw new CliError(`--thresholds must be fractions like 0.5,0.8,1, not "${o.thresholds}"`, 2);
    const body = {
      ...(o.id ? { id: o.id } : {}),
      name: o.name,
      scope: parseScope(o.scope),
      period: o.period,
      timezone: o.timezone,
      ...(o.fiscalStartDay ? { fiscal_month_start_day: o.fiscalStartDay } : {}),
      ...(o.limitUsd !== undefined ? { limit_usd: o.limitUsd } : { limit_tokens: o.limitTokens }),
      thresholds,
      ...(o.action ? { action: o.action } : {}),
      ...(o.downgradeTo ? { downgrade_to: o.downgradeTo } : {}),
      ...(o.backgroundPauseAt ? { background_pause_at: o.backgroundPauseAt } : {}),
      on_counter_error: o.onCounterError,
    };
    await withApi(o, async ({ client }) => {
      const b = await client.post<BudgetStatus>('/api/budgets', body);
      // On stderr, so --json stays one parseable document.
      const warning = overLimitWarning(b);
      if (warning) process.stderr.write(warning + '\n');
      if (o.json) return printJson(b);
      process.stdout.write(`created budget ${b.id}: ${row(b).limit} per ${b.period} on ${scopeLabel(b.scope)}; spent so far ${row(b).spent}, resets ${b.resets_at ?? 'never'}\n`);
    });
  });

  withApiOptions(budgets.command('list').description('Budgets with spent, reserved, remaining and reset time').option('--json', 'print JSON')).action(async (o: ApiAccessOptions & { json?: boolean }) => {
    await withApi(o, async ({ client }) => {
      const { budgets: list } = await client.get<{ budgets: BudgetStatus[] }>('/api/budgets');
      if (o.json) return printJson({ budgets: list });
      if (list.length === 0) return void process.stdout.write('no budgets yet; create one with costrail budgets create --name … --limit-usd …\n');
      printTable(list.map(row), COLUMNS);
    });
  });

  withApiOptions(budgets.command('show').description('One budget and its current period').argument('<id>', 'budget id').option('--json', 'print JSON')).action(async (id: string, o: ApiAccessOptions & { json?: boolean }) => {
    await withApi(o, async ({ client }) => {
      const b = await client.get<BudgetStatus>(`/api/budgets/${encodeURIComponent(id)}`);
      if (o.json) return printJson(b);
      const r = row(b);
      for (const k of COLUMNS) process.stdout.write(`${k.padEnd(11)} ${String(r[k as keyof typeof r])}\n`);
      process.stdout.write(`${'thresholds'.padEnd(11)} ${b.thresholds.join(', ')} (crossed: ${b.thresholds_crossed.join(', ') || 'none'})\n`);
    });
  });

  withApiOptions(budgets.command('delete').description('Delete a budget').argument('<id>', 'budget id').option('--json', 'print JSON')).action(async (id: string, o: ApiAccessOptions & { json?: boolean }) => {
    await withApi(o, async ({ client }) => {
      const r = await client.delete<{ deleted: string }>(`/api/budgets/${encodeURIComponent(id)}`);
      if (o.json) return printJson(r);
      process.stdout.write(`deleted budget ${r.deleted}\n`);
    });
  });
}
