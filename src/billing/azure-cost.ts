/**
 * Azure cost details export (actual cost, CSV; EA PascalCase and MCA camelCase column names).
 * Azure OpenAI encodes model, token class and deployment type in the meter name
 * (`gpt-4o 1120 Inp glbl Tokens`, `gpt 4o 1120 cached Inp glbl`, `5.4 cd inp Gl`, `5.4 opt Gl`);
 * MeterCategory values differ across sources, so lines are recognised by consumed service and
 * resource id, not category. UnitOfMeasure "1K"/"1M" is normalised to tokens.
 */
import type { BilledLine, ChargeKind } from '../store/billed-line.js';
import { BilledLineError, decimalField, monthOf, normaliseQuantity, optionalDecimal, plusDay, teamFromTags, text, usDateField } from './billed-line-fields.js';
import type { BillingParser, ParsedRow } from './billing-parser.js';
import { readTable, type TableRow } from './tabular-file.js';

export const AZURE_FIELDS = {
  date: ['Date', 'UsageDate'],
  charge_type: ['ChargeType'],
  consumed_service: ['ConsumedService'],
  resource_id: ['ResourceId', 'InstanceId'],
  subscription: ['SubscriptionId'],
  billing_account: ['BillingAccountId'],
  meter_category: ['MeterCategory'],
  meter_name: ['MeterName'],
  quantity: ['Quantity'],
  unit: ['UnitOfMeasure'],
  cost: ['CostInBillingCurrency', 'Cost', 'PreTaxCost'],
  currency: ['BillingCurrency', 'BillingCurrencyCode', 'Currency'],
  cost_usd: ['CostInUsd'],
  period: ['BillingPeriodStartDate'],
  tags: ['Tags'],
} as const;

const KIND: Record<string, ChargeKind> = { usage: 'usage', purchase: 'commitment_purchase', refund: 'refund', tax: 'tax', credit: 'credit', unusedreservation: 'commitment_purchase', unusedsavingsplan: 'commitment_purchase', roundingadjustment: 'fee' };

/** Model and token class from an Azure OpenAI meter name. */
export function parseAzureMeter(meter: string | null): { model: string | null; token_class: string | null } {
  if (!meter) return { model: null, token_class: null };
  const m = /^(.*?)\s+(cached\s+inp|cd\s+inp|inp|outp|opt)\b/i.exec(meter);
  if (!m) return { model: null, token_class: null };
  const cls = m[2]!.toLowerCase().replace(/\s+/g, ' ');
  const model = m[1]!.trim().toLowerCase().replace(/^gpt\s+/, 'gpt-').replace(/\s+/g, '-');
  return { model, token_class: cls === 'cached inp' || cls === 'cd inp' ? 'cache_read' : cls === 'inp' ? 'input' : 'output' };
}

const isOpenAi = (r: TableRow): boolean => /Microsoft\.CognitiveServices/i.test(`${r['consumed_service'] ?? ''} ${r['resource_id'] ?? ''}`) || /openai|foundry/i.test(r['meter_category'] ?? '');

function toLine(line: number, r: TableRow): ParsedRow {
  if (!isOpenAi(r)) return { line, lines: [], skipped: true };
  const chargeType = text(r['charge_type']) ?? 'Usage';
  const kind = KIND[chargeType.toLowerCase()];
  if (!kind) throw new BilledLineError(`unknown ChargeType "${chargeType}"`);
  const cost = decimalField(r['cost'], 'CostInBillingCurrency');
  const currency = text(r['currency'])?.toUpperCase();
  if (!currency || !/^[A-Z]{3}$/.test(currency)) throw new BilledLineError('BillingCurrency is not an ISO 4217 code');
  const day = usDateField(r['date'], 'Date');
  const meter = text(r['meter_name']);
  const parsed = kind === 'usage' ? parseAzureMeter(meter) : { model: null, token_class: null };
  const resource = text(r['resource_id']);
  const subscription = text(r['subscription']) ?? (resource ? (/\/subscriptions\/([^/]+)/i.exec(resource)?.[1] ?? null) : null);
  const q = normaliseQuantity(optionalDecimal(r['quantity'], 'Quantity'), text(r['unit']));
  const usd = currency === 'USD' ? cost.toString() : r['cost_usd'] ? decimalField(r['cost_usd'], 'CostInUsd').toString() : null;
  const period = text(r['period']);
  const bl: BilledLine = {
    provider: 'azure',
    account: resource ? (resource.split('/').filter(Boolean).pop() ?? subscription) : subscription,
    service: text(r['consumed_service']),
    model: parsed.model,
    charge_kind: kind,
    token_class: parsed.token_class,
    quantity: q.quantity,
    unit: q.unit,
    amount: cost.toString(),
    currency,
    amount_usd: usd,
    charge_start: day,
    charge_end: plusDay(day),
    invoice_period: period ? monthOf(usDateField(period, 'BillingPeriodStartDate')) : monthOf(day),
    team: teamFromTags(r['tags']),
    description: meter,
    line,
  };
  return { line, lines: [bl], billingAccount: text(r['billing_account']) ?? subscription };
}

export const azureCostParser: BillingParser = {
  format: 'azure-cost',
  async *parse(file, onProgress) {
    let read = 0;
    for await (const batch of readTable(file, AZURE_FIELDS)) {
      const out = batch.rows.map((row, i): ParsedRow => {
        const line = batch.firstLine + i;
        try {
          return toLine(line, row);
        } catch (e) {
          return { line, lines: [], error: (e as Error).message };
        }
      });
      read += batch.rows.length;
      onProgress?.(read);
      yield out;
    }
  },
};
