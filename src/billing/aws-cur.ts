/**
 * AWS Cost and Usage Report 2.0 (Data Exports; CSV or Parquet; legacy CUR column names accepted).
 * Only Amazon Bedrock lines are the AI bill: they become provider `bedrock`; every other service's
 * lines are counted as skipped. Line item types are kept as charge kinds (Usage, Tax, Credit,
 * Refund, SavingsPlan*, discounts, fees).
 *
 * Bedrock encodes model, token class and tier in the usage type
 * (`USW2-Claude4.6Sonnet-output-tokens`, `USE1-NovaLite-input-tokens`,
 * `USW2-anthropic.claude-opus-4-8-mantle-cache-write-tokens-standard`,
 * `…-cache-write-input-token-count`); usage amounts come in varying scales, so the quantity is kept
 * with the export's pricing unit, never assumed per token.
 */
import type { BilledLine, ChargeKind } from '../store/billed-line.js';
import { BilledLineError, decimalField, instantField, monthOf, normaliseQuantity, optionalDecimal, teamFromTags, text } from './billed-line-fields.js';
import type { BillingParser, ParsedRow } from './billing-parser.js';
import { readTable, type TableRow } from './tabular-file.js';
import { mapCurInBulk } from './aws-cur-bulk.js';

export const CUR_FIELDS = {
  type: ['line_item_line_item_type', 'lineItem/LineItemType'],
  product: ['line_item_product_code', 'lineItem/ProductCode'],
  usage_type: ['line_item_usage_type', 'lineItem/UsageType'],
  amount: ['line_item_usage_amount', 'lineItem/UsageAmount'],
  cost: ['line_item_unblended_cost', 'lineItem/UnblendedCost'],
  currency: ['line_item_currency_code', 'lineItem/CurrencyCode'],
  start: ['line_item_usage_start_date', 'lineItem/UsageStartDate'],
  end: ['line_item_usage_end_date', 'lineItem/UsageEndDate'],
  period: ['bill_billing_period_start_date', 'bill/BillingPeriodStartDate'],
  account: ['line_item_usage_account_id', 'lineItem/UsageAccountId'],
  principal: ['line_item_iam_principal'],
  payer: ['bill_payer_account_id', 'bill/PayerAccountId'],
  unit: ['pricing_unit', 'pricing/unit'],
  description: ['line_item_line_item_description', 'lineItem/LineItemDescription'],
  tags: ['resource_tags', 'resourceTags/user:team', 'resource_tags_user_team'],
} as const;

export const CUR_KINDS: Readonly<Record<string, ChargeKind>> = {
  Usage: 'usage',
  DiscountedUsage: 'usage',
  SavingsPlanCoveredUsage: 'usage',
  Tax: 'tax',
  Credit: 'credit',
  Refund: 'refund',
  SavingsPlanNegation: 'discount',
  Discount: 'discount',
  BundledDiscount: 'discount',
  EdpDiscount: 'discount',
  PrivateRateDiscount: 'discount',
  SppDiscount: 'discount',
  DistributorDiscount: 'discount',
  Fee: 'fee',
  RIFee: 'commitment_purchase',
  SavingsPlanUpfrontFee: 'commitment_purchase',
  SavingsPlanRecurringFee: 'commitment_purchase',
};

export const BEDROCK_PRODUCTS: ReadonlySet<string> = new Set(['AmazonBedrock', 'AmazonBedrockService']);

/** Model and token class from a Bedrock usage type; null where the type does not say. */
export function parseBedrockUsageType(usageType: string | null): { model: string | null; token_class: string | null } {
  if (!usageType) return { model: null, token_class: null };
  const body = usageType.replace(/^[A-Z]{2,4}\d?-/, '');
  const m = /^(.*?)-(?:mantle-)?(cache-read|cache-write|input|output)(?:-input)?-tokens?(?:-count)?(?:-.*)?$/i.exec(body);
  if (!m) return { model: body.toLowerCase() || null, token_class: null };
  const cls = m[2]!.toLowerCase();
  return { model: m[1]!.replace(/-mantle$/i, '').toLowerCase() || null, token_class: cls === 'cache-read' ? 'cache_read' : cls === 'cache-write' ? 'cache_write' : cls };
}

function toLine(line: number, r: TableRow): ParsedRow {
  const product = text(r['product']);
  if (!product || !BEDROCK_PRODUCTS.has(product)) return { line, lines: [], skipped: true };
  const type = text(r['type']) ?? 'Usage';
  const kind = CUR_KINDS[type];
  if (!kind) throw new BilledLineError(`unknown line_item_line_item_type "${type}"`);
  const cost = decimalField(r['cost'], 'line_item_unblended_cost');
  const currency = (text(r['currency']) ?? 'USD').toUpperCase();
  const start = instantField(r['start'], 'line_item_usage_start_date');
  const end = instantField(r['end'], 'line_item_usage_end_date');
  const period = text(r['period']);
  const usageType = text(r['usage_type']);
  const parsed = kind === 'usage' ? parseBedrockUsageType(usageType) : { model: null, token_class: null };
  const q = normaliseQuantity(optionalDecimal(r['amount'], 'line_item_usage_amount'), text(r['unit']));
  const tags = text(r['tags']);
  const team = tags && !tags.startsWith('{') && !tags.startsWith('[') ? tags : teamFromTags(tags);
  const bl: BilledLine = {
    provider: 'bedrock',
    account: text(r['principal']) ?? text(r['account']),
    service: product,
    model: parsed.model,
    charge_kind: kind,
    token_class: parsed.token_class,
    quantity: q.quantity,
    unit: q.unit,
    amount: cost.toString(),
    currency,
    amount_usd: currency === 'USD' ? cost.toString() : null,
    charge_start: start,
    charge_end: end,
    invoice_period: period ? monthOf(instantField(period, 'bill_billing_period_start_date')) : monthOf(start),
    team,
    description: text(r['description']) ?? usageType,
    line,
  };
  return { line, lines: [bl], billingAccount: text(r['payer']) };
}

/** One CUR row (CUR_FIELDS names, text) as the importer takes it: its lines, or its reason for refusal. */
export function curRowToLine(line: number, r: TableRow): ParsedRow {
  try {
    return toLine(line, r);
  } catch (e) {
    return { line, lines: [], error: (e as Error).message };
  }
}

export const awsCurParser: BillingParser = {
  format: 'aws-cur',
  bulk: (file, scratchDir, onProgress) => mapCurInBulk(file, scratchDir, onProgress),
  async *parse(file, onProgress) {
    let read = 0;
    let kept = 0;
    let total = 0;
    const filter = { field: CUR_FIELDS.product, values: [...BEDROCK_PRODUCTS], onTotal: (n: number) => (total = n) };
    for await (const batch of readTable(file, CUR_FIELDS, filter)) {
      const out = new Array<ParsedRow>(batch.rows.length);
      for (let i = 0; i < batch.rows.length; i++) {
        const line = batch.lines?.[i] ?? batch.firstLine + i;
        out[i] = curRowToLine(line, batch.rows[i]!);
      }
      kept += batch.rows.length;
      read = (batch.lines?.[batch.lines.length - 1] ?? batch.firstLine + batch.rows.length) - 1;
      onProgress?.(read);
      yield out;
    }
    // Other services' rows, filtered out in DuckDB, counted as skipped in one entry.
    if (total > kept) yield [{ line: 0, lines: [], skipped: true, count: total - kept }];
  },
};
