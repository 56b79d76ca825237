/**
 * Unit economics on the command line: `import outcomes`, `import revenue` (beside `import ledger`),
 * `report unit-economics`, `report margin`, `report agents` (beside `report showback`) and `compare`. Everything
 * goes through the management API (src/economics/economics-routes.ts), so a command behaves the
 * same against a local data folder or a remote server.
 */
import fs from 'node:fs';
import type { Command } from 'commander';
import type { ComparisonReport } from '../economics/comparison.js';
import type { MarginReport } from '../economics/customer-margin.js';
import { MAX_OUTCOMES_PER_BATCH, MAX_REVENUE_PER_BATCH } from '../economics/outcome-input.js';
import { formatOf, readRows, validateOutcomeRows, validateRevenueRows, type InvalidRow } from '../economics/outcome-file.js';
import type { UnitEconomicsReport } from '../economics/unit-economics.js';
import type { DriftReport } from '../economics/outcome-drift.js';
import { rebillingCsv, type RebillingExport } from '../economics/rebilling.js';
import { UNIT_ECONOMICS_DIMENSIONS } from '../store/economics-types.js';
import { registerAgentsReport } from './agents-command.js';
import { withApi, withApiOptions, type ApiAccessOptions } from './api-access.js';
import { CliError } from './cli-error.js';
import { formatUsd } from './money-format.js';
import { startProgress } from './progress.js';
import { printTable } from './table.js';

interface ImportOpts extends ApiAccessOptions {
  format?: string;
  skipInvalid?: boolean;
  json?: boolean;
}

/** The parent command (`import`, `report`) when another module registered it, else a new one. */
function parent(program: Command, name: string, description: string): Command {
  return program.commands.find((c) => c.name() === name) ?? program.command(name).description(description);
}

async function validRows<T>(file: string, opts: ImportOpts, validate: (rows: Awaited<ReturnType<typeof readRows>>, format: 'jsonl' | 'csv') => { valid: T[]; invalid: InvalidRow[] }): Promise<{ valid: T[]; invalid: InvalidRow[]; read: number }> {
  try {
    fs.accessSync(file, fs.constants.R_OK);
  } catch (e) {
    throw new CliError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let format: 'jsonl' | 'csv';
  try {
    format = formatOf(file, opts.format);
    const rows = await readRows(file, format);
    const out = validate(rows, format);
    if (out.invalid.length > 0 && !opts.skipInvalid) {
      if (!opts.json) for (const bad of out.invalid.slice(0, 20)) process.stderr.write(`  line ${bad.line}: ${bad.error}\n`);
      const first = out.invalid[0]!;
      throw new CliError(`${file}: ${out.invalid.length} invalid row(s) (first: line ${first.line}: ${first.error}); nothing imported — fix them or pass --skip-invalid`);
    }
    return { ...out, read: rows.length };
  } catch (e) {
    if (e instanceof RangeError) throw new CliError(e.message, 2);
    throw e;
  }
}

async function sendInBatches<T>(items: readonly T[], size: number, opts: ImportOpts, send: (batch: T[]) => Promise<number>): Promise<number> {
  const bar = startProgress('importing', items.length, { quiet: opts.json, unit: 'rows' });
  let done = 0;
  try {
    for (let i = 0; i < items.length; i += size) {
      const batch = items.slice(i, i + size);
      done += await send(batch);
      bar.increment(batch.length);
    }
  } finally {
    bar.stop();
  }
  return done;
}

function printSkipped(invalid: readonly InvalidRow[]): void {
  for (const bad of invalid.slice(0, 20)) process.stdout.write(`  skipped line ${bad.line}: ${bad.error}\n`);
  if (invalid.length > 20) process.stdout.write(`  … and ${invalid.length - 20} more (--json lists them all)\n`);
}

function importOptions(cmd: Command): Command {
  return withApiOptions(cmd)
    .option('--format <f>', 'jsonl | csv (default: csv for .csv/.tsv files, else jsonl)')
    .option('--skip-invalid', 'import the valid rows and report the invalid ones (default: any invalid row refuses the whole file)')
    .option('--json', 'print the summary as JSON');
}

function isoOption(name: string, v: string): string {
  if (!Number.isFinite(Date.parse(v))) throw new CliError(`--${name} must be an ISO 8601 date or instant, not "${v}"`, 2);
  return v;
}

export function registerEconomicsCommands(program: Command): void {
  const importCmd = parent(program, 'import', 'Bring records from elsewhere into the ledger');
  importOptions(
    importCmd
      .command('outcomes')
      .description('Import business outcomes (JSON Lines or CSV): id, occurred_at, type, success, and trace_id and/or call_ids to link their calls; idempotent by id')
      .argument('<file>', 'JSON Lines or CSV file of outcomes'),
  )
    .addHelpText(
      'after',
      '\nFields: id, occurred_at (ISO 8601), type, success (true|false), trace_id, call_ids, customer, feature,\nteam, value_usd, attributes (object). In CSV: call_ids separated by spaces, ";" or "|"; attributes as a\nJSON column or as attributes.NAME columns; success also as 1/0/yes/no. Outcomes may arrive long after\ntheir calls: linking happens when reports run. Re-importing a file inserts nothing twice.',
    )
    .action(async (file: string, opts: ImportOpts) => {
      const { valid, invalid, read } = await validRows(file, opts, validateOutcomeRows);
      const inserted = await withApi(opts, ({ client }) => sendInBatches(valid, MAX_OUTCOMES_PER_BATCH, opts, async (outcomes) => (await client.post<{ inserted: number }>('/api/outcomes', { outcomes })).inserted));
      const summary = { read, inserted, duplicates: valid.length - inserted, invalid };
      if (opts.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
      else {
        process.stdout.write(`read ${read}, inserted ${inserted}, duplicates ${summary.duplicates}, invalid ${invalid.length}\n`);
        printSkipped(invalid);
      }
    });

  importOptions(
    importCmd
      .command('revenue')
      .description('Import customer revenue (CSV as a billing system exports it, or JSON Lines): customer, period start/end, amount, currency')
      .argument('<file>', 'CSV or JSON Lines file of revenue entries'),
  )
    .addHelpText(
      'after',
      '\nColumns (case-insensitive): customer (or customer_id, account), period_start (or start, service_period_start),\nperiod_end (or end, service_period_end), amount (or total, revenue, amount_paid), currency (ISO 4217).\nA period_end given as a date (2026-11-30) includes that day; an instant is exclusive. Other columns\nare ignored and listed. Re-importing a (customer, period, currency) replaces its amount.',
    )
    .action(async (file: string, opts: ImportOpts) => {
      let ignoredColumns: string[] = [];
      const { valid, invalid, read } = await validRows(file, opts, (rows, format) => {
        const out = validateRevenueRows(rows, format);
        ignoredColumns = out.ignoredColumns;
        return out;
      });
      const written = await withApi(opts, ({ client }) => sendInBatches(valid, MAX_REVENUE_PER_BATCH, opts, async (entries) => (await client.post<{ written: number }>('/api/revenue', { entries })).written));
      const summary = { read, written, invalid, ignored_columns: ignoredColumns };
      if (opts.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
      else {
        process.stdout.write(`read ${read}, written ${written}, invalid ${invalid.length}${ignoredColumns.length ? `, ignored columns: ${ignoredColumns.join(', ')}` : ''}\n`);
        printSkipped(invalid);
      }
    });

  const report = parent(program, 'report', 'Reports over the ledger');
  withApiOptions(
    report
      .command('unit-economics')
      .description('Cost per outcome and per successful outcome, success rate, and the cost of calls linked to no outcome, by one dimension')
      .requiredOption('--from <iso>', 'inclusive start (calls started at or after)')
      .requiredOption('--to <iso>', 'exclusive end')
      .option('--by <dim>', UNIT_ECONOMICS_DIMENSIONS.slice(0, 6).join(' | '), 'feature')
      .option('--type <outcome-type>', 'only outcomes of this type')
      .option('--json', 'print the report as JSON (exact decimal strings)'),
  ).action(async (opts: ApiAccessOptions & { from: string; to: string; by: string; type?: string; json?: boolean }) => {
    if (!(UNIT_ECONOMICS_DIMENSIONS as readonly string[]).includes(opts.by)) throw new CliError(`--by must be one of ${UNIT_ECONOMICS_DIMENSIONS.join(', ')}, not "${opts.by}"`, 2);
    const q = new URLSearchParams({ from: isoOption('from', opts.from), to: isoOption('to', opts.to), by: opts.by });
    if (opts.type) q.set('type', opts.type);
    const r = await withApi(opts, ({ client }) => client.get<UnitEconomicsReport>(`/api/economics/unit-economics?${q.toString()}`));
    if (opts.json) return void process.stdout.write(JSON.stringify(r, null, 2) + '\n');
    printTable(
      r.rows.map((row) => ({
        [opts.by]: row.key ?? '(none)',
        cost: formatUsd(row.cost),
        calls: row.calls,
        outcomes: row.outcomes,
        successful: row.successful_outcomes,
        success_rate: row.success_rate === null ? '-' : `${(Number(row.success_rate) * 100).toFixed(1)}%`,
        per_outcome: formatUsd(row.cost_per_outcome),
        per_success: formatUsd(row.cost_per_successful_outcome),
        unlinked_cost: formatUsd(row.unlinked_cost),
      })),
      [opts.by, 'cost', 'calls', 'outcomes', 'successful', 'success_rate', 'per_outcome', 'per_success', 'unlinked_cost'],
    );
    process.stdout.write(`total ${formatUsd(r.total.cost)} over ${r.total.calls} calls, ${formatUsd(r.total.unlinked_cost)} linked to no outcome${r.type ? ` of type ${r.type}` : ''}\n`);
    if (r.total.unpriced_calls > 0) process.stdout.write(`${r.total.unpriced_calls} call(s) have no known price: their cost is missing from these figures\n`);
    if (r.outcomes_without_calls.outcomes > 0) process.stdout.write(`${r.outcomes_without_calls.outcomes} outcome(s) in the window match no call (check their trace_id / call_ids)\n`);
  });

  withApiOptions(
    report
      .command('margin')
      .description('Per customer: revenue, AI cost, gross margin and margin %, including customers with AI cost and no revenue (worst margin first)')
      .requiredOption('--from <iso>', 'inclusive start')
      .requiredOption('--to <iso>', 'exclusive end')
      .option('--rates <list>', 'USD per unit for revenue in other currencies, e.g. EUR=1.08,GBP=1.27 (required when such revenue exists; never guessed)')
      .option('--alert-share <share>', 'flag customers whose AI cost passes this share of revenue, e.g. 0.3')
      .option('--json', 'print the report as JSON (exact decimal strings)'),
  ).action(async (opts: ApiAccessOptions & { from: string; to: string; rates?: string; alertShare?: string; json?: boolean }) => {
    const q = new URLSearchParams({ from: isoOption('from', opts.from), to: isoOption('to', opts.to) });
    if (opts.rates) q.set('rates', opts.rates);
    if (opts.alertShare) q.set('alert_share', opts.alertShare);
    const r = await withApi(opts, ({ client }) => client.get<MarginReport>(`/api/economics/margin?${q.toString()}`));
    if (opts.json) return void process.stdout.write(JSON.stringify(r, null, 2) + '\n');
    printTable(
      r.rows.map((row) => ({
        customer: row.customer,
        revenue: row.has_revenue ? formatUsd(row.revenue) : '(none)',
        ai_cost: formatUsd(row.ai_cost),
        gross_margin: formatUsd(row.gross_margin),
        margin: row.margin_pct === null ? '-' : `${row.margin_pct}%`,
        alert: row.over_threshold ? 'OVER' : '',
      })),
      ['customer', 'revenue', 'ai_cost', 'gross_margin', 'margin', 'alert'],
    );
    process.stdout.write(`total revenue ${formatUsd(r.total.revenue)}, AI cost ${formatUsd(r.total.ai_cost)}, gross margin ${formatUsd(r.total.gross_margin)}; AI cost with no customer: ${formatUsd(r.unattributed_cost)}\n`);
  });

  withApiOptions(
    program
      .command('compare')
      .description('A/B read-out for a feature by prompt version or model: cost per outcome, success rate with a 95% Wilson interval, and a two-proportion z-test against a baseline')
      .requiredOption('--feature <name>', 'the feature')
      .option('--by <dim>', 'prompt_version | model', 'prompt_version')
      .requiredOption('--from <iso>', 'inclusive start')
      .requiredOption('--to <iso>', 'exclusive end')
      .option('--type <outcome-type>', 'only outcomes of this type')
      .option('--baseline <variant>', 'the variant the others are tested against (default: the one with the most outcomes)')
      .option('--json', 'print the read-out as JSON'),
  ).action(async (opts: ApiAccessOptions & { feature: string; by: string; from: string; to: string; type?: string; baseline?: string; json?: boolean }) => {
    if (opts.by !== 'prompt_version' && opts.by !== 'model') throw new CliError(`--by must be prompt_version or model, not "${opts.by}"`, 2);
    const q = new URLSearchParams({ feature: opts.feature, by: opts.by, from: isoOption('from', opts.from), to: isoOption('to', opts.to) });
    if (opts.type) q.set('type', opts.type);
    if (opts.baseline) q.set('baseline', opts.baseline);
    const r = await withApi(opts, ({ client }) => client.get<ComparisonReport>(`/api/economics/compare?${q.toString()}`));
    if (opts.json) return void process.stdout.write(JSON.stringify(r, null, 2) + '\n');
    const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
    printTable(
      r.variants.map((v) => ({
        [opts.by]: `${v.variant ?? '(none)'}${v.variant === r.baseline ? ' (baseline)' : ''}`,
        outcomes: v.outcomes,
        success_rate: v.success_rate === null ? '-' : pct(Number(v.success_rate)),
        '95% CI': v.success_rate_ci ? `${pct(v.success_rate_ci[0])}–${pct(v.success_rate_ci[1])}` : '-',
        per_outcome: formatUsd(v.cost_per_outcome),
        per_success: formatUsd(v.cost_per_successful_outcome),
        p_value: v.vs_baseline ? v.vs_baseline.p_value.toPrecision(3) : '-',
        significant: v.vs_baseline ? (v.vs_baseline.significant ? 'yes' : 'no') : '-',
      })),
      [opts.by, 'outcomes', 'success_rate', '95% CI', 'per_outcome', 'per_success', 'p_value', 'significant'],
    );
    process.stdout.write(`test: ${r.test}\n`);
  });

  withApiOptions(
    report
      .command('outcome-drift')
      .description('Features whose cost per successful outcome rose against the weeks before, even when total spend is flat')
      .option('--at <iso>', 'end of the current window (default now)')
      .option('--window-days <n>', 'current window in days', '7')
      .option('--baseline-days <n>', 'baseline window just before it, in days', '28')
      .option('--threshold <share>', 'relative rise that counts as drift', '0.25')
      .option('--min-successes <n>', 'successful outcomes each window needs', '20')
      .option('--type <outcome-type>', 'only outcomes of this type')
      .option('--json', 'print the report as JSON'),
  ).action(async (opts: ApiAccessOptions & { at?: string; windowDays: string; baselineDays: string; threshold: string; minSuccesses: string; type?: string; json?: boolean }) => {
    const q = new URLSearchParams({ window_days: opts.windowDays, baseline_days: opts.baselineDays, threshold: opts.threshold, min_successes: opts.minSuccesses });
    if (opts.at) q.set('at', isoOption('at', opts.at));
    if (opts.type) q.set('type', opts.type);
    const r = await withApi(opts, ({ client }) => client.get<DriftReport>(`/api/economics/outcome-drift?${q.toString()}`));
    if (opts.json) return void process.stdout.write(JSON.stringify(r, null, 2) + '\n');
    printTable(
      r.features.map((f) => ({
        feature: f.feature ?? '(none)',
        status: f.status,
        before: formatUsd(f.baseline_cost_per_successful_outcome),
        now: formatUsd(f.current_cost_per_successful_outcome),
        change: f.change === null ? '-' : `${(Number(f.change) * 100).toFixed(1)}%`,
        spend_per_day: f.spend_change_per_day === null ? '-' : `${(Number(f.spend_change_per_day) * 100).toFixed(1)}%`,
        success_rate: `${f.baseline_success_rate === null ? '-' : `${(Number(f.baseline_success_rate) * 100).toFixed(1)}%`} → ${f.current_success_rate === null ? '-' : `${(Number(f.current_success_rate) * 100).toFixed(1)}%`}`,
      })),
      ['feature', 'status', 'before', 'now', 'change', 'spend_per_day', 'success_rate'],
    );
    process.stdout.write(`cost per successful outcome, ${r.current.from} – ${r.current.to} vs ${r.baseline.from} – ${r.baseline.to}; drift above +${(Number(r.threshold) * 100).toFixed(0)}%\n`);
  });

  registerAgentsReport(report);

  const exportCmd = parent(program, 'export', 'Export the ledger for other tools');
  withApiOptions(
    exportCmd
      .command('rebilling')
      .description('Per-customer, per-model AI usage to bill customers for: cost plus --markup, or token rates from --rate-card; CSV or JSON')
      .requiredOption('--from <iso>', 'inclusive start')
      .requiredOption('--to <iso>', 'exclusive end')
      .option('--markup <pct>', 'cost plus this percentage, e.g. 20 (default 0)')
      .option('--rate-card <file>', 'JSON {"default": {"input_per_mtok": "3", "output_per_mtok": "15"}, "models": {"MODEL": {…}}}; cache tokens at cache_read_per_mtok / cache_write_per_mtok, else the input rate')
      .option('--format <f>', 'csv | json', 'csv')
      .option('--json', 'same as --format json')
      .option('--out <file>', 'write to a file instead of standard output'),
  )
    .addHelpText('after', '\nWith --markup, calls without a known price are counted (unpriced_calls) but not billed; with a rate card\nevery call is billed by its tokens, and a model the card does not cover refuses the export.')
    .action(async (opts: ApiAccessOptions & { from: string; to: string; markup?: string; rateCard?: string; format: string; json?: boolean; out?: string }) => {
      const format = opts.json ? 'json' : opts.format;
      if (format !== 'csv' && format !== 'json') throw new CliError(`--format must be csv or json, not "${format}"`, 2);
      if (opts.markup !== undefined && opts.rateCard !== undefined) throw new CliError('--markup and --rate-card are two pricing modes: pass one', 2);
      let rateCard: unknown;
      if (opts.rateCard !== undefined) {
        try {
          rateCard = JSON.parse(fs.readFileSync(opts.rateCard, 'utf8')) as unknown;
        } catch (e) {
          throw new CliError(`${opts.rateCard}: not a readable JSON rate card (${(e as Error).message})`, 2);
        }
      }
      const toIso = (name: string, v: string): string => new Date(isoOption(name, v)).toISOString();
      const body = { from: toIso('from', opts.from), to: toIso('to', opts.to), ...(opts.markup !== undefined ? { markup_pct: opts.markup } : {}), ...(rateCard !== undefined ? { rate_card: rateCard } : {}) };
      // JSON over the API either way; the CSV is rendered here by the same function the API uses.
      const out = await withApi(opts, ({ client }) => client.post<RebillingExport>('/api/economics/rebilling', body));
      const content = format === 'csv' ? rebillingCsv(out) : JSON.stringify(out, null, 2) + '\n';
      if (opts.out) fs.writeFileSync(opts.out, content);
      else process.stdout.write(content);
    });
}
