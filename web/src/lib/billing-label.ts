/**
 * What a call's missing cost means. Only a call that used tokens on a model without a known price
 * is "unpriced"; a refused call, a provider error, a model listing or a token count used nothing
 * billable, and calling those "unpriced" sent people hunting for prices that do not exist.
 */
import type { LedgerRecord } from '../api/types';

export type BillingKind = 'priced' | 'unpriced' | 'blocked' | 'error' | 'not_billable' | 'no_usage';

export interface BillingLabel {
  kind: BillingKind;
  /** Short text for a table cell. */
  text: string;
  /** Why, for a tooltip or the detail panel. */
  why: string;
}

const NOT_BILLABLE_APIS = new Set(['models', 'count_tokens']);

export function billingLabel(r: Pick<LedgerRecord, 'cost' | 'usage' | 'status' | 'api' | 'unpriced_reason' | 'http_status'>): BillingLabel {
  if (r.cost) return { kind: 'priced', text: '', why: '' };
  if (r.usage) return { kind: 'unpriced', text: 'unpriced', why: r.unpriced_reason ? `no known price: ${r.unpriced_reason}` : 'no known price for this model (never counted as $0)' };
  if (r.status === 'blocked') return { kind: 'blocked', text: 'blocked', why: 'refused by Costrail before reaching the provider: nothing was billed' };
  if (r.api && NOT_BILLABLE_APIS.has(r.api)) return { kind: 'not_billable', text: 'not billable', why: r.api === 'models' ? 'a model listing: providers do not bill it' : 'a token count: providers do not bill it' };
  if (r.status === 'error' || r.status === 'aborted') return { kind: 'error', text: r.status === 'aborted' ? 'aborted' : 'error', why: `the provider answered ${r.http_status ?? 'with an error'} and reported no usage: nothing to bill` };
  return { kind: 'no_usage', text: 'no usage', why: 'no usage was reported or estimated for this call' };
}

/** Who measured the tokens, in words; null when the call used none (refused, listing, error). */
export function usageSourceText(r: Pick<LedgerRecord, 'usage' | 'usage_source'>): string | null {
  if (!r.usage) return null;
  return r.usage_source === 'estimated' ? 'estimated by Costrail' : r.usage_source === 'provider' ? 'reported by the provider' : 'imported';
}
