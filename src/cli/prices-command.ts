/** `costrail prices list|show|import`: inspect and extend the price book. */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import type { ModelPrice } from '../pricing/catalog-schema.js';
import { importedCatalogDir, loadCatalogFile, loadPriceBook } from '../pricing/catalog-loader.js';
import { isResolved } from '../pricing/price-book.js';
import { describeTier } from '../pricing/conditional-rates.js';
import { CliError, describeError } from './cli-error.js';
import { Decimal } from '../pricing/decimal.js';
import { fixedDecimal } from './money-format.js';
import { registerPriceOverrideCommands } from './prices-override-command.js';
import { printTable } from './table.js';
import { checkPrices, registerPricesCheckCommand } from './prices-check-command.js';
import { environment } from '../config/environment.js';

const RATE_COLUMNS = ['input', 'cache_read', 'cache_write', 'output'] as const;

/** One number of decimals per column (2 to 6, as many as its rates need) so the column lines up. */
function alignRates(rows: Record<string, string | null>[]): Record<string, string | null>[] {
  const places: Record<string, number> = {};
  for (const c of RATE_COLUMNS) {
    places[c] = Math.min(6, Math.max(2, ...rows.map((r) => (r[c]?.split('.')[1] ?? '').replace(/0+$/, '').length)));
  }
  return rows.map((r) => {
    const out = { ...r };
    for (const c of RATE_COLUMNS) {
      const v = r[c];
      out[c] = v === null || v === undefined ? null : `$${fixedDecimal(Decimal.parse(v), places[c] ?? 2)}`;
    }
    return out;
  });
}

/** An unknown provider is a typo to point out, not an empty list. */
function knownProvider(provider: string | undefined, known: Iterable<string>): string | undefined {
  if (provider === undefined) return undefined;
  const p = provider.toLowerCase();
  const all = [...new Set(known)].sort();
  if (!all.includes(p)) throw new CliError(`unknown --provider "${provider}"; the price book knows: ${all.join(', ')}`, 2);
  return p;
}

interface CommonOpts {
  data: string;
  prices?: string;
  json?: boolean;
}

const dataOption = (c: Command) =>
  c
    .option('--data <dir>', 'data folder holding imported catalogs and overrides', environment().COSTRAIL_DATA ?? './.costrail')
    .option('--prices <file>', 'read this price file instead of the built-in and imported catalogs');

function book(opts: CommonOpts) {
  try {
    return loadPriceBook({ dataDir: opts.data, pricesFile: opts.prices });
  } catch (e) {
    throw new CliError(describeError(e));
  }
}

/** provider/model -> why it is stale (the reference's newer figure, or the explanation on file). */
function staleModels(b: ReturnType<typeof book>, against: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const d of checkPrices(b, { against }).disagreements) {
    if (!d.stale) continue;
    const k = `${d.provider}/${d.model}`;
    if (!out.has(k)) out.set(k, d.explained ? `explained: ${d.explained}` : `reference ${d.reference_key} from ${d.their_period_from}: ${d.case} ${d.theirs} vs ${d.ours}`);
  }
  return out;
}

function current(entry: ModelPrice, at: Date) {
  let chosen = entry.prices[0];
  for (const p of entry.prices) if (Date.parse(p.effective_from) <= at.getTime()) chosen = p;
  return chosen;
}

export function registerPricesCommand(program: Command): void {
  const prices = program.command('prices').description('Inspect and extend the price book');
  registerPriceOverrideCommands(prices);

  dataOption(
    prices
      .command('list')
      .description('List priced models with their current rates (USD per 1M tokens)')
      .option('--provider <provider>', 'only this provider (an unknown one is an error that lists the known ones)')
      .option('--stale', 'only models a community catalog has a newer, different price for (see `prices check`)')
      .option('--against <file>', 'with --stale: compare with this LiteLLM or genai-prices file instead of the bundled genai-prices data')
      .option('--json', 'print JSON (exact decimal strings)'),
  ).action((opts: CommonOpts & { provider?: string; stale?: boolean; against?: string }) => {
    const b = book(opts);
    const now = new Date();
    const provider = knownProvider(opts.provider, b.list().map((e) => e.provider));
    const stale = opts.stale ? staleModels(b, opts.against) : undefined;
    const rows = b
      .list()
      .filter((e) => !provider || e.provider === provider)
      .filter((e) => !stale || stale.has(`${e.provider}/${e.model}`))
      .map((e) => {
        const p = current(e, now);
        return {
          provider: e.provider,
          model: e.model,
          input: p?.rates.input ?? null,
          cache_read: p?.rates.cache_read ?? null,
          cache_write: p?.rates.cache_write ?? null,
          output: p?.rates.output ?? null,
          effective_from: p?.effective_from ?? null,
          ...(stale ? { stale: stale.get(`${e.provider}/${e.model}`) ?? null } : {}),
        };
      });
    if (opts.json) {
      process.stdout.write(JSON.stringify({ price_version: b.version, models: rows }, null, 2) + '\n');
      return;
    }
    printTable(alignRates(rows), ['provider', 'model', ...RATE_COLUMNS, 'effective_from', ...(stale ? ['stale'] : [])]);
    process.stdout.write(`\n${rows.length} models; USD per 1M tokens ("-": billed at the input rate); price version ${b.version}\n`);
  });

  dataOption(
    prices
      .command('show')
      .description('Show every dated price period of one model, as the price book resolves the name')
      .argument('<model>', 'model name as a provider reports it (snapshots, Bedrock ids, ft: ids resolve)')
      .option('--provider <provider>', 'provider (default: every provider that prices the name)')
      .option('--at <date>', 'resolve as of this date (default now)')
      .option('--json', 'print JSON'),
  ).action((model: string, opts: CommonOpts & { provider?: string; at?: string }) => {
    const b = book(opts);
    const at = opts.at ? new Date(opts.at) : new Date();
    if (Number.isNaN(at.getTime())) throw new CliError(`--at "${opts.at}" is not a date`, 2);
    const providers = opts.provider ? [opts.provider.toLowerCase()] : [...new Set(b.list().map((e) => e.provider))];
    const hits = providers.map((p) => b.resolve(p, model, at)).filter(isResolved);
    if (hits.length === 0) throw new CliError(`no price for "${model}"${opts.provider ? ` under provider "${opts.provider}"` : ''}; see \`costrail prices list\``);
    const out = hits.map((h) => ({ provider: h.provider, model: h.entry.model, matched_by: h.matched.rule, current: h.period, entry: h.entry }));
    if (opts.json) {
      process.stdout.write(JSON.stringify(out, null, 2) + '\n');
      return;
    }
    for (const h of out) {
      process.stdout.write(`${h.provider} / ${h.model}  (matched by ${h.matched_by})\n`);
      for (const p of h.entry.prices) {
        const mark = p === h.current ? '*' : ' ';
        process.stdout.write(` ${mark} from ${p.effective_from}: ${Object.entries(p.rates).map(([k, v]) => `${k} ${v}`).join(', ')}\n    source: ${p.source}\n`);
        for (const t of p.tiers ?? []) process.stdout.write(`    input ${describeTier(t)} tokens: ${Object.entries(t.rates).map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
      }
    }
  });

  registerPricesCheckCommand(prices);

  prices
    .command('import')
    .description('Add a price file (Costrail or LiteLLM model_prices_and_context_window.json format) to the data folder; it overrides the built-in catalog for the models it names')
    .argument('<file>', 'price file')
    .option('--data <dir>', 'data folder', environment().COSTRAIL_DATA ?? './.costrail')
    .option('--effective-from <date>', 'first day the imported prices apply (LiteLLM files carry no dates)', new Date().toISOString().slice(0, 10))
    .option('--json', 'print JSON')
    .action((file: string, opts: { data: string; effectiveFrom: string; json?: boolean }) => {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(opts.effectiveFrom)) throw new CliError(`--effective-from must be YYYY-MM-DD, not "${opts.effectiveFrom}"`, 2);
      let loaded;
      try {
        loaded = loadCatalogFile(file, opts.effectiveFrom);
      } catch (e) {
        throw new CliError(describeError(e));
      }
      const dir = importedCatalogDir(opts.data);
      mkdirSync(dir, { recursive: true });
      const target = join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${basename(file).replace(/\.json$/, '')}.json`);
      if (loaded.format === 'costrail') copyFileSync(file, target);
      else writeFileSync(target, JSON.stringify(loaded.catalog, null, 2) + '\n');
      const summary = { imported: loaded.catalog.models.length, skipped: loaded.skipped, format: loaded.format, stored_as: target, price_version: loadPriceBook({ dataDir: opts.data }).version };
      if (opts.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
      else process.stdout.write(`imported ${summary.imported} models (${summary.skipped} entries skipped: no token prices) from ${file} as ${summary.format}; price version now ${summary.price_version}\n`);
    });
}
