/** What each billing importer (one file per export format) hands the import: rows, as parsed. */
import type { BilledLine, BillingFormat } from '../store/billed-line.js';

export interface ParsedRow {
  /** 1-based line (CSV/JSON Lines) or result number (JSON pages) in the source file. */
  line: number;
  /** The billed lines this row yields (one, or more when a row carries credits). */
  lines: BilledLine[];
  /** Why the row is invalid; `lines` is then empty. */
  error?: string;
  /** A valid row outside the AI bill (an EC2 line in a CUR): counted, not imported. */
  skipped?: boolean;
  /** How many file rows this entry stands for (default 1): a filter's skipped rows arrive as one entry. */
  count?: number;
  /** The billing account the export belongs to, when the row names one (the replacement scope). */
  billingAccount?: string | null;
}

export interface BillingParser {
  readonly format: BillingFormat;
  /** Rows in file order, in batches. `onBytes` reports progress through the file where known. */
  parse(file: string, onProgress?: (rowsRead: number) => void): AsyncIterable<ParsedRow[]>;
  /**
   * Where the format has one: the whole file mapped in DuckDB (no JavaScript per line), the lines
   * as a Parquet file for store.billed.appendParquet, and the rows it left to the per-line mapping.
   */
  bulk?(file: string, scratchDir: string, onProgress?: (rowsRead: number) => void): Promise<BulkParse>;
}

export interface BulkParse {
  /** Rows in the file. */
  rows: number;
  /** Valid rows outside the AI bill. */
  skipped: number;
  /** Parquet file of billed lines (store.billed.appendParquet columns), null when none. */
  mappedFile: string | null;
  mappedLines: number;
  /** The first line in mappedFile and the billing account it names. */
  firstMapped: { line: number; billingAccount: string | null } | null;
  /** Rows mapped (or refused) one by one, in line order. */
  perLine: ParsedRow[];
}
