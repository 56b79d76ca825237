/**
 * `costrail eval replay|runs|frontier`: replay evaluation on the command line, through the
 * management API (src/evaluation/eval-routes.ts). `replay` starts a run on the server, then polls
 * it with a progress bar until it ends.
 */
import fs from 'node:fs';
import type { Command } from 'commander';
import type { FrontierPoint } from '../evaluation/eval-frontier.js';
import type { runView } from '../evaluation/eval-routes.js';
import { environment } from '../config/environment.js';
import { withApi, withApiOptions, type ApiAccessOptions } from './api-access.js';
import { CliError } from './cli-error.js';
import { formatUsd } from './money-format.js';
import { startProgress } from './progress.js';
import { printTable } from './table.js';

type RunView = ReturnType<typeof runView>;

interface ReplayOpts extends ApiAccessOptions {
  feature: string;
  candidate: string;
  sample: string;
  scorer: string;
  schema?: string;
  seed?: string;
  from?: string;
  to?: string;
  apiKey?: string;
  concurrency?: string;
  json?: boolean;
}

const POLL_MS = 500;

function isoOption(name: string, v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (!Number.isFinite(Date.parse(v))) throw new CliError(`--${name} must be an ISO 8601 instant, e.g. 2026-11-01T00:00:00Z, not "${v}"`, 2);
  return new Date(Date.parse(v)).toISOString();
}

function readSchema(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(`--schema ${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})`, 2);
  }
  try {
    const v: unknown = JSON.parse(text);
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not a JSON object');
    return v as Record<string, unknown>;
  } catch (e) {
    throw new CliError(`--schema ${file}: not a JSON Schema object (${(e as Error).message})`, 2);
  }
}

function summary(r: RunView): string {
  const rate = r.pass_rate === null ? 'n/a' : `${(Number(r.pass_rate) * 100).toFixed(1)}%`;
  return [
    `replay ${r.id}: ${r.feature} on ${r.candidate} (${r.scorer}) — ${r.status}`,
    `  ${r.planned} sampled, ${r.scored} scored, ${r.passed} passed (${rate}), ${r.failed_calls} not answered`,
    `  sample cost: ${formatUsd(r.original_cost)} on ${r.original_models.join(', ')} -> ${formatUsd(r.candidate_cost)} on ${r.candidate}`,
    ...(r.error ? [`  error: ${r.error}`] : []),
  ].join('\n');
}

export function registerEvalCommands(program: Command): void {
  const evalCmd = program.command('eval').description('Replay evaluation: re-send captured requests to a candidate model and measure whether it answers as well');

  withApiOptions(evalCmd.command('replay').description('Replay a sample of a feature\'s captured requests (body capture must be on) on a candidate model, through the gateway, and score the answers against the originals'))
    .requiredOption('--feature <name>', 'the feature whose captured requests are replayed')
    .requiredOption('--candidate <model>', 'the model to try, e.g. gpt-4o-mini')
    .option('--sample <n>', 'how many captured requests to replay (1-1000)', '50')
    .option('--scorer <spec>', 'exact | json | json-schema | embedding:MODEL[:THRESHOLD] | judge:MODEL', 'exact')
    .option('--schema <file>', 'JSON Schema file for --scorer json-schema')
    .option('--seed <text>', 'sample seed (default: the feature name, so candidates see the same requests)')
    .option('--from <iso>', 'only requests captured from this instant')
    .option('--to <iso>', 'only requests captured before this instant')
    .option('--api-key <key>', 'key sent with the replayed calls (or COSTRAIL_EVAL_API_KEY): a virtual key, or a provider key in pass-through mode')
    .option('--concurrency <n>', 'replayed calls in flight at once (1-16, default 4)')
    .option('--json', 'print the finished run as JSON')
    .addHelpText('after', '\nReplayed calls are recorded in the ledger like any call (tagged eval=replay, priority background)\nand count against budgets. See docs/evaluation.md.')
    .action(async (opts: ReplayOpts) => {
      if (!/^[1-9]\d{0,3}$/.test(opts.sample) || Number(opts.sample) > 1000) throw new CliError(`--sample must be a whole number from 1 to 1000, not "${opts.sample}"`, 2);
      if (opts.concurrency !== undefined && (!/^[1-9]\d?$/.test(opts.concurrency) || Number(opts.concurrency) > 16)) throw new CliError(`--concurrency must be from 1 to 16, not "${opts.concurrency}"`, 2);
      if (opts.scorer === 'json-schema' && opts.schema === undefined) throw new CliError('--scorer json-schema needs --schema FILE', 2);
      const apiKey = opts.apiKey ?? environment().COSTRAIL_EVAL_API_KEY;
      const body = {
        feature: opts.feature,
        candidate: opts.candidate,
        sample: Number(opts.sample),
        scorer: opts.scorer,
        ...(opts.schema !== undefined ? { schema: readSchema(opts.schema) } : {}),
        ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
        ...(opts.from !== undefined ? { from: isoOption('from', opts.from) } : {}),
        ...(opts.to !== undefined ? { to: isoOption('to', opts.to) } : {}),
        ...(apiKey ? { api_key: apiKey } : {}),
        ...(opts.concurrency !== undefined ? { concurrency: Number(opts.concurrency) } : {}),
      };
      await withApi(opts, async ({ client }) => {
        let run = await client.post<RunView>('/api/eval/replays', body);
        const bar = startProgress('replaying', run.planned, { quiet: opts.json === true, unit: 'requests' });
        while (run.status === 'running') {
          await new Promise((r) => setTimeout(r, POLL_MS));
          run = await client.get<RunView>(`/api/eval/replays/${encodeURIComponent(run.id)}`);
          bar.update(run.done);
        }
        bar.stop();
        if (opts.json) return void process.stdout.write(JSON.stringify(run, null, 2) + '\n');
        process.stdout.write(summary(run) + '\n');
        if (run.status === 'failed') throw new CliError(`the replay failed: ${run.error ?? 'unknown error'}`, 1);
      });
    });

  withApiOptions(evalCmd.command('runs').description('Replay runs, newest first'))
    .option('--feature <name>', 'only this feature\'s runs')
    .option('--candidate <model>', 'only runs of this candidate')
    .option('--json', 'print as JSON')
    .action(async (opts: ApiAccessOptions & { feature?: string; candidate?: string; json?: boolean }) => {
      const q = new URLSearchParams();
      if (opts.feature) q.set('feature', opts.feature);
      if (opts.candidate) q.set('candidate', opts.candidate);
      await withApi(opts, async ({ client }) => {
        const r = await client.get<{ runs: RunView[] }>(`/api/eval/replays?${q.toString()}`);
        if (opts.json) return void process.stdout.write(JSON.stringify(r, null, 2) + '\n');
        if (r.runs.length === 0) return void process.stdout.write('no replay runs yet\n');
        printTable(
          r.runs.map((x) => ({ id: x.id, feature: x.feature, candidate: x.candidate, scorer: x.scorer, status: x.status, scored: x.scored, pass_rate: x.pass_rate ?? '-', original: formatUsd(x.original_cost), candidate_cost: formatUsd(x.candidate_cost) })),
          ['id', 'feature', 'candidate', 'scorer', 'status', 'scored', 'pass_rate', 'original', 'candidate_cost'],
        );
      });
    });

  withApiOptions(evalCmd.command('frontier').description('A feature\'s cost–quality frontier: each candidate\'s latest replay, its pass rate and cost relative to the original models'))
    .requiredOption('--feature <name>', 'the feature')
    .option('--json', 'print as JSON')
    .action(async (opts: ApiAccessOptions & { feature: string; json?: boolean }) => {
      await withApi(opts, async ({ client }) => {
        const r = await client.get<{ feature: string; candidates: FrontierPoint[] }>(`/api/eval/frontier?feature=${encodeURIComponent(opts.feature)}`);
        if (opts.json) return void process.stdout.write(JSON.stringify(r, null, 2) + '\n');
        if (r.candidates.length === 0) return void process.stdout.write(`no finished replays of ${opts.feature} yet: run costrail eval replay first\n`);
        printTable(
          r.candidates.map((p) => ({ candidate: p.candidate, pass_rate: p.pass_rate ?? '-', cost_ratio: p.cost_ratio ?? '-', scored: p.scored, frontier: p.on_frontier ? 'yes' : 'dominated', run: p.run_id })),
          ['candidate', 'pass_rate', 'cost_ratio', 'scored', 'frontier', 'run'],
        );
      });
    });
}
