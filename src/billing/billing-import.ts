/**
 * `costrail import billing` / `POST /api/import/billing`: one export file into the billed line
 * items. The import id is a hash of the format, the source and the file's bytes, so importing the
 * same export twice finds it already there and changes nothing; a later export of the same source
 * replaces the period it covers (src/store/billed-lines-repository.ts). Lines land in a pending
 * import and become visible at commit, so a refused or failed import changes nothing.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { BILLING_FORMATS, type BilledLine, type BillingFormat } from '../store/billed-line.js';
import type { Store } from '../store/store.js';
import { anthropicCostReportParser } from './anthropic-cost-report.js';
import { awsCurParser } from './aws-cur.js';
import { azureCostParser } from './azure-cost.js';
import { BilledLineError } from './billed-line-fields.js';
import type { BillingParser, ParsedRow } from './billing-parser.js';
import { detectBillingFormat } from './detect-billing-format.js';
import { focusParser } from './focus.js';
import { gcpBillingParser } from './gcp-billing.js';
import { openAiCostsParser } from './openai-costs.js';

export const PARSERS: Record<BillingFormat, BillingParser> = {
  'openai-costs': openAiCostsParser,
  'anthropic-cost-report': anthropicCostReportParser,
  'aws-cur': awsCurParser,
  'azure-cost': azureCostParser,
  'gcp-billing': gcpBillingParser,
  focus: focusParser,
};

export const FORMAT_CHOICES = ['auto', ...BILLING_FORMATS] as const;
export type FormatChoice = (typeof FORMAT_CHOICES)[number];

export interface InvalidBillingLine {
  line: number;
  error: string;
}

export interface BillingImportResult {
  format: BillingFormat;
  import_id: string;
  source: string;
  /** imported; already_imported (this exact export is in the store: nothing changed); refused (invalid lines, nothing changed); empty (no billable lines). */
  status: 'imported' | 'already_imported' | 'refused' | 'empty';
  /** Rows read from the file. */
  rows: number;
  /** Billed lines written (a row with credits writes more than one). */
  lines: number;
  /** Valid rows outside the AI bill (other services in a cloud export). */
  skipped: number;
  /** The first 1,000 invalid lines; `invalid_count` counts them all. */
  invalid: InvalidBillingLine[];
  invalid_count: number;
  /** Lines of earlier imports of the same source and period that this one replaced. */
  replaced: number;
  period_start: string | null;
  period_end: string | null;
}

export interface BillingImportOptions {
  format?: FormatChoice;
  skipInvalid?: boolean;
  /** Name recorded as the source file (defaults to the file's base name). */
  fileLabel?: string;
  onProgress?: (rowsRead: number) => void;
}

/** At most this many invalid lines are listed (all are counted). */
const MAX_LISTED_INVALID = 1000;
const APPEND_BATCH = 10_000;

async function fileHash(file: string): Promise<string> {
  const h = createHash('sha256');
  await pipeline(fs.createReadStream(file), h);
  return h.digest('hex');
}

export async function resolveFormat(file: string, format: FormatChoice = 'auto'): Promise<BillingFormat> {
  if (format !== 'auto') {
    if (!(BILLING_FORMATS as readonly string[]).includes(format)) throw new BilledLineError(`unknown format "${String(format)}" (one of: ${FORMAT_CHOICES.join(', ')})`);
    return format;
  }
  return detectBillingFormat(file);
}

export async function importBillingFile(store: Store, file: string, opts: BillingImportOptions = {}): Promise<BillingImportResult> {
  const format = await resolveFormat(file, opts.format);
  const parser = PARSERS[format];
  const hash = await fileHash(file);
  if (parser.bulk) return importInBulk(store, file, format, hash, parser.bulk.bind(parser), opts);
  const result: BillingImportResult = { format, import_id: '', source: format, status: 'imported', rows: 0, lines: 0, skipped: 0, invalid: [], invalid_count: 0, replaced: 0, period_start: null, period_end: null };
  let invalidCount = 0;
  let importId: string | null = null;
  let pending: BilledLine[] = [];
  let buffered: BilledLine[] = [];

  const flush = async (): Promise<void> => {
    if (importId && pending.length) {
      result.lines += await store.billed.append(importId, pending);
      pending = [];
    }
  };
  const start = async (billingAccount: string | null | undefined): Promise<boolean> => {
    result.source = billingAccount ? `${format}:${billingAccount}` : format;
    result.import_id = createHash('sha256').update(`${format}\n${result.source}\n${hash}`).digest('hex').slice(0, 32);
    const state = await store.billed.begin({ import_id: result.import_id, format, source: result.source, file: opts.fileLabel ?? path.basename(file) });
    if (state === 'already_imported') return false;
    importId = result.import_id;
    pending = buffered;
    buffered = [];
    return true;
  };

  try {
    for await (const batch of parser.parse(file, opts.onProgress)) {
      for (const row of batch as ParsedRow[]) {
        result.rows += row.count ?? 1;
        if (row.error !== undefined) {
          invalidCount++;
          result.invalid_count = invalidCount;
          if (result.invalid.length < MAX_LISTED_INVALID) result.invalid.push({ line: row.line, error: row.error });
          continue;
        }
        if (row.skipped) {
          result.skipped += row.count ?? 1;
          continue;
        }
        if (!importId) {
          // The first billable row names the billing account: that fixes the source and the id.
          if (!(await start(row.billingAccount))) return { ...result, status: 'already_imported' };
        }
        pending.push(...row.lines);
      }
      if (pending.length >= APPEND_BATCH) await flush();
    }
    if (invalidCount > 0 && !opts.skipInvalid) {
      if (importId) await store.billed.abort(importId);
      return { ...result, status: 'refused', lines: 0 };
    }
    if (!importId) return { ...result, status: 'empty' };
    await flush();
    const summary = await store.billed.commit(importId);
    return { ...result, replaced: summary.replaced, period_start: summary.period_start, period_end: summary.period_end };
  } catch (e) {
    if (importId) await store.billed.abort(importId).catch(() => undefined);
    throw e;
  }
}

/**
 * The bulk path (formats whose parser maps the whole file in DuckDB): the mapped lines arrive as one
 * Parquet file the store loads in one statement; the rows left to the per-line mapping are added
 * as usual. Same result, same refusal and idempotence rules as the streaming path above.
 */
async function importInBulk(store: Store, file: string, format: BillingFormat, hash: string, bulk: NonNullable<BillingParser['bulk']>, opts: BillingImportOptions): Promise<BillingImportResult> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'costrail-billing-'));
  try {
    const parsed = await bulk(file, scratch, opts.onProgress);
    const result: BillingImportResult = { format, import_id: '', source: format, status: 'imported', rows: parsed.rows, lines: 0, skipped: parsed.skipped, invalid: [], invalid_count: 0, replaced: 0, period_start: null, period_end: null };
    const perLine: BilledLine[] = [];
    let first: { line: number; billingAccount: string | null | undefined } | null = parsed.firstMapped;
    for (const row of parsed.perLine) {
      if (row.error !== undefined) {
        result.invalid_count++;
        if (result.invalid.length < MAX_LISTED_INVALID) result.invalid.push({ line: row.line, error: row.error });
        continue;
      }
      if (row.skipped) continue;
      if (row.lines.length > 0 && (!first || row.line < first.line)) first = { line: row.line, billingAccount: row.billingAccount };
      perLine.push(...row.lines);
    }
    result.invalid.sort((a, b) => a.line - b.line);
    if (result.invalid_count > 0 && !opts.skipInvalid) return { ...result, status: 'refused' };
    if (!first) return { ...result, status: 'empty' };
    // The first billable row names the billing account: that fixes the source and the id.
    result.source = first.billingAccount ? `${format}:${first.billingAccount}` : format;
    result.import_id = createHash('sha256').update(`${format}\n${result.source}\n${hash}`).digest('hex').slice(0, 32);
    const state = await store.billed.begin({ import_id: result.import_id, format, source: result.source, file: opts.fileLabel ?? path.basename(file) });
    if (state === 'already_imported') return { ...result, status: 'already_imported' };
    try {
      if (parsed.mappedFile) result.lines += await store.billed.appendParquet(result.import_id, parsed.mappedFile);
      for (let off = 0; off < perLine.length; off += APPEND_BATCH) result.lines += await store.billed.append(result.import_id, perLine.slice(off, off + APPEND_BATCH));
      const summary = await store.billed.commit(result.import_id);
      return { ...result, replaced: summary.replaced, period_start: summary.period_start, period_end: summary.period_end };
    } catch (e) {
      await store.billed.abort(result.import_id).catch(() => undefined);
      throw e;
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
