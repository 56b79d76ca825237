/**
 * `costrail report agents`: cost per agent run and per successful run (GET /api/agents), or with
 * `--runs` the runs themselves (GET /api/agents/runs). Through the management API, like every
 * economics report, so it reads a local data folder or a remote server the same way.
 */
import type { Command } from 'commander';
import type { AgentRunsReport, AgentsReport } from '../economics/agent-runs.js';
import { AGENT_RUN_STATUSES, MAX_RUNS_LIMIT } from '../store/agent-runs-query.js';
import { withApi, withApiOptions, type ApiAccessOptions } from './api-access.js';
import { CliError } from './cli-error.js';
import { formatUsd } from './money-format.js';
import { printTable } from './table.js';

interface AgentsOpts extends ApiAccessOptions {
  from: string;
  to: string;
  agent?: string;
  type?: string;
  runs?: boolean;
  status?: string;
  limit: string;
  cursor?: string;
  json?: boolean;
}

function isoOption(name: string, v: string): string {
  if (!Number.isFinite(Date.parse(v))) throw new CliError(`--${name} must be an ISO 8601 date or instant, not "${v}"`, 2);
  return v;
}

const pct = (rate: string | null): string => (rate === null ? '-' : `${(Number(rate) * 100).toFixed(1)}%`);

/** Adds `agents` under the `report` command. */
export function registerAgentsReport(report: Command): void {
  withApiOptions(
    report
      .command('agents')
      .description('Agent runs (an agent\'s calls in one trace; a traceless call is a run of its own): cost per run and per successful run, per agent, or the runs themselves with --runs')
      .requiredOption('--from <iso>', 'inclusive start (calls started at or after)')
      .requiredOption('--to <iso>', 'exclusive end')
      .option('--agent <name>', 'only this agent (the x-costrail-agent value)')
      .option('--type <outcome-type>', 'only outcomes of this type decide whether a run succeeded')
      .option('--runs', 'list the runs, newest first: trace, calls, cost, outcome status, error and blocked calls')
      .option('--status <s>', `with --runs: ${AGENT_RUN_STATUSES.join(' | ')}`)
      .option('--limit <n>', `with --runs: at most this many runs (1..${MAX_RUNS_LIMIT})`, '50')
      .option('--cursor <c>', 'with --runs: next_cursor of the previous page (from --json)')
      .option('--json', 'print the API body as JSON (exact decimal strings)'),
  )
    .addHelpText(
      'after',
      '\nA run is successful when an outcome linked to its trace (or naming one of its calls) succeeded, failed when\nall its outcomes failed, unknown without one. cost_per_successful_run = (cost − cost of unknown runs) / successful\nruns: failed runs count, runs nobody reported on are shown apart as unlinked cost.\n\nExamples:\n  costrail report agents --from 2026-11-01 --to 2026-12-01\n  costrail report agents --from 2026-11-01 --to 2026-12-01 --agent planner --runs --status failed --json',
    )
    .action(async (opts: AgentsOpts) => {
      const q = new URLSearchParams({ from: isoOption('from', opts.from), to: isoOption('to', opts.to) });
      if (Date.parse(opts.to) <= Date.parse(opts.from)) throw new CliError('--to must be after --from', 2);
      if (opts.agent !== undefined) {
        if (opts.agent.trim() === '') throw new CliError('--agent needs a name', 2);
        q.set('agent', opts.agent);
      }
      if (opts.type) q.set('type', opts.type);
      if (!opts.runs) {
        if (opts.status !== undefined || opts.cursor !== undefined) throw new CliError('--status and --cursor apply to --runs', 2);
        const r = await withApi(opts, ({ client }) => client.get<AgentsReport>(`/api/agents?${q.toString()}`));
        if (opts.json) return void process.stdout.write(JSON.stringify(r, null, 2) + '\n');
        printAgents(r);
        return;
      }
      if (opts.status !== undefined && !(AGENT_RUN_STATUSES as readonly string[]).includes(opts.status)) throw new CliError(`--status must be one of ${AGENT_RUN_STATUSES.join(', ')}, not "${opts.status}"`, 2);
      const limit = Number(opts.limit);
      if (!/^\d+$/.test(opts.limit) || limit < 1 || limit > MAX_RUNS_LIMIT) throw new CliError(`--limit must be a whole number from 1 to ${MAX_RUNS_LIMIT}, not "${opts.limit}"`, 2);
      q.set('limit', String(limit));
      if (opts.status) q.set('status', opts.status);
      if (opts.cursor) q.set('cursor', opts.cursor);
      const r = await withApi(opts, ({ client }) => client.get<AgentRunsReport>(`/api/agents/runs?${q.toString()}`));
      if (opts.json) return void process.stdout.write(JSON.stringify(r, null, 2) + '\n');
      printRuns(r);
    });
}

function printAgents(r: AgentsReport): void {
  if (r.agents.length === 0) {
    process.stdout.write(`no agent calls between ${r.from} and ${r.to} (calls carry an agent through the x-costrail-agent header)\n`);
    return;
  }
  printTable(
    r.agents.map((a) => ({
      agent: a.agent,
      runs: a.runs,
      successful: a.successful_runs,
      failed: a.failed_runs,
      unknown: a.unknown_runs,
      success_rate: pct(a.success_rate),
      cost: formatUsd(a.cost),
      per_run: formatUsd(a.cost_per_run),
      per_success: formatUsd(a.cost_per_successful_run),
      unlinked_cost: formatUsd(a.unlinked_cost),
    })),
    ['agent', 'runs', 'successful', 'failed', 'unknown', 'success_rate', 'cost', 'per_run', 'per_success', 'unlinked_cost'],
  );
  process.stdout.write(`total ${formatUsd(r.total.cost)} over ${r.total.runs} runs (${r.total.calls} calls), ${formatUsd(r.total.unlinked_cost)} in runs with no outcome${r.type ? ` of type ${r.type}` : ''}\n`);
  if (r.total.unpriced_calls > 0) process.stdout.write(`${r.total.unpriced_calls} call(s) have no known price: their cost is missing from these figures\n`);
}

function printRuns(r: AgentRunsReport): void {
  if (r.runs.length === 0) {
    process.stdout.write('no runs match\n');
    return;
  }
  printTable(
    r.runs.map((run) => ({
      started_at: run.started_at,
      agent: run.agent,
      run: run.trace_id ?? `call ${run.call_id ?? ''}`,
      calls: run.calls,
      cost: formatUsd(run.cost),
      status: run.status,
      outcomes: `${run.successful_outcomes}/${run.outcomes}`,
      errors: run.error_calls,
      blocked: run.blocked_calls,
    })),
    ['started_at', 'agent', 'run', 'calls', 'cost', 'status', 'outcomes', 'errors', 'blocked'],
  );
  if (r.next_cursor) process.stdout.write(`more runs: --cursor ${r.next_cursor}\n`);
}
