/**
 * FOCUS 1.0–1.2 cost and usage data (CSV or Parquet), from any provider that exports it. The
 * provider is `ProviderName` (lower-cased; known AI names mapped to Costrail's provider ids), the
 * amount is `BilledCost` in `BillingCurrency`, and `ChargeCategory` is the charge kind. Dates must
 * be ISO 8601 as the spec requires (the spec's own example CSVs use M/D/YY: refused, not guessed).
 */
import type { BilledLine, ChargeKind } from '../store/billed-line.js';
import { BilledLineError, decimalField, instantField, monthOf, optionalDecimal, teamFromTags, text } from './billed-line-fields.js';
import type { BillingParser, ParsedRow } from './billing-parser.js';
import { readTable, type TableRow } from './tabular-file.js';

export const FOCUS_FIELDS = {
  billed_cost: ['BilledCost'],
  currency: ['BillingCurrency'],
  category: ['ChargeCategory'],
  charge_class: ['ChargeClass'],
  start: ['ChargePeriodStart'],
  end: ['ChargePeriodEnd'],
  period: ['BillingPeriodStart'],
  provider: ['ProviderName', 'ServiceProviderName'],
  billing_account: ['BillingAccountId'],
  sub_account: ['SubAccountId'],
  service: ['ServiceName'],
  quantity: ['ConsumedQuantity'],
  unit: ['ConsumedUnit'],
  description: ['ChargeDescription'],
  tags: ['Tags'],
} as const;

const KIND: Record<string, ChargeKind> = { usage: 'usage', tax: 'tax', credit: 'credit', purchase: 'commitment_purchase' };
const PROVIDERS: Record<string, string> = { openai: 'openai', anthropic: 'anthropic', 'microsoft azure': 'azure', microsoft: 'azure', azure: 'azure', 'google cloud': 'vertex', google: 'vertex' };

function providerOf(name: string, service: string | null): string {
  const key = name.toLowerCase();
  if ((key === 'aws' || key.startsWith('amazon')) && service && /bedrock/i.test(service)) return 'bedrock';
  return PROVIDERS[key] ?? key;
}

function toLine(line: number, r: TableRow): ParsedRow {
  const category = text(r['category']);
  if (!category) throw new BilledLineError('ChargeCategory is missing');
  const cost = decimalField(r['billed_cost'], 'BilledCost');
  let kind = KIND[category.toLowerCase()];
  if (category.toLowerCase() === 'adjustment') kind = cost.isNegative() ? 'discount' : 'fee';
  if (!kind) throw new BilledLineError(`unknown ChargeCategory "${category}"`);
  const currency = text(r['currency'])?.toUpperCase();
  if (!currency || !/^[A-Z]{3}$/.test(currency)) throw new BilledLineError('BillingCurrency is not an ISO 4217 code');
  const provider = text(r['provider']);
  if (!provider) throw new BilledLineError('ProviderName is missing');
  const start = instantField(r['start'], 'ChargePeriodStart');
  const period = text(r['period']);
  const service = text(r['service']);
  const bl: BilledLine = {
    provider: providerOf(provider, service),
    account: text(r['sub_account']) ?? text(r['billing_account']),
    service,
    model: null,
    charge_kind: kind,
    token_class: null,
    quantity: optionalDecimal(r['quantity'], 'ConsumedQuantity'),
    unit: text(r['unit']),
    amount: cost.toString(),
    currency,
    amount_usd: currency === 'USD' ? cost.toString() : null,
    charge_start: start,
    charge_end: instantField(r['end'], 'ChargePeriodEnd'),
    invoice_period: period ? monthOf(instantField(period, 'BillingPeriodStart')) : monthOf(start),
    team: teamFromTags(r['tags']),
    description: text(r['description']),
    line,
  };
  return { line, lines: [bl], billingAccount: text(r['billing_account']) };
}

export const focusParser: BillingParser = {
  format: 'focus',
  async *parse(file, onProgress) {
    let read = 0;
    for await (const batch of readTable(file, FOCUS_FIELDS)) {
      yield batch.rows.map((row, i): ParsedRow => {
        const line = batch.firstLine + i;
        try {
          return toLine(line, row);
        } catch (e) {
          return { line, lines: [], error: (e as Error).message };
        }
      });
      read += batch.rows.length;
      onProgress?.(read);
    }
  },
};
