/**
 * The advisor's view of one ledger record: only what re-pricing and the levers need, plus the
 * mutable "state" a lever changes (model, usage, batch). Re-pricing goes through the same
 * priceUsage as the ledger, so a projected figure is exactly what the price book would charge.
 */
import type { LedgerRecord } from '../ledger/ledger-record.js';
import { priceUsage } from '../pricing/cost.js';
import { Decimal } from '../pricing/decimal.js';
import type { PriceBook } from '../pricing/price-book.js';
import type { Usage } from '../providers/spec.js';

export interface AdvisorCall {
  id: string;
  at: Date;
  provider: string;
  /** The catalog model the call was priced as (dated snapshots resolved to their catalog entry). */
  model: string;
  usage: Usage;
  stream: boolean;
  feature: string | null;
  prompt_version: string | null;
  priority: string | null;
  team: string | null;
}

/** What a lever may change about a call; everything else about the call stays as recorded. */
export interface CallState {
  model: string;
  usage: Usage;
  batch: boolean;
}

/**
 * The call as the advisor sees it, or undefined when it cannot be re-priced (no usage, or a model
 * the price book does not know: unpriced calls are counted apart, never treated as $0).
 */
export function toAdvisorCall(book: PriceBook, r: LedgerRecord): AdvisorCall | undefined {
  const name = r.model ?? r.model_requested;
  if (!name || !r.usage) return undefined;
  const at = new Date(r.started_at);
  const priced = priceUsage(book, { provider: r.provider, model: name, usage: r.usage, at });
  if (!priced.priced || !priced.priced_as || priced.cost?.source !== 'price_book') return undefined;
  return {
    id: r.id,
    at,
    provider: r.provider,
    model: priced.priced_as.model,
    usage: r.usage,
    stream: r.stream,
    feature: r.attribution.feature,
    prompt_version: r.attribution.prompt_version,
    priority: r.attribution.priority,
    team: r.attribution.team,
  };
}

export function initialState(c: AdvisorCall): CallState {
  return { model: c.model, usage: c.usage, batch: false };
}

/** The exact price-book cost of the call in the given state; undefined when the state is unpriced. */
export function priceState(book: PriceBook, c: AdvisorCall, s: CallState): Decimal | undefined {
  const r = priceUsage(book, { provider: c.provider, model: s.model, usage: s.usage, at: c.at, batch: s.batch });
  return r.priced && r.cost ? Decimal.parse(r.cost.total) : undefined;
}

/** The per-MTok rates the call's model has at the call's instant (for break-even figures). */
export function ratesOf(book: PriceBook, c: AdvisorCall, s: CallState): Record<string, string> {
  return priceUsage(book, { provider: c.provider, model: s.model, usage: s.usage, at: c.at, batch: s.batch }).rates ?? {};
}

/** Text input tokens a prompt cache can see: uncached input plus what was read from or written to a cache. */
export function promptTokens(u: Usage): number {
  return u.input_tokens + u.cache_read_tokens + u.cache_write_tokens + u.cache_write_1h_tokens;
}
