/**
 * Google Cloud Billing export rows (the BigQuery standard usage cost table), as JSON Lines (one
 * row object per line, nested as exported) or CSV (nested fields flattened as `service.description`
 * or `service_description`). Vertex AI / Gemini lines are the AI bill; other services are skipped.
 * The SKU description carries model, token class and tier ("Gemini 2.5 Flash GA Text Input -
 * Predictions"); each row's `credits` become credit lines of their own (negative amounts).
 * `cost` is in `currency`; `currency_conversion_rate` is local currency per US dollar.
 */
import fs from 'node:fs';
import readline from 'node:readline';
import { Decimal } from '../pricing/decimal.js';
import type { BilledLine, ChargeKind } from '../store/billed-line.js';
import { BilledLineError, decimalField, instantField, optionalDecimal, teamFromTags, text } from './billed-line-fields.js';
import type { BillingParser, ParsedRow } from './billing-parser.js';
import { isParquet, readTable } from './tabular-file.js';

const AI_SERVICE = /vertex ai|gemini|generative language/i;

/** Model and token class from a Vertex AI SKU description. */
export function parseGcpSku(sku: string | null): { model: string | null; token_class: string | null } {
  if (!sku) return { model: null, token_class: null };
  const storage = /^(.*?)\s+(?:(?:GA|Preview)\s+)?Text\s+Input\s+Caching\s+Storage\b/i.exec(sku);
  if (storage) return { model: storage[1]!.trim().toLowerCase().replace(/\s+/g, '-'), token_class: 'cache_storage' };
  const m = /^(.*?)\s+(?:(?:GA|Preview)\s+)?(?:(?:Text|Image|Audio|Video)\s+)?(Thinking\s+Text\s+Output|Input\s+Text\s+Caching|Input\s+Caching|Input|Output)\b/i.exec(sku);
  if (!m) return { model: null, token_class: null };
  const cls = m[2]!.toLowerCase().replace(/\s+/g, ' ');
  const token_class = cls.startsWith('thinking') ? 'reasoning' : cls.includes('caching') ? 'cache_read' : cls === 'input' ? 'input' : 'output';
  return { model: m[1]!.trim().toLowerCase().replace(/\s+/g, '-'), token_class };
}

/** Reads a nested field from a JSON row or its flattened CSV column (`a.b` or `a_b`). */
function pick(row: Record<string, unknown>, path: string): unknown {
  if (path in row) return row[path];
  if (path.replace('.', '_') in row) return row[path.replace('.', '_')];
  let v: unknown = row;
  for (const k of path.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

const KIND: Record<string, ChargeKind> = { regular: 'usage', tax: 'tax', rounding_error: 'fee' };

function toUsd(amount: Decimal, currency: string, rate: unknown): string | null {
  if (currency === 'USD') return amount.toString();
  const r = rate === null || rate === undefined || rate === '' ? null : decimalField(rate, 'currency_conversion_rate');
  // Division is not exact in general; only an exact rate of 1 converts without rounding.
  return r && r.eq(Decimal.ONE) ? amount.toString() : null;
}

export function gcpRow(line: number, row: Record<string, unknown>): ParsedRow {
  const service = text(pick(row, 'service.description'));
  if (!service || !AI_SERVICE.test(service)) return { line, lines: [], skipped: true };
  const costType = (text(pick(row, 'cost_type')) ?? 'regular').toLowerCase();
  const cost = decimalField(pick(row, 'cost'), 'cost');
  let kind = KIND[costType];
  if (costType === 'adjustment') kind = cost.isNegative() ? 'credit' : 'fee';
  if (!kind) throw new BilledLineError(`unknown cost_type "${costType}"`);
  const currency = text(pick(row, 'currency'))?.toUpperCase();
  if (!currency || !/^[A-Z]{3}$/.test(currency)) throw new BilledLineError('currency is not an ISO 4217 code');
  const start = instantField(text(pick(row, 'usage_start_time')), 'usage_start_time');
  const end = instantField(text(pick(row, 'usage_end_time')), 'usage_end_time');
  const month = text(pick(row, 'invoice.month'));
  if (month !== null && !/^\d{6}$/.test(month)) throw new BilledLineError(`invoice.month is not YYYYMM (got "${month}")`);
  const sku = text(pick(row, 'sku.description'));
  const parsed = kind === 'usage' ? parseGcpSku(sku) : { model: null, token_class: null };
  const rate = pick(row, 'currency_conversion_rate');
  const amountInPricing = pick(row, 'usage.amount_in_pricing_units');
  const usePricing = amountInPricing !== null && amountInPricing !== undefined && amountInPricing !== '';
  const base: BilledLine = {
    provider: 'vertex',
    account: text(pick(row, 'project.id')),
    service,
    model: parsed.model,
    charge_kind: kind,
    token_class: parsed.token_class,
    quantity: optionalDecimal(usePricing ? amountInPricing : pick(row, 'usage.amount'), 'usage.amount'),
    unit: text(pick(row, usePricing ? 'usage.pricing_unit' : 'usage.unit')),
    amount: cost.toString(),
    currency,
    amount_usd: toUsd(cost, currency, rate),
    charge_start: start,
    charge_end: end,
    invoice_period: month ? `${month.slice(0, 4)}-${month.slice(4)}` : start.slice(0, 7),
    team: teamFromTags(pick(row, 'labels')) ?? teamFromTags(pick(row, 'project.labels')),
    description: sku,
    line,
  };
  const lines = [base];
  let credits = pick(row, 'credits');
  if (typeof credits === 'string') credits = credits.trim() === '' ? [] : (JSON.parse(credits) as unknown);
  if (credits !== null && credits !== undefined && !Array.isArray(credits)) throw new BilledLineError('credits is not a list');
  for (const c of (credits as unknown[] | undefined) ?? []) {
    const credit = c as Record<string, unknown>;
    const amount = decimalField(credit['amount'], 'credits[].amount');
    lines.push({ ...base, charge_kind: 'credit', token_class: null, quantity: null, unit: null, amount: amount.toString(), amount_usd: toUsd(amount, currency, rate), description: text(credit['name']) ?? text(credit['type']) ?? 'credit' });
  }
  return { line, lines, billingAccount: text(pick(row, 'billing_account_id')) };
}

function firstByte(file: string): string {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(1);
    return fs.readSync(fd, buf, 0, 1, 0) === 1 ? buf.toString('latin1') : '';
  } finally {
    fs.closeSync(fd);
  }
}

async function* jsonLines(file: string, onProgress?: (n: number) => void): AsyncIterable<ParsedRow[]> {
  const rl = readline.createInterface({ input: fs.createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let line = 0;
  let out: ParsedRow[] = [];
  for await (const raw of rl) {
    line++;
    if (raw.trim() === '') continue;
    try {
      const row = JSON.parse(raw) as unknown;
      if (!row || typeof row !== 'object' || Array.isArray(row)) throw new BilledLineError('not a JSON object');
      out.push(gcpRow(line, row as Record<string, unknown>));
    } catch (e) {
      out.push({ line, lines: [], error: e instanceof SyntaxError ? `not valid JSON (${e.message})` : (e as Error).message });
    }
    if (out.length >= 5000) {
      onProgress?.(line);
      yield out;
      out = [];
    }
  }
  onProgress?.(line);
  if (out.length) yield out;
}

const CSV_COLUMNS = ['billing_account_id', 'service.description', 'sku.description', 'usage_start_time', 'usage_end_time', 'project.id', 'project.labels', 'labels', 'cost', 'currency', 'currency_conversion_rate', 'usage.amount', 'usage.unit', 'usage.amount_in_pricing_units', 'usage.pricing_unit', 'credits', 'invoice.month', 'cost_type'];

export const gcpBillingParser: BillingParser = {
  format: 'gcp-billing',
  async *parse(file, onProgress) {
    if (!isParquet(file) && firstByte(file) === '{') {
      yield* jsonLines(file, onProgress);
      return;
    }
    const fields = Object.fromEntries(CSV_COLUMNS.map((c) => [c, [c, c.replace('.', '_')]]));
    let read = 0;
    for await (const batch of readTable(file, fields)) {
      yield batch.rows.map((row, i): ParsedRow => {
        const line = batch.firstLine + i;
        try {
          return gcpRow(line, row);
        } catch (e) {
          return { line, lines: [], error: e instanceof SyntaxError ? `credits is not valid JSON (${e.message})` : (e as Error).message };
        }
      });
      read += batch.rows.length;
      onProgress?.(read);
    }
  },
};
