/**
 * `--format auto`: the export format from the file's own shape, never its name. JSON pages by the
 * results' fields, JSON Lines by a GCP billing row's fields, CSV/Parquet by header columns.
 */
import fs from 'node:fs';
import type { BillingFormat } from '../store/billed-line.js';
import { BilledLineError } from './billed-line-fields.js';
import { pagesOf } from './json-pages.js';
import { isParquet, tableColumns } from './tabular-file.js';

function head(file: string, bytes: number): string {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const n = fs.readSync(fd, buf, 0, bytes, 0);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}

function fromJsonResult(r: Record<string, unknown>): BillingFormat | null {
  if (r['object'] === 'organization.costs.result' || (r['amount'] && typeof r['amount'] === 'object')) return 'openai-costs';
  if (typeof r['amount'] === 'string' && ('token_type' in r || 'cost_type' in r || 'workspace_id' in r)) return 'anthropic-cost-report';
  return null;
}

export function formatFromColumns(columns: readonly string[]): BillingFormat | null {
  const has = new Set(columns.map((c) => c.toLowerCase()));
  if (has.has('billedcost') && has.has('chargecategory')) return 'focus';
  if (has.has('line_item_usage_type') || has.has('line_item_line_item_type') || has.has('lineitem/usagetype')) return 'aws-cur';
  if (has.has('metername') && (has.has('costinbillingcurrency') || has.has('cost') || has.has('pretaxcost'))) return 'azure-cost';
  if ((has.has('sku.description') || has.has('sku_description')) && has.has('cost')) return 'gcp-billing';
  return null;
}

export async function detectBillingFormat(file: string): Promise<BillingFormat> {
  if (isParquet(file)) {
    const f = formatFromColumns(await tableColumns(file));
    if (f) return f;
    throw new BilledLineError(`${file}: a Parquet file with no columns of a known billing export (FOCUS, CUR 2.0, Azure, GCP); pass --format`);
  }
  const start = head(file, 64 * 1024).trimStart();
  if (start.startsWith('{') || start.startsWith('[')) {
    const firstLine = start.split('\n', 1)[0]!;
    try {
      const row = JSON.parse(firstLine) as Record<string, unknown>;
      if (row && typeof row === 'object' && 'sku' in row && 'cost' in row) return 'gcp-billing';
    } catch {
      // not JSON Lines: a whole JSON document (pages) below
    }
    let doc: unknown;
    try {
      doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch {
      throw new BilledLineError(`${file}: not valid JSON, and not JSON Lines of GCP billing rows; pass --format`);
    }
    for (const page of pagesOf(doc)) {
      const data = (page as { data?: unknown } | null)?.data;
      if (!Array.isArray(data)) continue;
      for (const bucket of data) {
        const results = (bucket as { results?: unknown } | null)?.results;
        if (!Array.isArray(results)) continue;
        for (const r of results) {
          const f = r && typeof r === 'object' ? fromJsonResult(r as Record<string, unknown>) : null;
          if (f) return f;
        }
      }
    }
    throw new BilledLineError(`${file}: JSON, but neither OpenAI Costs API nor Anthropic cost_report pages (no result with an amount); pass --format`);
  }
  const f = formatFromColumns(await tableColumns(file));
  if (f) return f;
  throw new BilledLineError(`${file}: no header of a known billing export (FOCUS, CUR 2.0, Azure cost details, GCP billing); pass --format`);
}
