/**
 * `costrail import expenses FILE`, `costrail report ai-spend` and `costrail inventory sources|review|rules`: the AI spend
 * inventory (src/inventory). Without a running server the export is read in-process (DuckDB's CSV
 * reader); with one it is sent to POST /api/import/expenses.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { ExpenseInputError, parseRates } from '../inventory/expense-fields.js';
import { importExpensesFile, type ExpenseImportResult } from '../inventory/expense-import.js';
import { AI_SPEND_DIMENSIONS, type AiSpendResult } from '../inventory/ai-spend.js';
import type { InventoryFinding } from '../inventory/inventory-findings.js';
import type { ExpenseLine, ExpenseRule, SpendSource } from '../store/spend-source.js';
import { SPEND_CATEGORIES } from '../store/spend-source.js';
import { withApi, withApiOptions, type ApiAccessOptions } from './api-access.js';
import { CliError } from './cli-error.js';
import { startProgress } from './progress.js';
import { importSeatsFile, SEAT_FIELDS, type SeatImportResult } from '../inventory/seat-import.js';

interface ImportExpensesOpts extends ApiAccessOptions {
  format: string;
  map: string[];
  rates: string[];
  channel: string;
  skipInvalid?: boolean;
  json?: boolean;
}

const collect = (v: string, prev: string[]): string[] => [...prev, v];

function parent(program: Command, name: string, description: string): Command {
  return program.commands.find((c) => c.name() === name) ?? program.command(name).description(description);
}

function registerImportExpenses(program: Command): void {
  withApiOptions(
    parent(program, 'import', 'Bring records from elsewhere into the ledger')
      .command('expenses')
      .description('Import a card-transaction or expense-report CSV export into the AI spend inventory')
      .argument('<file>', 'CSV export: date, merchant/descriptor, amount, currency, employee/cardholder, cost centre/department, memo')
      .option('--format <format>', 'auto or csv (both read the file as CSV)', 'auto')
      .option('--map <column=field>', 'read FIELD (date, descriptor, amount, currency, amount_usd, employee, cost_centre, memo) from COLUMN; repeatable', collect, [])
      .option('--rates <CUR=USD>', 'USD per unit of a currency (e.g. EUR=1.08); repeatable; never fetched live', collect, [])
      .option('--channel <channel>', 'how these lines were paid: card or expense', 'card')
      .option('--skip-invalid', 'import the valid rows and report the invalid ones (default: any invalid row refuses the whole file)')
      .option('--json', 'print the summary as JSON: {status, file, rows, matched, matched_by, review, ignored, inserted, unconverted, unconverted_currencies, invalid, invalid_count}'),
  )
    .addHelpText(
      'after',
      '\nEach line is matched by your rules (`costrail inventory rules add`), then the vendor catalog\n(data/ai-vendors.csv); AI-looking unknowns and shared bills (cloud, app stores) go to the review\nqueue (`costrail inventory review`); other lines are only counted. Non-USD lines need --rates or\nan amount_usd column. Re-importing a file adds nothing (lines are keyed by content).',
    )
    .action(async (file: string, opts: ImportExpensesOpts) => {
      if (opts.format !== 'auto' && opts.format !== 'csv') throw new CliError(`--format must be auto or csv, not "${opts.format}"`, 2);
      if (opts.channel !== 'card' && opts.channel !== 'expense') throw new CliError(`--channel must be card or expense, not "${opts.channel}"`, 2);
      const channel = opts.channel;
      let rates;
      try {
        rates = parseRates(opts.rates);
        fs.accessSync(file, fs.constants.R_OK);
      } catch (e) {
        if (e instanceof ExpenseInputError) throw new CliError(e.message, 2);
        throw new CliError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
      }
      let result: ExpenseImportResult;
      try {
        result = await withApi(opts, async (session) => {
          if (session.runtime) {
            const bar = startProgress('importing', 0, { quiet: opts.json, unit: 'rows' });
            try {
              return await importExpensesFile(session.runtime.store, file, { map: opts.map, rates, channel, skipInvalid: Boolean(opts.skipInvalid), onProgress: (n) => bar.update(n) });
            } finally {
              bar.stop();
            }
          }
          const q = new URLSearchParams({ channel, skip_invalid: opts.skipInvalid ? 'true' : 'false', file: path.basename(file) });
          for (const m of opts.map) q.append('map', m);
          for (const r of opts.rates) q.append('rates', r);
          return session.client.postText<ExpenseImportResult>(`/api/import/expenses?${q.toString()}`, 'text/csv', fs.readFileSync(file, 'utf8'));
        });
      } catch (e) {
        if (e instanceof ExpenseInputError) throw new CliError(`${file}: ${e.message}`);
        throw e;
      }
      if (opts.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
      if (result.status === 'refused') {
        const first = result.invalid[0];
        if (!opts.json) for (const bad of result.invalid.slice(0, 20)) process.stderr.write(`  line ${bad.line}: ${bad.error}\n`);
        throw new CliError(`${file}: ${result.invalid_count} invalid row(s) (first: line ${first?.line}: ${first?.error}); nothing imported — fix them or pass --skip-invalid`);
      }
      if (opts.json) return;
      process.stdout.write(`read ${result.rows} rows: ${result.matched} AI lines matched (${result.matched_by.catalog} by catalog pattern, ${result.matched_by.rule} by your rules), ${result.review} queued for review, ${result.ignored} not AI; ${result.inserted} new lines stored\n`);
      if (result.unconverted > 0) process.stdout.write(`${result.unconverted} matched line(s) in ${result.unconverted_currencies.join(', ')} have no USD amount: re-import with --rates CUR=USD to count them\n`);
      if (result.review > 0) process.stdout.write('confirm or reject queued lines: costrail inventory review\n');
    });
}

interface ImportSeatsOpts extends ApiAccessOptions {
  map: string[];
  source?: string;
  vendor?: string;
  skipInvalid?: boolean;
  json?: boolean;
}

function registerImportSeats(program: Command): void {
  withApiOptions(
    parent(program, 'import', 'Bring records from elsewhere into the ledger')
      .command('seats')
      .description('Import a seat list (vendor, email/person, team, last active) into the AI spend inventory')
      .argument('<file>', 'CSV export of a tool\'s admin console')
      .option('--map <column=field>', `read FIELD (${SEAT_FIELDS.join(', ')}) from COLUMN; repeatable`, collect, [])
      .option('--source <id>', 'link every seat to this spend source (costrail inventory sources)')
      .option('--vendor <name>', 'vendor of every row when the file has no vendor column')
      .option('--skip-invalid', 'import the valid rows and report the invalid ones')
      .option('--json', 'print {status, file, rows, seats, by_source, sources_created, invalid, invalid_count}'),
  )
    .addHelpText('after', '\nSeats link to the vendor\'s organisation source (never a card / expense one); a vendor without one\ngets an ap_invoice seat source under review. Set its run-rate to price idle and duplicate seats\n(`costrail inventory findings`). Runs in-process only (it needs the store, not a server).')
    .action(async (file: string, opts: ImportSeatsOpts) => {
      try {
        fs.accessSync(file, fs.constants.R_OK);
      } catch (e) {
        throw new CliError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
      }
      let result: SeatImportResult;
      try {
        result = await withApi(opts, async (session) => {
          if (!session.runtime) throw new CliError('import seats reads the store in-process: stop the server or run it where the data folder is', 2);
          return importSeatsFile(session.runtime.store, file, { map: opts.map, sourceId: opts.source, vendor: opts.vendor, skipInvalid: Boolean(opts.skipInvalid) });
        });
      } catch (e) {
        if (e instanceof ExpenseInputError) throw new CliError(`${file}: ${e.message}`, 2);
        throw e;
      }
      if (opts.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
      if (result.status === 'refused') {
        const first = result.invalid[0];
        throw new CliError(`${file}: ${result.invalid_count} invalid row(s) (first: line ${first?.line}: ${first?.error}); nothing imported — fix them or pass --skip-invalid`);
      }
      if (opts.json) return;
      process.stdout.write(`read ${result.rows} rows: ${result.seats} seats on ${Object.keys(result.by_source).length} source(s)${result.sources_created.length ? `; new sources ${result.sources_created.join(', ')}` : ''}\n`);
    });
}

function registerInventory(program: Command): void {
  const inv = program.command('inventory').description('The AI spend inventory: sources, the review queue, descriptor rules');
  withApiOptions(inv.command('sources').description('List every known AI spend source').option('--json', 'print {sources:[…]} as JSON')).action(async (opts: ApiAccessOptions & { json?: boolean }) => {
    const { sources } = await withApi(opts, ({ client }) => client.get<{ sources: SpendSource[] }>('/api/inventory/sources'));
    if (opts.json) return void process.stdout.write(JSON.stringify({ sources }, null, 2) + '\n');
    if (sources.length === 0) return void process.stdout.write('no spend sources yet: costrail import expenses FILE\n');
    for (const s of sources) process.stdout.write(`${s.source_id}\t${s.category}\t${s.status}${s.owner_team ? `\tteam ${s.owner_team}` : ''}${s.run_rate_usd ? `\t$${s.run_rate_usd}/month` : ''}${s.renewal_date ? `\trenews ${s.renewal_date}` : ''}\n`);
  });
  const review = withApiOptions(inv.command('review').description('The review queue; with --confirm or --reject, decide one line').argument('[hash]', 'a queued line (its line_hash)'))
    .option('--confirm <vendor/product/category>', `confirm as VENDOR/PRODUCT/CATEGORY (category one of ${SPEND_CATEGORIES.join(', ')})`)
    .option('--reject', 'reject as not AI')
    .option('--json', 'print as JSON');
  review.action(async (hash: string | undefined, opts: ApiAccessOptions & { confirm?: string; reject?: boolean; json?: boolean }) => {
    if (!hash) {
      const { lines } = await withApi(opts, ({ client }) => client.get<{ lines: ExpenseLine[] }>('/api/inventory/review'));
      if (opts.json) return void process.stdout.write(JSON.stringify({ lines }, null, 2) + '\n');
      if (lines.length === 0) return void process.stdout.write('the review queue is empty\n');
      for (const l of lines) process.stdout.write(`${l.line_hash}\t${l.occurred_at.slice(0, 10)}\t${l.descriptor}\t${l.amount} ${l.currency}\t${l.employee ?? ''}\t${l.match_pattern ?? '(no pattern: looks like AI)'}\n`);
      return;
    }
    if (Boolean(opts.confirm) === Boolean(opts.reject)) throw new CliError('give exactly one of --confirm VENDOR/PRODUCT/CATEGORY or --reject', 2);
    let body: unknown = { reject: true };
    if (opts.confirm) {
      const [vendor, product, category] = opts.confirm.split('/');
      if (!vendor || !product || !category || !(SPEND_CATEGORIES as readonly string[]).includes(category)) throw new CliError(`--confirm must be VENDOR/PRODUCT/CATEGORY with a category of ${SPEND_CATEGORIES.join(', ')}`, 2);
      body = { confirm: { vendor, product, category } };
    }
    const r = await withApi(opts, ({ client }) => client.post<{ line_hash: string; state: string }>(`/api/inventory/review/${encodeURIComponent(hash)}`, body));
    process.stdout.write(opts.json ? JSON.stringify(r) + '\n' : `${r.line_hash}: ${r.state}\n`);
  });
  withApiOptions(inv.command('findings').description('Findings with the monthly $ they would save (duplicate channels, unsanctioned vendors, overlapping tools, renewals in 60 days)'))
    .option('--as-of <date>', 'end of the 30-day window (ISO 8601; default now)')
    .option('--json', 'print {as_of, findings:[{kind, vendor, category, team, detail, monthly_usd}]}')
    .action(async (opts: ApiAccessOptions & { asOf?: string; json?: boolean }) => {
      if (opts.asOf !== undefined && !Number.isFinite(Date.parse(opts.asOf))) throw new CliError(`--as-of must be an ISO 8601 date or instant, not "${opts.asOf}"`, 2);
      const q = opts.asOf ? `?as_of=${encodeURIComponent(opts.asOf)}` : '';
      const r = await withApi(opts, ({ client }) => client.get<{ as_of: string; findings: InventoryFinding[] }>(`/api/inventory/findings${q}`));
      if (opts.json) return void process.stdout.write(JSON.stringify(r, null, 2) + '\n');
      if (r.findings.length === 0) return void process.stdout.write(`no findings for the 30 days before ${r.as_of}\n`);
      for (const f of r.findings) process.stdout.write(`${f.kind.padEnd(20)} $${f.monthly_usd}/month\t${f.detail}\n`);
    });
  const rules = inv.command('rules').description('Descriptor rules (consulted before the vendor catalog)');
  withApiOptions(rules.command('list').description('List descriptor rules').option('--json', 'print as JSON')).action(async (opts: ApiAccessOptions & { json?: boolean }) => {
    const r = await withApi(opts, ({ client }) => client.get<{ rules: ExpenseRule[] }>('/api/inventory/rules'));
    if (opts.json) return void process.stdout.write(JSON.stringify(r, null, 2) + '\n');
    for (const x of r.rules) process.stdout.write(`${x.pattern}\t${x.vendor}\t${x.product}\t${x.category}\n`);
  });
  withApiOptions(
    rules
      .command('add')
      .description('Add or replace a rule: descriptors starting with PATTERN belong to the vendor')
      .argument('<pattern>', 'descriptor start, e.g. "ACME AI" (case, spaces and * are ignored)')
      .requiredOption('--vendor <vendor>', 'vendor name')
      .requiredOption('--product <product>', 'product name')
      .requiredOption('--category <category>', SPEND_CATEGORIES.join(', ')),
  ).action(async (pattern: string, opts: ApiAccessOptions & { vendor: string; product: string; category: string }) => {
    const r = await withApi(opts, ({ client }) => client.post<ExpenseRule>('/api/inventory/rules', { pattern, vendor: opts.vendor, product: opts.product, category: opts.category }));
    process.stdout.write(`rule ${r.pattern} → ${r.vendor} / ${r.product} (${r.category})\n`);
  });
}

function registerAiSpendReport(program: Command): void {
  withApiOptions(
    parent(program, 'report', 'Reports over the ledger')
      .command('ai-spend')
      .description('All AI spend in one total: ledger, imported bills, matched card / expense lines, seat plans and self-hosted GPUs, never a dollar twice')
      .requiredOption('--from <date>', 'inclusive start (ISO 8601)')
      .requiredOption('--to <date>', 'exclusive end (ISO 8601)')
      .option('--by <dimension>', AI_SPEND_DIMENSIONS.join(', '), 'category')
      .option('--json', 'print {rows:[{key, amount_usd}], total, parts:{ledger, billed, expenses, seats, gpu}, excluded_prepaid, excluded_seat_charges, excluded_gpu_payments, unconverted_lines}'),
  )
    .addHelpText('after', '\nPer provider and day an imported bill replaces the ledger; a card charge for API credits of a\nprovider already counted is excluded (it pays for that usage), as are card charges of a seat plan\ncounted by its run-rate and GPU-cloud charges of imported GPU usage. Amounts are exact USD decimals.')
    .action(async (opts: ApiAccessOptions & { from: string; to: string; by: string; json?: boolean }) => {
      for (const [name, v] of [['from', opts.from], ['to', opts.to]] as const) if (!Number.isFinite(Date.parse(v))) throw new CliError(`--${name} must be an ISO 8601 date or instant, not "${v}"`, 2);
      if (!(AI_SPEND_DIMENSIONS as readonly string[]).includes(opts.by)) throw new CliError(`--by must be one of ${AI_SPEND_DIMENSIONS.join(', ')}, not "${opts.by}"`, 2);
      const q = new URLSearchParams({ from: opts.from, to: opts.to, by: opts.by });
      const r = await withApi(opts, ({ client }) => client.get<AiSpendResult>(`/api/ai-spend?${q.toString()}`));
      if (opts.json) return void process.stdout.write(JSON.stringify(r, null, 2) + '\n');
      for (const row of r.rows) process.stdout.write(`${(row.key ?? '(unattributed)').padEnd(24)} $${row.amount_usd}\n`);
      process.stdout.write(`${'total'.padEnd(24)} $${r.total}  (ledger $${r.parts.ledger}, bills $${r.parts.billed}, card/expense $${r.parts.expenses}, seat plans $${r.parts.seats}, GPUs $${r.parts.gpu})\n`);
      if (r.excluded_prepaid !== '0') process.stdout.write(`excluded $${r.excluded_prepaid} of card charges for API credits already counted as usage\n`);
      if (r.excluded_seat_charges !== '0') process.stdout.write(`excluded $${r.excluded_seat_charges} of card / expense charges paying seat plans counted by run-rate\n`);
      if (r.excluded_gpu_payments !== '0') process.stdout.write(`excluded $${r.excluded_gpu_payments} of GPU-cloud charges paying for imported GPU usage\n`);
      if (r.unconverted_lines > 0) process.stdout.write(`${r.unconverted_lines} matched line(s) have no USD amount and are not in the total (re-import with --rates)\n`);
    });
}

export function registerInventoryCommands(program: Command): void {
  registerImportExpenses(program);
  registerImportSeats(program);
  registerAiSpendReport(program);
  registerInventory(program);
}
