/**
 * `cheapest_capable`: the model of a named pool that meets the declared needs (context window,
 * tools, vision, JSON mode) and costs least for the pool's reference call, priced exactly by the
 * price book (decimal, the ledger's own arithmetic). Chosen once per price book version and rule,
 * never per call: the hot path reads the cached answer.
 */
import { priceUsage } from '../pricing/cost.js';
import { Decimal } from '../pricing/decimal.js';
import { isResolved, type PriceBook } from '../pricing/price-book.js';
import { emptyUsage } from '../providers/spec.js';
import { capabilityKey, type CapabilityTable } from './model-capabilities.js';
import type { CapabilityNeeds } from './routing-schema.js';

export interface PoolModel {
  provider: string;
  model: string;
}

export interface ReferenceCall {
  input_tokens: number;
  output_tokens: number;
}

export const DEFAULT_REFERENCE_CALL: ReferenceCall = { input_tokens: 1000, output_tokens: 250 };

export interface CandidateVerdict extends PoolModel {
  /** USD for the reference call, exact; null when the price book does not price the model. */
  cost: string | null;
  /** Why the model cannot serve the rule, if it cannot. */
  excluded?: string;
}

export interface CheapestChoice {
  chosen: PoolModel | null;
  candidates: CandidateVerdict[];
}

/** Every pool member with its reference cost and, when it cannot serve, why; `chosen` is the cheapest that can (ties: pool order). */
export function cheapestCapable(pool: readonly PoolModel[], needs: CapabilityNeeds, book: PriceBook, capabilities: CapabilityTable, reference: ReferenceCall, at: Date): CheapestChoice {
  const candidates: CandidateVerdict[] = [];
  let best: { m: PoolModel; cost: Decimal } | null = null;
  for (const m of pool) {
    const resolved = book.resolve(m.provider, m.model, at);
    if (!isResolved(resolved)) {
      candidates.push({ ...m, cost: null, excluded: `not in the price book (${resolved.reason})` });
      continue;
    }
    const usage = { ...emptyUsage(), input_tokens: reference.input_tokens, output_tokens: reference.output_tokens };
    const priced = priceUsage(book, { provider: m.provider, model: m.model, usage, at });
    const total = priced.cost?.total;
    if (!priced.priced || total === undefined) {
      candidates.push({ ...m, cost: null, excluded: `not priced (${priced.reason ?? 'no price'})` });
      continue;
    }
    const caps = capabilities.get(capabilityKey(resolved.provider, resolved.entry.model)) ?? capabilities.get(capabilityKey(m.provider, m.model));
    const window = resolved.entry.context_window;
    let excluded: string | undefined;
    if (needs.context_tokens !== undefined && (window === undefined || window < needs.context_tokens)) excluded = `context window ${window ?? 'unknown'} < ${needs.context_tokens}`;
    else if (needs.tools && !caps?.tools) excluded = 'no tools';
    else if (needs.vision && !caps?.vision) excluded = 'no vision';
    else if (needs.json_mode && !caps?.json_mode) excluded = 'no JSON mode';
    candidates.push({ ...m, cost: total, ...(excluded ? { excluded } : {}) });
    if (excluded) continue;
    const cost = Decimal.parse(total);
    if (!best || cost.cmp(best.cost) < 0) best = { m, cost };
  }
  return { chosen: best ? best.m : null, candidates };
}
