/**
 * Imports a JSON Lines file into the ledger. A sink that holds the store reads the file in bulk
 * (ledger-bulk-import.ts: DuckDB validates, the store appends in large batches); otherwise, and for
 * files DuckDB cannot read line by line, the file is streamed in batches through the zod schema.
 * Either way, unless invalid lines may be skipped, the whole file is checked first, so a bad line
 * 900,000 refuses the import before anything is written (a half-imported file is worse than none).
 */
import fs from 'node:fs';
import readline from 'node:readline';
import type { PriceBook } from '../pricing/price-book.js';
import type { Store } from '../store/store.js';
import { bulkImportAvailable, importLedgerFileBulk } from './ledger-bulk-import.js';
import { checkLines, toLedgerRecord, type ImportSummary, type InvalidLine } from './ledger-import.js';

/** Where batches go: the store directly, or a server's `POST /api/import/ledger`. */
export interface ImportSink {
  /** `lines` are raw (blank ones included); `firstLine` is the file line number of lines[0]. */
  insert(lines: string[], firstLine: number): Promise<{ inserted: number; invalid: InvalidLine[] }>;
  /**
   * Imports a whole file in bulk when the sink can; null means "not this file" (nothing written),
   * and the file is streamed through `insert` instead. Bulk always checks, then inserts.
   */
  importFile?(file: string, opts: ImportFileOptions): Promise<ImportFileResult | null>;
}

export interface ImportFileOptions {
  skipInvalid: boolean;
  sink: ImportSink;
  /** Records per batch (default 5000); a batch is also cut at ~4 MB of text. */
  batchSize?: number;
  /** Bytes of the file read so far, per pass (pass 1 of 2 when checking first). */
  onProgress?: (bytes: number, pass: 'check' | 'insert') => void;
}

export interface ImportFileResult extends ImportSummary {
  /** True when invalid lines refused the whole import (nothing was written). */
  refused: boolean;
}

const MAX_BATCH_BYTES = 4 * 1024 * 1024;

async function* numberedLines(file: string): AsyncGenerator<{ line: string; n: number; bytes: number; lineBytes: number }> {
  const rl = readline.createInterface({ input: fs.createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let n = 0;
  let bytes = 0;
  for await (const line of rl) {
    n++;
    const lineBytes = Buffer.byteLength(line, 'utf8') + 1;
    bytes += lineBytes;
    yield { line, n, bytes, lineBytes };
  }
}

export async function importLedgerFile(file: string, opts: ImportFileOptions): Promise<ImportFileResult> {
  const bulk = await opts.sink.importFile?.(file, opts);
  if (bulk) return bulk;
  const batchSize = opts.batchSize ?? 5000;
  if (!opts.skipInvalid) {
    const invalid: InvalidLine[] = [];
    let read = 0;
    for await (const { line, n, bytes } of numberedLines(file)) {
      const checked = checkLines([line], n);
      read += checked.read;
      invalid.push(...checked.invalid);
      if (n % 1000 === 0) opts.onProgress?.(bytes, 'check');
    }
    if (invalid.length > 0) return { read, inserted: 0, duplicates: 0, invalid, refused: true };
  }

  let read = 0;
  let inserted = 0;
  const invalid: InvalidLine[] = [];
  let batch: string[] = [];
  let batchFirst = 1;
  let batchBytes = 0;
  let records = 0;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const r = await opts.sink.insert(batch, batchFirst);
    inserted += r.inserted;
    invalid.push(...r.invalid);
    batch = [];
    batchBytes = 0;
    records = 0;
  };
  let lastBytes = 0;
  for await (const { line, n, bytes, lineBytes } of numberedLines(file)) {
    if (batch.length === 0) batchFirst = n;
    batch.push(line);
    lastBytes = bytes;
    batchBytes += lineBytes;
    if (line.trim() !== '') {
      read++;
      records++;
    }
    if (records >= batchSize || batchBytes >= MAX_BATCH_BYTES) {
      await flush();
      opts.onProgress?.(bytes, 'insert');
    }
  }
  await flush();
  opts.onProgress?.(lastBytes, 'insert');
  return { read, inserted, duplicates: read - invalid.length - inserted, invalid, refused: false };
}

/** The first record of each id: a repeated id inside one batch is a duplicate like any other. */
export function firstOfEachId<T extends { id: string }>(records: readonly T[]): T[] {
  const seen = new Set<string>();
  return records.filter((r) => !seen.has(r.id) && (seen.add(r.id), true));
}

/** A sink that validates, prices and inserts into a store in this process (in bulk when the store can). */
export function storeImportSink(store: Store, book: PriceBook): ImportSink {
  const sink: ImportSink = {
    async insert(lines, firstLine) {
      const { valid, invalid } = checkLines(lines, firstLine);
      const { inserted } = await store.insertRecords(firstOfEachId(valid).map((r) => toLedgerRecord(r, book)));
      return { inserted, invalid };
    },
  };
  if (bulkImportAvailable(store)) {
    sink.importFile = (file, opts) => importLedgerFileBulk(file, { store, book, skipInvalid: opts.skipInvalid, ...(opts.batchSize ? { batchSize: opts.batchSize } : {}), ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) });
  }
  return sink;
}
