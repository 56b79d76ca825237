/**
 * `import ledger` in bulk, the normal path when the CLI holds the store: DuckDB reads the file and
 * applies the import schema's rules in SQL (ledger-import-sql.ts), the store appends the rows that
 * passed in large batches (store/bulk-ingest.ts). Only the lines SQL does not take — invalid ones,
 * unusual valid ones, records the price book must price — are read by the zod schema in JS, which
 * words each refusal exactly as the line-by-line path does and imports the valid ones through the
 * record path (toLedgerRecord + Store.insertRecords).
 *
 * Same contract as importLedgerFile: invalid lines refuse the whole file before anything is
 * written unless skipped; the first valid line of an id wins and later ones count as duplicates;
 * ids already in the store are skipped (a replay imports nothing twice).
 */
import fs from 'node:fs';
import { BIGINT, DuckDBDataChunk, VARCHAR, type DuckDBConnection } from '@duckdb/node-api';
import type { PriceBook } from '../pricing/price-book.js';
import { canBulkIngest, type BulkIngestSession } from '../store/bulk-ingest.js';
import type { Store } from '../store/store.js';
import { checkImportLine, toLedgerRecord, type InvalidLine } from './ledger-import.js';
import type { ImportFileResult } from './ledger-import-file.js';
import { bulkRowsSql, CHECK_PAGE_SQL, CHECKED_PAGE_SQL, CHECKED_TABLE, classifySql, CREATE_CHECKED_SQL, IMPORT_TABLES, readLinesSql, REPEATS_SQL, ROWS_TABLE } from './ledger-import-sql.js';

export interface BulkImportOptions {
  store: Store;
  book: PriceBook;
  skipInvalid: boolean;
  /** Record-path batch size for the lines the zod schema imports (default 5000). */
  batchSize?: number;
  onProgress?: (bytes: number, pass: 'check' | 'insert') => void;
}

/** Lines read back from DuckDB per page for the zod check. */
const CHECK_PAGE = 5000;

/** True when the store takes bulk appends (both built-in stores do). */
export const bulkImportAvailable = (store: Store): boolean => canBulkIngest(store);

/**
 * Imports the file in bulk. Returns null, having written nothing, when DuckDB cannot read it one
 * line per row (a byte-order mark, invalid UTF-8, a line over 2 MB…): the caller then streams it
 * through the line-by-line path, which handles anything.
 */
export async function importLedgerFileBulk(file: string, opts: BulkImportOptions): Promise<ImportFileResult | null> {
  if (!canBulkIngest(opts.store) || !readableAsLines(file)) return null;
  const size = fs.statSync(file).size;
  const session = await opts.store.openBulkIngest();
  try {
    try {
      await session.use((c) => c.run(readLinesSql(file)));
    } catch {
      return null;
    }
    await session.use((c) => c.run(classifySql()));
    const checked = await checkRoutedLines(session);
    const bulkRows = await session.use(async (c) => Number((await c.runAndReadAll(`SELECT count(*) FROM ${ROWS_TABLE} WHERE route = 'bulk'`)).getRows()[0]?.[0] ?? 0));
    const read = bulkRows + checked.read;
    opts.onProgress?.(size, 'check');
    if (checked.invalid.length > 0 && !opts.skipInvalid) return { read, inserted: 0, duplicates: 0, invalid: checked.invalid, refused: true };

    await session.use((c) => c.run(REPEATS_SQL));
    const lastLine = await session.use(async (c) => Number((await c.runAndReadAll(`SELECT coalesce(max(line_no), 0) FROM ${ROWS_TABLE}`)).getRows()[0]?.[0] ?? 0));
    let inserted = await appendInBatches(session, lastLine, (done) => opts.onProgress?.(Math.round((size * done) / lastLine), 'insert'));
    inserted += await insertChecked(session, opts);
    opts.onProgress?.(size, 'insert');
    return { read, inserted, duplicates: read - checked.invalid.length - inserted, invalid: checked.invalid, refused: false };
  } finally {
    await session.use(async (c) => {
      for (const t of IMPORT_TABLES) await c.run(`DROP TABLE IF EXISTS ${t}`);
    }).catch(() => undefined);
    await session.close();
  }
}

/** The bulk rows in batches of line ranges, two batches in flight (one writing while the next is staged). */
async function appendInBatches(session: BulkIngestSession, lastLine: number, onDone: (line: number) => void): Promise<number> {
  const batch = Math.max(1, session.batchRows);
  const inflight: { to: number; rows: Promise<number> }[] = [];
  let inserted = 0;
  try {
    for (let from = 1; from <= lastLine || inflight.length > 0; from += batch) {
      if (from <= lastLine) {
        const rows = session.append(bulkRowsSql(from, from + batch - 1));
        // Handled when its turn comes (or in `finally`); this keeps an early failure from being "unhandled".
        rows.catch(() => undefined);
        inflight.push({ to: Math.min(lastLine, from + batch - 1), rows });
      }
      if (inflight.length >= 2 || from > lastLine) {
        const done = inflight.shift()!;
        inserted += await done.rows;
        onDone(done.to);
      }
    }
    return inserted;
  } finally {
    // A failed batch fails the import; the others still settle before the session closes.
    await Promise.allSettled(inflight.map((x) => x.rows));
  }
}

/** A byte-order mark would be part of line 1 for JSON.parse but not for DuckDB: such files take the line-by-line path. */
function readableAsLines(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(3);
    const n = fs.readSync(fd, head, 0, 3, 0);
    return n > 0 && !(n === 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf);
  } finally {
    fs.closeSync(fd);
  }
}

/** The zod check of every line SQL routed to JS: its refusals, and the accepted lines' ids (into CHECKED_TABLE). */
async function checkRoutedLines(session: BulkIngestSession): Promise<{ read: number; invalid: InvalidLine[] }> {
  await session.use((c) => c.run(CREATE_CHECKED_SQL));
  const invalid: InvalidLine[] = [];
  let read = 0;
  for (let after = 0; ; ) {
    const page = await session.use(async (c) => (await c.runAndReadAll(CHECK_PAGE_SQL, [after, CHECK_PAGE])).getRows());
    if (page.length === 0) break;
    const lines: bigint[] = [];
    const ids: string[] = [];
    for (const [n, text] of page) {
      const line = Number(n);
      after = line;
      const s = String(text ?? '');
      // Whitespace JSON does not know (a no-break space…) is still a blank line to the line-by-line path.
      if (s.trim() === '') continue;
      read++;
      const c = checkImportLine(s);
      if (c.ok) {
        lines.push(BigInt(line));
        ids.push(c.record.id);
      } else invalid.push({ line, error: c.error });
    }
    if (lines.length > 0) await session.use((c) => appendChecked(c, lines, ids));
  }
  return { read, invalid };
}

async function appendChecked(conn: DuckDBConnection, lines: bigint[], ids: string[]): Promise<void> {
  const appender = await conn.createAppender(CHECKED_TABLE, 'main', 'temp');
  try {
    for (let off = 0; off < lines.length; off += 2048) {
      const end = Math.min(off + 2048, lines.length);
      const chunk = DuckDBDataChunk.create([BIGINT, VARCHAR], end - off);
      chunk.setColumns([lines.slice(off, end), ids.slice(off, end)]);
      appender.appendDataChunk(chunk);
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}

/** The lines the zod schema accepted (first of their id), through the record path: priced by the book when they carry no cost. */
async function insertChecked(session: BulkIngestSession, opts: BulkImportOptions): Promise<number> {
  let inserted = 0;
  const page = opts.batchSize ?? 5000;
  for (let after = 0; ; ) {
    const rows = await session.use(async (c) => (await c.runAndReadAll(CHECKED_PAGE_SQL, [after, page])).getRows());
    if (rows.length === 0) return inserted;
    const records = [];
    for (const [n, text] of rows) {
      after = Number(n);
      const c = checkImportLine(String(text));
      if (c.ok) records.push(toLedgerRecord(c.record, opts.book));
    }
    inserted += (await opts.store.insertRecords(records)).inserted;
  }
}
