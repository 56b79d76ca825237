/**
 * `costrail advise` and `costrail whatif`: the advisor's recommendations and simulator on the
 * command line, through the management API (src/advisor/advisor-routes.ts) so a command answers
 * the same against a local data folder or a remote server.
 */
import type { Command } from 'commander';
import type { WhatIfReport } from '../advisor/what-if.js';
import type { AdviceReport } from '../advisor/recommendations.js';
import { MOVE_PATTERN } from '../advisor/advisor-api-schemas.js';
import { ChangeSyntaxError, parseChange } from '../advisor/what-if-changes.js';
import { withApi, withApiOptions, type ApiAccessOptions } from './api-access.js';
import { CliError } from './cli-error.js';
import { formatUsd } from './money-format.js';
import { printTable } from './table.js';

interface WindowOpts extends ApiAccessOptions {
  from: string;
  to: string;
  feature?: string;
  team?: string;
  scope?: string[];
  json?: boolean;
}

function isoOption(name: string, v: string): string {
  if (!Number.isFinite(Date.parse(v))) throw new CliError(`--${name} must be an ISO 8601 instant, e.g. 2026-11-01T00:00:00Z, not "${v}"`, 2);
  return new Date(Date.parse(v)).toISOString();
}

function windowQuery(opts: WindowOpts): URLSearchParams {
  const q = new URLSearchParams({ from: isoOption('from', opts.from), to: isoOption('to', opts.to) });
  if (Date.parse(q.get('to')!) <= Date.parse(q.get('from')!)) throw new CliError('--to must be after --from', 2);
  if (opts.feature !== undefined) q.set('feature', opts.feature);
  if (opts.team !== undefined) q.set('team', opts.team);
  for (const pair of opts.scope ?? []) {
    const m = /^(team|feature)=(.+)$/.exec(pair);
    if (!m) throw new CliError(`--scope takes team=NAME or feature=NAME, not "${pair}"`, 2);
    const [, field, value] = m as unknown as [string, 'team' | 'feature', string];
    const other = q.get(field);
    if (other !== null && other !== value) throw new CliError(`--scope ${field}=${value} contradicts --${field} ${other}`, 2);
    q.set(field, value);
  }
  return q;
}

function windowOptions(cmd: Command): Command {
  return withApiOptions(cmd)
    .requiredOption('--from <iso>', 'inclusive start of the window of actual calls, ISO 8601')
    .requiredOption('--to <iso>', 'exclusive end, ISO 8601')
    .option('--feature <name>', 'only this feature\'s calls')
    .option('--team <name>', 'only this team\'s calls')
    .option('--scope <field=value>', 'only calls in this scope: team=NAME or feature=NAME (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--json', 'print the full report as JSON');
}

function scopeText(scope: Record<string, string | null>): string {
  return Object.entries(scope).map(([k, v]) => `${k}=${v ?? '(none)'}`).join(' ');
}

export function registerAdvisorCommands(program: Command): void {
  windowOptions(program.command('advise').description('What to change to spend less: response cache, paid retries, model fit, prompt bloat, prompt caching, batch and output-limit findings with exact, stacked monthly savings'))
    .option('--min-calls <n>', 'smallest group of calls judged (default 10)')
    .addHelpText('after', '\nSavings are stacked: each recommendation saves what it adds on top of the ones applied before it\n(stack order), so the total is what doing all of them would save. See docs/advisor.md for each formula.')
    .action(async (opts: WindowOpts & { minCalls?: string }) => {
      const q = windowQuery(opts);
      if (opts.minCalls !== undefined) {
        if (!/^[1-9]\d{0,6}$/.test(opts.minCalls)) throw new CliError(`--min-calls must be a whole number from 1, not "${opts.minCalls}"`, 2);
        q.set('min_calls', opts.minCalls);
      }
      await withApi(opts, async ({ client }) => {
        const r = await client.get<AdviceReport>(`/api/advice?${q.toString()}`);
        if (opts.json) return void process.stdout.write(JSON.stringify(r, null, 2) + '\n');
        const s = r.summary;
        process.stdout.write(`${s.calls} calls cost ${formatUsd(s.baseline_cost)} (${s.unpriced_calls} unpriced, left out); doing everything below: ${formatUsd(s.projected_cost)}, saving ${formatUsd(s.monthly_savings)}/month\n`);
        if (r.recommendations.length === 0) return void process.stdout.write('no recommendations for this window\n');
        for (const [n, x] of r.recommendations.entries()) {
          process.stdout.write(`\n${n + 1}. ${x.kind} — ${scopeText(x.scope)}: ${formatUsd(x.monthly_savings)}/month (${x.confidence})\n`);
          process.stdout.write(`   ${x.evidence.calls} calls, ${formatUsd(x.evidence.current_cost)} -> ${formatUsd(x.evidence.projected_cost)} (stack order ${x.stack_order})\n`);
          const evidence = Object.entries(x.evidence).filter(([k]) => !['calls', 'current_cost', 'projected_cost', 'period_savings'].includes(k));
          if (evidence.length > 0) process.stdout.write(`   evidence: ${evidence.map(([k, v]) => `${k}=${v === null ? '-' : String(v)}`).join(', ')}\n`);
          process.stdout.write(`   how: ${x.how}\n   risk: ${x.risk}\n`);
          for (const a of x.assumptions) process.stdout.write(`   assumes: ${a}\n`);
        }
      });
    });

  windowOptions(program.command('whatif').description('Re-price the window\'s actual calls exactly under changes: move a feature to another model, use the batch API, assume a prompt-cache hit rate'))
    .option('--change <change>', "a change, applied in order (repeatable): 'model:A->B where feature=F', 'batch where priority=background', 'cache prefix [hit=0.6]', 'price provider=anthropic -12%'", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--move <feature=F:model=M>', 'move a feature\'s calls to another model (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--batch', 'every call through the provider\'s batch API')
    .option('--cache-hit <share>', 'share of calls reading their stable prompt prefix from cache, 0..1 (e.g. 0.6)')
    .action(async (opts: WindowOpts & { change: string[]; move: string[]; batch?: boolean; cacheHit?: string }) => {
      const q = windowQuery(opts);
      for (const m of opts.move) {
        if (!MOVE_PATTERN.test(m)) throw new CliError(`--move must look like feature=triage:model=gpt-4o-mini, not "${m}"`, 2);
        q.append('move', m);
      }
      for (const c of opts.change) {
        try {
          parseChange(c);
        } catch (e) {
          if (e instanceof ChangeSyntaxError) throw new CliError(`--change: ${e.message}`, 2);
          throw e;
        }
        q.append('change', c);
      }
      if (opts.batch) q.set('batch', 'true');
      if (opts.cacheHit !== undefined) q.set('cache_hit', opts.cacheHit);
      if (opts.change.length === 0 && opts.move.length === 0 && !opts.batch && opts.cacheHit === undefined) throw new CliError('name at least one change: --change, --move, --batch or --cache-hit', 2);
      await withApi(opts, async ({ client }) => {
        const r = await client.get<WhatIfReport>(`/api/whatif?${q.toString()}`);
        if (opts.json) return void process.stdout.write(JSON.stringify(r, null, 2) + '\n');
        const t = r.total;
        process.stdout.write(`${t.calls} calls: ${formatUsd(t.before)} -> ${formatUsd(t.after)}, saving ${formatUsd(t.savings)} (${formatUsd(t.monthly_savings)}/month); ${t.unpriced_calls} unpriced left out\n\n`);
        printTable(r.by_day.map((d) => ({ day: d.day, calls: d.calls, before: formatUsd(d.before), after: formatUsd(d.after), savings: formatUsd(d.savings) })), ['day', 'calls', 'before', 'after', 'savings']);
        process.stdout.write('\n');
        printTable(r.by_feature.map((f) => ({ feature: f.feature ?? '(none)', calls: f.calls, before: formatUsd(f.before), after: formatUsd(f.after), savings: formatUsd(f.savings) })), ['feature', 'calls', 'before', 'after', 'savings']);
        for (const n of r.notes) process.stdout.write(`note: ${n}\n`);
      });
    });
}
