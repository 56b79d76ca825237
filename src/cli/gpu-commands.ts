/**
 * `costrail import gpu-usage FILE` and `costrail report gpu`: self-hosted inference in the AI spend
 * inventory (src/inventory/gpu-*.ts). Without a running server the file is read in-process (with a
 * progress bar on a terminal); with one it is sent to POST /api/import/gpu-usage.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { GpuInputError, GPU_FIELDS } from '../inventory/gpu-usage-fields.js';
import { GPU_FORMATS, importGpuUsageFile, type GpuFormat, type GpuImportResult } from '../inventory/gpu-usage-import.js';
import { looksLikePrometheus } from '../inventory/gpu-prometheus.js';
import { DEFAULT_OUTPUT_WEIGHT, type GpuReport } from '../inventory/gpu-report.js';
import { withApi, withApiOptions, type ApiAccessOptions } from './api-access.js';
import { CliError } from './cli-error.js';
import { startProgress, type Progress } from './progress.js';

interface ImportGpuOpts extends ApiAccessOptions {
  format: string;
  map: string[];
  model?: string;
  instanceType?: string;
  gpus?: string;
  hourlyUsd?: string;
  team?: string;
  vendor?: string;
  json?: boolean;
}

const collect = (v: string, prev: string[]): string[] => [...prev, v];

function parent(program: Command, name: string, description: string): Command {
  return program.commands.find((c) => c.name() === name) ?? program.command(name).description(description);
}

/** Data rows of a CSV (newlines less the header), for the progress bar's total. */
function csvRows(file: string): number {
  const buf = fs.readFileSync(file);
  let n = 0;
  for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) n++;
  return Math.max(0, n - 1);
}

function registerImportGpuUsage(program: Command): void {
  withApiOptions(
    parent(program, 'import', 'Bring records from elsewhere into the ledger')
      .command('gpu-usage')
      .description('Import self-hosted GPU usage: GPU hours by instance type at an hourly cost and tokens per model, from a CSV or Prometheus text scraped from vLLM / TGI')
      .argument('<file>', 'a CSV (day, instance_type, gpu_hours, busy_hours, hourly_usd or cost_usd, model, input_tokens, output_tokens, team, vendor) or a Prometheus scrape log ("# scraped_at <ISO instant>" before each scrape)')
      .option('--format <format>', GPU_FORMATS.join(', '), 'auto')
      .option('--map <column=field>', `CSV: read FIELD (${GPU_FIELDS.join(', ')}) from COLUMN; repeatable`, collect, [])
      .option('--model <name>', 'Prometheus: model of series without a model_name label (TGI)')
      .option('--instance-type <type>', 'Prometheus: instance type the server ran on; with --hourly-usd, each scrape interval\'s GPU hours are charged')
      .option('--gpus <n>', 'Prometheus: GPUs of that server', '1')
      .option('--hourly-usd <usd>', 'Prometheus: USD per GPU hour')
      .option('--team <team>', 'Prometheus: team of every line')
      .option('--vendor <name>', 'Prometheus: who the GPUs are rented from (RunPod, CoreWeave, AWS …)')
      .option('--json', 'print {status, file, format, rows, lines, inserted, models, gpu_hours, cost_usd, input_tokens, output_tokens, invalid, invalid_count}'),
  )
    .addHelpText(
      'after',
      '\nCounters are cumulative: tokens are the differences between consecutive scrapes (a counter that\nwent down means the server restarted). One invalid row or sample refuses the whole file, naming\nits line; nothing is stored. Re-importing a file adds nothing. See docs/inventory.md.',
    )
    .action(async (file: string, opts: ImportGpuOpts) => {
      if (!(GPU_FORMATS as readonly string[]).includes(opts.format)) throw new CliError(`--format must be one of ${GPU_FORMATS.join(', ')}, not "${opts.format}"`, 2);
      const gpus = opts.gpus === undefined ? undefined : Number(opts.gpus);
      if (gpus !== undefined && (!Number.isInteger(gpus) || gpus < 1)) throw new CliError(`--gpus must be a whole number of GPUs, not "${opts.gpus}"`, 2);
      try {
        fs.accessSync(file, fs.constants.R_OK);
      } catch (e) {
        throw new CliError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
      }
      const common = { model: opts.model, instanceType: opts.instanceType, gpus, hourlyUsd: opts.hourlyUsd, team: opts.team, vendor: opts.vendor };
      let result: GpuImportResult;
      try {
        result = await withApi(opts, async (session) => {
          if (session.runtime) {
            let bar: Progress | undefined;
            const csvTotal = opts.format === 'csv' || (opts.format === 'auto' && !looksLikePrometheus(fs.readFileSync(file, 'utf8').slice(0, 4096))) ? csvRows(file) : 0;
            try {
              return await importGpuUsageFile(session.runtime.store, file, {
                ...common,
                format: opts.format as GpuFormat,
                map: opts.map,
                onProgress: (done, total) => {
                  bar ??= startProgress('importing', total || csvTotal, { quiet: opts.json, unit: total ? 'scrapes' : 'rows' });
                  bar.update(done);
                },
              });
            } finally {
              bar?.stop();
            }
          }
          const q = new URLSearchParams({ format: opts.format, file: path.basename(file) });
          for (const m of opts.map) q.append('map', m);
          for (const [k, v] of [['model', opts.model], ['instance_type', opts.instanceType], ['gpus', opts.gpus], ['hourly_usd', opts.hourlyUsd], ['team', opts.team], ['vendor', opts.vendor]] as const) if (v !== undefined) q.set(k, v);
          const text = fs.readFileSync(file, 'utf8');
          const prom = opts.format === 'prometheus' || (opts.format === 'auto' && looksLikePrometheus(text));
          return session.client.postText<GpuImportResult>(`/api/import/gpu-usage?${q.toString()}`, prom ? 'text/plain' : 'text/csv', text);
        });
      } catch (e) {
        if (e instanceof GpuInputError) throw new CliError(`${file}: ${e.message}; nothing imported`);
        throw e;
      }
      if (opts.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
      if (result.status === 'refused') {
        if (!opts.json) for (const bad of result.invalid.slice(0, 20)) process.stderr.write(`  line ${bad.line}: ${bad.error}\n`);
        const first = result.invalid[0];
        throw new CliError(`${file}: ${result.invalid_count} invalid row(s) (first: line ${first?.line}: ${first?.error}); nothing imported`);
      }
      if (opts.json) return;
      const unit = result.format === 'prometheus' ? 'scrapes' : 'rows';
      process.stdout.write(`read ${result.rows} ${unit}: ${result.lines} usage lines (${result.inserted} new), ${result.gpu_hours} GPU hours, $${result.cost_usd}, ${result.input_tokens} input and ${result.output_tokens} output tokens${result.models.length ? ` for ${result.models.join(', ')}` : ''}\n`);
    });
}

function registerGpuReport(program: Command): void {
  withApiOptions(
    parent(program, 'report', 'Reports over the ledger')
      .command('gpu')
      .description('Self-hosted inference: effective $/1M input and output tokens per model, GPU utilisation and idle cost, and the cheapest comparable API model')
      .requiredOption('--from <date>', 'inclusive start (ISO 8601)')
      .requiredOption('--to <date>', 'exclusive end (ISO 8601)')
      .option('--output-weight <w>', 'input-token equivalents of one output token, for the input/output cost split (1 = by token share)', DEFAULT_OUTPUT_WEIGHT)
      .option('--json', 'print {from, to, output_weight, comparables_version, models:[…], instance_types:[…], unattributed, total}'),
  )
    .addHelpText('after', '\nComparable API models come from data/comparable-models.json, priced by the price book; the\ncomparison prices the model\'s own input and output tokens there, so it does not depend on the split.')
    .action(async (opts: ApiAccessOptions & { from: string; to: string; outputWeight: string; json?: boolean }) => {
      for (const [name, v] of [['from', opts.from], ['to', opts.to]] as const) if (!Number.isFinite(Date.parse(v))) throw new CliError(`--${name} must be an ISO 8601 date or instant, not "${v}"`, 2);
      const q = new URLSearchParams({ from: opts.from, to: opts.to, output_weight: opts.outputWeight });
      const r = await withApi(opts, ({ client }) => client.get<GpuReport>(`/api/gpu?${q.toString()}`));
      if (opts.json) return void process.stdout.write(JSON.stringify(r, null, 2) + '\n');
      if (r.models.length === 0 && r.total.gpu_hours === '0') return void process.stdout.write(`no GPU usage between ${r.from} and ${r.to}: costrail import gpu-usage FILE\n`);
      for (const m of r.models) {
        const util = m.utilisation === null ? 'utilisation unknown' : `${(Number(m.utilisation) * 100).toFixed(1)}% busy, idle $${m.idle_cost_usd}`;
        process.stdout.write(`${m.model}: $${m.cost_usd} for ${m.gpu_hours} GPU hours (${util})\n`);
        process.stdout.write(`  ${m.input_tokens} input / ${m.output_tokens} output tokens: $${m.cost_per_1m_input ?? '-'} / $${m.cost_per_1m_output ?? '-'} per 1M (output weight ${r.output_weight})\n`);
        if (m.comparable) process.stdout.write(`  cheapest comparable API: ${m.comparable.provider}/${m.comparable.model} ($${m.comparable.input_per_1m} / $${m.comparable.output_per_1m} per 1M) would have cost $${m.comparable.api_cost_usd}: ${m.savings_usd !== null && !m.savings_usd.startsWith('-') ? `self-hosting saved $${m.savings_usd}` : `the API would have saved $${m.savings_usd?.replace(/^-/, '')}`}\n`);
        else process.stdout.write(`  no comparable API model known${m.family ? ` (family ${m.family}: none priced)` : ' (add it to data/comparable-models.json)'}\n`);
      }
      if (r.unattributed.gpu_hours !== '0') process.stdout.write(`not attributed to a model: ${r.unattributed.gpu_hours} GPU hours, $${r.unattributed.cost_usd}\n`);
      process.stdout.write(`total: $${r.total.cost_usd} for ${r.total.gpu_hours} GPU hours${r.total.idle_cost_usd !== null ? `, idle $${r.total.idle_cost_usd}` : ''}\n`);
    });
}

export function registerGpuCommands(program: Command): void {
  registerImportGpuUsage(program);
  registerGpuReport(program);
}
