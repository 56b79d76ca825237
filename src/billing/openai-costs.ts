/**
 * OpenAI Costs API (`GET /v1/organization/costs`) pages. Amounts are in major units (dollars)
 * as JSON numbers, currency lower-case ISO 4217; buckets are [start_time, end_time) in Unix
 * seconds. `line_item` is opaque ("gpt-4o-2024-08-06, input", "input_tokens", a bare model):
 * the model and token class are read from it where it says them.
 */
import type { BilledLine } from '../store/billed-line.js';
import { BilledLineError, decimalField, monthOf, optionalDecimal, text } from './billed-line-fields.js';
import type { BillingParser } from './billing-parser.js';
import { jsonPagesParser } from './json-pages.js';

const TOKEN_CLASS: Record<string, string> = { input: 'input', output: 'output', 'cached input': 'cache_read', cached_input: 'cache_read', input_tokens: 'input', output_tokens: 'output', cached_input_tokens: 'cache_read', input_cached_tokens: 'cache_read' };

export function splitLineItem(item: string | null): { model: string | null; token_class: string | null } {
  if (item === null) return { model: null, token_class: null };
  const comma = item.lastIndexOf(',');
  if (comma >= 0) {
    const cls = item.slice(comma + 1).trim().toLowerCase();
    return { model: item.slice(0, comma).trim() || null, token_class: TOKEN_CLASS[cls] ?? cls };
  }
  const cls = TOKEN_CLASS[item.trim().toLowerCase()];
  return cls ? { model: null, token_class: cls } : { model: item.trim(), token_class: null };
}

function seconds(v: unknown, field: string): string {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new BilledLineError(`${field} is not Unix seconds`);
  return new Date(v * 1000).toISOString();
}

function toLine(n: number, bucket: Record<string, unknown>, r: unknown): BilledLine {
  if (!r || typeof r !== 'object') throw new BilledLineError('result is not an object');
  const res = r as Record<string, unknown>;
  const amount = res['amount'] as { value?: unknown; currency?: unknown } | undefined;
  if (!amount || typeof amount !== 'object') throw new BilledLineError('amount is missing');
  const value = decimalField(amount.value, 'amount.value');
  const currency = typeof amount.currency === 'string' && /^[a-z]{3}$/i.test(amount.currency) ? amount.currency.toUpperCase() : null;
  if (!currency) throw new BilledLineError('amount.currency is not an ISO 4217 code');
  const start = seconds(bucket['start_time'], 'start_time');
  const lineItem = text(res['line_item']);
  const { model, token_class } = splitLineItem(lineItem);
  return {
    provider: 'openai',
    account: text(res['project_id']),
    service: 'OpenAI API',
    model,
    charge_kind: 'usage',
    token_class,
    quantity: optionalDecimal(res['quantity'], 'quantity'),
    unit: text(res['quantity_unit']),
    amount: value.toString(),
    currency,
    amount_usd: currency === 'USD' ? value.toString() : null,
    charge_start: start,
    charge_end: seconds(bucket['end_time'], 'end_time'),
    invoice_period: monthOf(start),
    team: null,
    description: lineItem,
    line: n,
  };
}

export const openAiCostsParser: BillingParser = jsonPagesParser('openai-costs', toLine);
