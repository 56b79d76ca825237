/**
 * `costrail import otel FILE`: spans exported to files (JSON Lines, one OTLP
 * ExportTraceServiceRequest in the JSON form per line, as the collector's `file` exporter writes
 * them) become ledger records through the same span reading as `POST /v1/traces`, then go through
 * the ledger import (the store, or a running server's /api/import/ledger), which prices them with
 * its price book and is idempotent by id. Record ids derive from trace and span ids, so a backfill
 * over spans that were also received live inserts nothing twice.
 *
 * The whole file is checked first: a line that is not a request refuses the import (nothing
 * written) unless invalid lines may be skipped.
 */
import fs from 'node:fs';
import readline from 'node:readline';
import type { ImportSink } from '../ledger/ledger-import-file.js';
import type { InvalidLine } from '../ledger/ledger-import.js';
import type { PriceBook } from '../pricing/price-book.js';
import type { LedgerRecord } from '../ledger/ledger-record.js';
import { OtlpPayloadError, readTraceRequest } from './otlp-trace-request.js';
import { spanGroupsToRecords } from './span-ledger-record.js';
import type { AttributeNameMap } from './span-attribution.js';

export interface OtelImportOptions {
  sink: ImportSink;
  book: PriceBook;
  names: AttributeNameMap;
  skipInvalid: boolean;
  batchSize?: number;
  onProgress?: (bytes: number, pass: 'check' | 'insert') => void;
}

export interface OtelImportSummary {
  /** Non-blank lines (requests) read. */
  lines: number;
  /** GenAI spans found, and how many of them were new to the ledger. */
  spans: number;
  inserted: number;
  duplicates: number;
  /** Spans that were not model calls. */
  ignored: number;
  /** Spans refused (malformed, absurd counts, no usage or model), and lines that are not requests. */
  rejected_spans: number;
  invalid: InvalidLine[];
  refused: boolean;
}

/** One file line → its records, or why the line is not a request. */
export function recordsOfLine(line: string, book: PriceBook, names: AttributeNameMap): { records: LedgerRecord[]; rejected: number; ignored: number; errors: string[] } | { error: string } {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (e) {
    return { error: `not valid JSON (${(e as Error).message})` };
  }
  try {
    const out = spanGroupsToRecords(readTraceRequest(json), { book, names });
    // The ledger import needs a model and usage (or cost); a span without them is reported, not imported.
    const importable = out.records.filter((r) => r.model !== null && r.usage !== null);
    return { records: importable, rejected: out.rejected + out.records.length - importable.length, ignored: out.ignored, errors: out.errors };
  } catch (e) {
    if (e instanceof OtlpPayloadError) return { error: e.message };
    throw e;
  }
}

async function* lines(file: string): AsyncGenerator<{ line: string; n: number; bytes: number }> {
  const rl = readline.createInterface({ input: fs.createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let n = 0;
  let bytes = 0;
  for await (const line of rl) {
    n++;
    bytes += Buffer.byteLength(line, 'utf8') + 1;
    yield { line, n, bytes };
  }
}

export async function importOtelFile(file: string, opts: OtelImportOptions): Promise<OtelImportSummary> {
  const summary: OtelImportSummary = { lines: 0, spans: 0, inserted: 0, duplicates: 0, ignored: 0, rejected_spans: 0, invalid: [], refused: false };
  if (!opts.skipInvalid) {
    for await (const { line, n, bytes } of lines(file)) {
      if (line.trim() === '') continue;
      const r = recordsOfLine(line, opts.book, opts.names);
      if ('error' in r) summary.invalid.push({ line: n, error: r.error });
      opts.onProgress?.(bytes, 'check');
    }
    if (summary.invalid.length > 0) return { ...summary, refused: true };
  }
  const batchSize = opts.batchSize ?? 5000;
  let batch: string[] = [];
  let sourceLines: number[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const r = await opts.sink.insert(batch, 1);
    summary.inserted += r.inserted;
    // A record the ledger import refuses is reported against the file line its span came from.
    for (const bad of r.invalid) summary.invalid.push({ line: sourceLines[bad.line - 1] ?? 0, error: bad.error });
    summary.duplicates += batch.length - r.inserted - r.invalid.length;
    batch = [];
    sourceLines = [];
  };
  for await (const { line, n, bytes } of lines(file)) {
    if (line.trim() === '') continue;
    summary.lines++;
    const r = recordsOfLine(line, opts.book, opts.names);
    if ('error' in r) {
      summary.invalid.push({ line: n, error: r.error });
      continue;
    }
    summary.ignored += r.ignored;
    summary.rejected_spans += r.rejected;
    summary.spans += r.records.length;
    for (const rec of r.records) {
      // Cost is left to the importing side's price book (the server's overrides apply there).
      const { cost: _cost, priced: _priced, price_version: _pv, unpriced_reason: _ur, ...unpricedRecord } = rec;
      batch.push(JSON.stringify(unpricedRecord));
      sourceLines.push(n);
    }
    if (batch.length >= batchSize) await flush();
    opts.onProgress?.(bytes, 'insert');
  }
  await flush();
  return summary;
}
