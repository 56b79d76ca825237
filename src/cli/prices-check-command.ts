/** `costrail prices check [--against FILE] [--json]`: disagreements with a community catalog, and stale entries. */
import type { Command } from 'commander';
import { loadPriceBook, loadPriceCheckNotes } from '../pricing/catalog-loader.js';
import { compareCatalog, type ComparisonReport } from '../pricing/catalog-comparison.js';
import { Decimal } from '../pricing/decimal.js';
import { bundledGenaiProviders, bundledGenaiVersion, genaiReference, referenceFromFile } from '../pricing/reference-catalogs.js';
import type { PriceBook } from '../pricing/price-book.js';
import { CliError, describeError } from './cli-error.js';
import { printTable } from './table.js';
import { environment } from '../config/environment.js';

export interface PriceCheckOptions {
  against?: string;
  sourceDate?: string;
  at?: string;
  tolerance?: string;
}

/** Compares the book with `--against FILE`, or with the genai-prices data bundled in the npm package. */
export function checkPrices(book: PriceBook, opts: PriceCheckOptions): ComparisonReport {
  const at = opts.at ? new Date(opts.at) : new Date();
  if (Number.isNaN(at.getTime())) throw new CliError(`--at "${opts.at}" is not a date`, 2);
  if (opts.sourceDate && !/^\d{4}-\d{2}-\d{2}$/.test(opts.sourceDate)) throw new CliError(`--source-date must be YYYY-MM-DD, not "${opts.sourceDate}"`, 2);
  const tolerance = Decimal.tryParse(opts.tolerance ?? '0.5');
  if (!tolerance || tolerance.isNegative()) throw new CliError(`--tolerance must be a percentage such as 0.5, not "${opts.tolerance}"`, 2);
  let ref;
  try {
    ref = opts.against ? referenceFromFile(opts.against, opts.sourceDate) : genaiReference(bundledGenaiProviders(), `@pydantic/genai-prices ${bundledGenaiVersion()} (bundled)`);
  } catch (e) {
    throw new CliError(describeError(e));
  }
  return compareCatalog(book.list(), ref, { at, tolerancePct: tolerance, explanations: loadPriceCheckNotes() });
}

export function registerPricesCheckCommand(prices: Command): void {
  prices
    .command('check')
    .description('Compare the active catalog with a community catalog (LiteLLM or genai-prices format; default: the genai-prices data bundled with Costrail); exits 1 when an entry is older than the other source\'s newer, different price')
    .option('--against <file>', 'a LiteLLM model_prices_and_context_window.json or genai-prices data file')
    .option('--source-date <date>', 'the day a LiteLLM file was taken (it carries no dates; default: the file\'s modification day)')
    .option('--at <date>', 'compare the prices in force at this instant (default now)')
    .option('--tolerance <percent>', 'report differences above this percentage', '0.5')
    .option('--data <dir>', 'data folder holding imported catalogs and overrides', environment().COSTRAIL_DATA ?? './.costrail')
    .option('--prices <file>', 'check this price file instead of the built-in and imported catalogs')
    .option('--json', 'print JSON')
    .action((opts: PriceCheckOptions & { data: string; prices?: string; json?: boolean }) => {
      let book;
      try {
        book = loadPriceBook({ dataDir: opts.data, pricesFile: opts.prices });
      } catch (e) {
        throw new CliError(describeError(e));
      }
      const report = checkPrices(book, opts);
      if (opts.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
      else {
        const rows = report.disagreements.map((d) => ({
          provider: d.provider,
          model: d.model,
          case: d.case,
          ours: d.ours,
          theirs: d.theirs,
          diff_pct: d.diff_pct,
          status: d.stale ? (d.explained ? 'stale, explained' : 'STALE') : d.explained ? 'explained' : 'differs',
        }));
        if (rows.length > 0) printTable(rows, ['provider', 'model', 'case', 'ours', 'theirs', 'diff_pct', 'status']);
        process.stdout.write(
          `\n${report.source}: ${report.compared_models} models and ${report.compared_cases} usage cases compared at ${report.at}; ` +
            `${report.disagreements.length} disagreements above ${report.tolerance_pct}%, ${report.stale} stale and unexplained ` +
            `(${report.missing_in_reference} catalog models not in the reference). Explanations: data/README.md.\n`,
        );
      }
      if (report.stale > 0) process.exitCode = 1;
    });
}
