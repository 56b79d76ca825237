/**
 * Anthropic cost report (`GET /v1/organizations/cost_report`) pages. The trap: `amount` is a
 * decimal STRING in the lowest currency unit (cents): "123.45" USD is $1.2345. Divided by 100
 * exactly here. Buckets are daily, [starting_at, ending_at) as RFC 3339.
 */
import type { BilledLine } from '../store/billed-line.js';
import { BilledLineError, decimalField, instantField, monthOf, text } from './billed-line-fields.js';
import type { BillingParser } from './billing-parser.js';
import { jsonPagesParser } from './json-pages.js';

const TOKEN_CLASS: Record<string, string> = {
  uncached_input_tokens: 'input',
  output_tokens: 'output',
  cache_read_input_tokens: 'cache_read',
  'cache_creation.ephemeral_5m_input_tokens': 'cache_write',
  'cache_creation.ephemeral_1h_input_tokens': 'cache_write',
};

function toLine(n: number, bucket: Record<string, unknown>, r: unknown): BilledLine {
  if (!r || typeof r !== 'object') throw new BilledLineError('result is not an object');
  const res = r as Record<string, unknown>;
  if (typeof res['amount'] !== 'string') throw new BilledLineError('amount is not a decimal string (the cost report gives cents as text)');
  const major = decimalField(res['amount'], 'amount').shift(2);
  const currency = typeof res['currency'] === 'string' && /^[A-Z]{3}$/i.test(res['currency']) ? res['currency'].toUpperCase() : null;
  if (!currency) throw new BilledLineError('currency is not an ISO 4217 code');
  const start = instantField(bucket['starting_at'], 'starting_at');
  const tokenType = text(res['token_type']);
  const costType = text(res['cost_type']);
  return {
    provider: 'anthropic',
    account: text(res['workspace_id']),
    service: costType ?? 'Claude API',
    model: text(res['model']),
    charge_kind: 'usage',
    token_class: tokenType === null ? null : (TOKEN_CLASS[tokenType] ?? tokenType),
    quantity: null,
    unit: null,
    amount: major.toString(),
    currency,
    amount_usd: currency === 'USD' ? major.toString() : null,
    charge_start: start,
    charge_end: instantField(bucket['ending_at'], 'ending_at'),
    invoice_period: monthOf(start),
    team: null,
    description: text(res['description']),
    line: n,
  };
}

export const anthropicCostReportParser: BillingParser = jsonPagesParser('anthropic-cost-report', toLine);
