/**
 * `costrail import ledger FILE.jsonl`: ledger records from another logger, validated line by line,
 * idempotent by id. Without a running server the records go straight into the store of an
 * in-process runtime (fastest); with one, they are POSTed to /api/import/ledger in chunks.
 */
import fs from 'node:fs';
import type { Command } from 'commander';
import { importLedgerFile, storeImportSink, type ImportSink } from '../ledger/ledger-import-file.js';
import type { InvalidLine } from '../ledger/ledger-import.js';
import { withApi, withApiOptions, type ApiAccessOptions, type ApiClient } from './api-access.js';
import { CliError } from './cli-error.js';
import { startProgress } from './progress.js';
import { registerImportBillingCommand } from './import-billing-command.js';
import { registerImportOtelCommand } from './import-otel-command.js';

interface ImportOpts extends ApiAccessOptions {
  skipInvalid?: boolean;
  json?: boolean;
  batchSize: string;
}

export function apiSink(client: ApiClient): ImportSink {
  return {
    async insert(lines, firstLine) {
      const r = await client.postText<{ inserted: number; invalid: InvalidLine[] }>(`/api/import/ledger?skip_invalid=true&first_line=${firstLine}`, 'application/x-ndjson', lines.join('\n'));
      return { inserted: r.inserted, invalid: r.invalid };
    },
  };
}

export function registerImportCommand(program: Command): void {
  const importCmd = program.command('import').description('Bring records from elsewhere into the ledger');
  registerImportBillingCommand(importCmd);
  registerImportOtelCommand(importCmd);
  withApiOptions(
    importCmd
      .command('ledger')
      .description('Import ledger records (JSON Lines, one record per line; required: id, started_at, provider, model, and usage or cost)')
      .argument('<file>', 'JSON Lines file of ledger records')
      .option('--skip-invalid', 'import the valid lines and report the invalid ones (default: any invalid line refuses the whole file)')
      .option('--batch-size <n>', 'records per batch', '5000')
      .option('--json', 'print the summary as JSON: {read, inserted, duplicates, invalid:[{line, error}]}'),
  )
    .addHelpText('after', '\nA record without "cost" is priced by the price book (unknown model: priced false, never $0);\na "cost" with only "total" is kept as reported. Re-importing a file inserts nothing twice.')
    .action(async (file: string, opts: ImportOpts) => {
      let size: number;
      try {
        size = fs.statSync(file).size;
      } catch (e) {
        throw new CliError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
      }
      const batchSize = Number(opts.batchSize);
      if (!Number.isInteger(batchSize) || batchSize < 1) throw new CliError(`--batch-size must be a positive integer, not "${opts.batchSize}"`, 2);
      const result = await withApi(opts, async (session) => {
        const sink = session.runtime ? storeImportSink(session.runtime.store, session.runtime.context.prices.current()) : apiSink(session.client);
        // The bulk path (a sink with importFile) always checks the whole file before inserting.
        const twoPasses = !opts.skipInvalid || sink.importFile !== undefined;
        const bar = startProgress('importing', twoPasses ? size * 2 : size, { quiet: opts.json, unit: 'bytes' });
        try {
          return await importLedgerFile(file, {
            skipInvalid: Boolean(opts.skipInvalid),
            sink,
            batchSize,
            onProgress: (bytes, pass) => bar.update(pass === 'insert' && twoPasses ? size + bytes : bytes),
          });
        } finally {
          bar.stop();
        }
      });
      const { refused, ...summary } = result;
      if (opts.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
      if (refused) {
        const first = summary.invalid[0];
        if (!opts.json) for (const bad of summary.invalid.slice(0, 20)) process.stderr.write(`  line ${bad.line}: ${bad.error}\n`);
        throw new CliError(`${file}: ${summary.invalid.length} invalid line(s) (first: line ${first?.line}: ${first?.error}); nothing imported — fix them or pass --skip-invalid`);
      }
      if (!opts.json) {
        process.stdout.write(`read ${summary.read}, inserted ${summary.inserted}, duplicates ${summary.duplicates}, invalid ${summary.invalid.length}\n`);
        for (const bad of summary.invalid.slice(0, 20)) process.stdout.write(`  skipped line ${bad.line}: ${bad.error}\n`);
        if (summary.invalid.length > 20) process.stdout.write(`  … and ${summary.invalid.length - 20} more (--json lists them all)\n`);
      }
    });
}
