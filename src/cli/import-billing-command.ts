/**
 * `costrail import billing FILE`: a provider billing export into the billed line items. Without a
 * running server the file is read in-process (CSV and Parquet through DuckDB, any size); with one,
 * the export is sent to POST /api/import/billing (text formats up to the API's body limit).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { FORMAT_CHOICES, importBillingFile, resolveFormat, type BillingImportResult, type FormatChoice } from '../billing/billing-import.js';
import { BilledLineError } from '../billing/billed-line-fields.js';
import { isParquet } from '../billing/tabular-file.js';
import { withApi, withApiOptions, type ApiAccessOptions } from './api-access.js';
import { CliError } from './cli-error.js';
import { startProgress } from './progress.js';

interface ImportBillingOpts extends ApiAccessOptions {
  format: string;
  skipInvalid?: boolean;
  json?: boolean;
}

/** The API's request body limit (src/http/api-router.ts). */
const API_BODY_LIMIT = 8 * 1024 * 1024;

/** Rows in a text export, estimated from the first megabyte's line length (for the progress bar only). */
function estimateRows(file: string, size: number): number {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(Math.min(size, 1024 * 1024));
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    let lines = 0;
    for (let i = 0; i < n; i++) if (buf[i] === 10) lines++;
    return lines === 0 ? 1 : Math.round((lines * size) / n);
  } finally {
    fs.closeSync(fd);
  }
}

function contentType(file: string): string {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(4096);
    const head = buf.subarray(0, fs.readSync(fd, buf, 0, buf.length, 0)).toString('utf8').trimStart();
    if (head.startsWith('[')) return 'application/json';
    if (head.startsWith('{')) {
      const first = head.split('\n', 1)[0]!;
      try {
        JSON.parse(first);
        return head.includes('\n{') ? 'application/x-ndjson' : 'application/json';
      } catch {
        return 'application/json';
      }
    }
    return 'text/csv';
  } finally {
    fs.closeSync(fd);
  }
}

export function registerImportBillingCommand(importCmd: Command): void {
  withApiOptions(
    importCmd
      .command('billing')
      .description('Import a provider billing export as billed line items (for `costrail reconcile`)')
      .argument('<file>', 'the export: OpenAI Costs API or Anthropic cost_report pages (JSON), AWS CUR 2.0 (CSV/Parquet), Azure cost details (CSV), GCP billing export (JSON Lines/CSV), FOCUS 1.0–1.2 (CSV/Parquet)')
      .option('--format <format>', `one of ${FORMAT_CHOICES.join(', ')}`, 'auto')
      .option('--skip-invalid', 'import the valid lines and report the invalid ones (default: any invalid line refuses the whole file)')
      .option('--json', 'print the summary as JSON: {format, import_id, source, status, rows, lines, skipped, invalid:[{line, error}], invalid_count, replaced, period_start, period_end}'),
  )
    .addHelpText('after', '\nImporting the same export twice changes nothing; a later export of the same source replaces the\nperiod it covers. Amounts stay exact (Anthropic cents and OpenAI dollars both become USD decimals).')
    .action(async (file: string, opts: ImportBillingOpts) => {
      if (!(FORMAT_CHOICES as readonly string[]).includes(opts.format)) throw new CliError(`--format must be one of ${FORMAT_CHOICES.join(', ')}, not "${opts.format}"`, 2);
      let size: number;
      try {
        size = fs.statSync(file).size;
      } catch (e) {
        throw new CliError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
      }
      let result: BillingImportResult;
      try {
        result = await withApi(opts, async (session) => {
          if (session.runtime) {
            const format = await resolveFormat(file, opts.format as FormatChoice);
            const total = isParquet(file) ? 0 : estimateRows(file, size);
            const bar = startProgress('importing', total, { quiet: opts.json, unit: 'rows' });
            try {
              return await importBillingFile(session.runtime.store, file, { format, skipInvalid: Boolean(opts.skipInvalid), onProgress: (rows) => bar.update(rows) });
            } finally {
              bar.stop();
            }
          }
          if (isParquet(file) || size > API_BODY_LIMIT) {
            throw new CliError(`${file}: ${isParquet(file) ? 'Parquet' : `over ${API_BODY_LIMIT / 1024 / 1024} MB`} cannot go through the server's API; stop the server and run this with --data on its folder (imports in-process), or convert/split the export`);
          }
          const query = `format=${encodeURIComponent(opts.format)}&skip_invalid=${opts.skipInvalid ? 'true' : 'false'}&file=${encodeURIComponent(path.basename(file))}`;
          return session.client.postText<BillingImportResult>(`/api/import/billing?${query}`, contentType(file), fs.readFileSync(file, 'utf8'));
        });
      } catch (e) {
        if (e instanceof BilledLineError) throw new CliError(e.message);
        throw e;
      }
      if (opts.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
      if (result.status === 'refused') {
        const first = result.invalid[0];
        if (!opts.json) for (const bad of result.invalid.slice(0, 20)) process.stderr.write(`  line ${bad.line}: ${bad.error}\n`);
        throw new CliError(`${file}: ${result.invalid_count} invalid line(s) (first: line ${first?.line}: ${first?.error}); nothing imported — fix them or pass --skip-invalid`);
      }
      if (opts.json) return;
      const what = { imported: 'imported', already_imported: 'already imported (nothing changed)', empty: 'no billable lines', refused: 'refused' }[result.status];
      process.stdout.write(`${result.format} ${what}: read ${result.rows} rows, ${result.lines} billed lines, ${result.skipped} other-service rows skipped, ${result.invalid_count} invalid, ${result.replaced} earlier lines replaced\n`);
      if (result.period_start) process.stdout.write(`period ${result.period_start} – ${result.period_end}, source ${result.source}\n`);
      for (const bad of result.invalid.slice(0, 20)) process.stdout.write(`  skipped line ${bad.line}: ${bad.error}\n`);
      if (result.invalid_count > 20) process.stdout.write(`  … and ${result.invalid_count - 20} more (--json lists up to 1,000)\n`);
    });
}
