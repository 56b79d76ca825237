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
  /** `ok`, `error` or `aborted`: failed calls that were billed stay in (paid retries and errors). */
  status: string;
  /** Request-shape fields the gateway records (docs/ledger-record.md); null when the source could not see the request. */
  request_hash: string | null;
  prompt_prefix_hash: string | null;
  prompt_prefix_tokens: number | null;
  /** Null when the source could not see the request (then no shape field is known). */
  message_count: number | null;
  max_output_tokens: number | null;
  finish_reason: string | null;
  /** On a retry or fallback, the id of the first attempt. */
  attempt_of: string | null;
}

/** What a lever may change about a call; everything else about the call stays as recorded. */
export interface CallState {
  model: string;
  usage: Usage;
  batch: boolean;
  /** The call would not be made (answered from a response cache, or a paid attempt that was avoided): it costs nothing. */
  dropped: boolean;
  /** Tokens of the stable prompt prefix (trimming a bloated prompt shrinks it before caching sizes it). */
  prefix_tokens: number | null;
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
    status: r.status,
    request_hash: r.request_hash ?? null,
    prompt_prefix_hash: r.prompt_prefix_hash ?? null,
    prompt_prefix_tokens: r.prompt_prefix_tokens ?? null,
    message_count: r.message_count ?? null,
    max_output_tokens: r.max_output_tokens ?? null,
    finish_reason: r.finish_reason ?? null,
    attempt_of: r.attempt_of ?? null,
  };
}

export function initialState(c: AdvisorCall): CallState {
  return { model: c.model, usage: c.usage, batch: false, dropped: false, prefix_tokens: c.prompt_prefix_tokens };
}

/** The exact price-book cost of the call in the given state (zero once dropped); undefined when the state is unpriced. */
export function priceState(book: PriceBook, c: AdvisorCall, s: CallState): Decimal | undefined {
  if (s.dropped) return Decimal.ZERO;
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

/** Finish reasons that mean the output hit the request's limit (chat, Responses, Anthropic, Gemini spellings). */
export function truncatedByLimit(reason: string | null): boolean {
  return reason === 'length' || reason === 'max_tokens' || reason === 'MAX_TOKENS' || reason === 'incomplete:max_output_tokens';
}
