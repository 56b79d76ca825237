/**
 * `costrail import otel FILE.jsonl`: GenAI spans exported to files (OTLP JSON, one
 * ExportTraceServiceRequest per line) into the ledger, for backfills. Idempotent: record ids come
 * from trace and span ids, so re-importing (or importing spans also received live) adds nothing twice.
 */
import fs from 'node:fs';
import type { Command } from 'commander';
import { storeImportSink } from '../ledger/ledger-import-file.js';
import { importOtelFile } from '../otel/otel-file-import.js';
import { otelAttributeNames } from '../otel/otel-settings.js';
import { loadPriceBook } from '../pricing/catalog-loader.js';
import { environment } from '../config/environment.js';
import { withApi, withApiOptions, type ApiAccessOptions } from './api-access.js';
import { CliError } from './cli-error.js';
import { startProgress } from './progress.js';
import { apiSink } from './import-command.js';

interface ImportOtelOpts extends ApiAccessOptions {
  skipInvalid?: boolean;
  json?: boolean;
  batchSize: string;
}

export function registerImportOtelCommand(importCmd: Command): void {
  withApiOptions(
    importCmd
      .command('otel')
      .description('Import GenAI spans from OTLP JSON Lines files (one ExportTraceServiceRequest per line) as ledger records (source "otel")')
      .argument('<file>', 'JSON Lines file of OTLP trace requests (JSON form)')
      .option('--skip-invalid', 'import the valid lines and report the others (default: a line that is not a request refuses the whole file)')
      .option('--batch-size <n>', 'records per batch', '5000')
      .option('--json', 'print the summary as JSON: {lines, spans, inserted, duplicates, ignored, rejected_spans, invalid:[{line, error}]}'),
  )
    .addHelpText('after', '\nSpans are read like POST /v1/traces reads them (docs/otel.md): non-GenAI spans are skipped,\nusage is converted to disjoint kinds, attribution follows COSTRAIL_OTEL_ATTRIBUTES and the default names.\nRecords are priced by the price book (unknown model: priced false, never $0). Re-importing inserts nothing twice.')
    .action(async (file: string, opts: ImportOtelOpts) => {
      let size: number;
      try {
        size = fs.statSync(file).size;
      } catch (e) {
        throw new CliError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
      }
      const batchSize = Number(opts.batchSize);
      if (!Number.isInteger(batchSize) || batchSize < 1) throw new CliError(`--batch-size must be a positive integer, not "${opts.batchSize}"`, 2);
      let names;
      try {
        names = otelAttributeNames(environment());
      } catch (e) {
        throw new CliError((e as Error).message, 2);
      }
      const summary = await withApi(opts, async (session) => {
        const book = session.runtime ? session.runtime.context.prices.current() : loadPriceBook();
        const sink = session.runtime ? storeImportSink(session.runtime.store, book) : apiSink(session.client);
        const twoPasses = !opts.skipInvalid;
        const bar = startProgress('importing spans', twoPasses ? size * 2 : size, { quiet: opts.json, unit: 'bytes' });
        try {
          return await importOtelFile(file, { sink: { insert: sink.insert }, book, names, skipInvalid: Boolean(opts.skipInvalid), batchSize, onProgress: (bytes, pass) => bar.update(pass === 'insert' && twoPasses ? size + bytes : bytes) });
        } finally {
          bar.stop();
        }
      });
      const { refused, ...out } = summary;
      if (opts.json) process.stdout.write(JSON.stringify(out, null, 2) + '\n');
      if (refused) {
        const first = out.invalid[0];
        if (!opts.json) for (const bad of out.invalid.slice(0, 20)) process.stderr.write(`  line ${bad.line}: ${bad.error}\n`);
        throw new CliError(`${file}: ${out.invalid.length} invalid line(s) (first: line ${first?.line}: ${first?.error}); nothing imported — fix them or pass --skip-invalid`);
      }
      if (!opts.json) {
        process.stdout.write(`read ${out.lines} line(s): ${out.spans} GenAI span(s), inserted ${out.inserted}, duplicates ${out.duplicates}, skipped ${out.ignored} other span(s), rejected ${out.rejected_spans} span(s), invalid ${out.invalid.length} line(s)\n`);
        for (const bad of out.invalid.slice(0, 20)) process.stdout.write(`  skipped line ${bad.line}: ${bad.error}\n`);
      }
    });
}
