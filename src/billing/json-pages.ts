/** Admin-API cost exports saved to a file: one page, a JSON array of pages, or `{"pages": [...]}`. */
import fs from 'node:fs';
import { BilledLineError } from './billed-line-fields.js';
import type { BilledLine, BillingFormat } from '../store/billed-line.js';
import type { BillingParser, ParsedRow } from './billing-parser.js';

export function readJsonPages(file: string): unknown[] {
  let doc: unknown;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new BilledLineError(`${file} is not valid JSON (${(e as Error).message})`);
  }
  return pagesOf(doc);
}

export function pagesOf(doc: unknown): unknown[] {
  if (Array.isArray(doc)) return doc;
  if (doc && typeof doc === 'object' && Array.isArray((doc as { pages?: unknown }).pages)) return (doc as { pages: unknown[] }).pages;
  return [doc];
}

/** Every bucket's results in order, numbered from 1 across pages (the "line" of a JSON export). */
export function* bucketResults(pages: readonly unknown[]): Iterable<{ n: number; bucket: Record<string, unknown>; result: unknown } | { n: number; error: string }> {
  let n = 0;
  for (const [p, page] of pages.entries()) {
    const data = page && typeof page === 'object' ? (page as { data?: unknown }).data : undefined;
    if (!Array.isArray(data)) {
      yield { n: ++n, error: `page ${p + 1} has no "data" array` };
      continue;
    }
    for (const bucket of data) {
      const results = bucket && typeof bucket === 'object' ? (bucket as { results?: unknown }).results : undefined;
      if (!Array.isArray(results)) {
        yield { n: ++n, error: `a bucket on page ${p + 1} has no "results" array` };
        continue;
      }
      for (const result of results) yield { n: ++n, bucket: bucket as Record<string, unknown>, result };
    }
  }
}

/**
 * A parser for an admin-API cost export: every bucket result becomes one billed line through
 * `toLine`; a result it cannot read is reported at its position, the others still import.
 */
export function jsonPagesParser(format: BillingFormat, toLine: (n: number, bucket: Record<string, unknown>, result: unknown) => BilledLine): BillingParser {
  return {
    format,
    async *parse(file) {
      const out: ParsedRow[] = [];
      for (const item of bucketResults(readJsonPages(file))) {
        if ('error' in item) {
          out.push({ line: item.n, lines: [], error: item.error });
          continue;
        }
        try {
          out.push({ line: item.n, lines: [toLine(item.n, item.bucket, item.result)] });
        } catch (e) {
          out.push({ line: item.n, lines: [], error: (e as Error).message });
        }
      }
      yield out;
    },
  };
}
