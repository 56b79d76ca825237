/**
 * The ledger record: one per AI call, whatever its source or outcome. Its JSON form is public
 * (PRODUCT.md "The ledger record"): `/api/events` returns it and `costrail import ledger` reads it.
 * Fields keep their names and meaning; new ones may be added.
 */
// Only dependency-free modules: the dashboard (web/) type-checks against this file.
import type { Usage } from '../providers/spec.js';
import { ATTRIBUTION_KEYS, type COST_PARTS, type COST_SOURCES, type LEDGER_SOURCES, type LEDGER_STATUSES, type PRIORITIES, type USAGE_SOURCES } from './ledger-schema.js';

export type { Usage };
export type LedgerSource = (typeof LEDGER_SOURCES)[number];
export type LedgerStatus = (typeof LEDGER_STATUSES)[number];
export type UsageSource = (typeof USAGE_SOURCES)[number];
export type Priority = (typeof PRIORITIES)[number];
export type CostPart = (typeof COST_PARTS)[number];

/** The record's `cost`: a price book's CostBreakdown (pricing/cost.ts), `other` and `source` optional for older records. */
export type LedgerCost = Record<CostPart | 'total', string> & { other?: string; currency: 'USD'; source?: (typeof COST_SOURCES)[number] };

export type Attribution = Record<Exclude<(typeof ATTRIBUTION_KEYS)[number], 'priority'>, string | null> & { priority: Priority | null };

export const ATTRIBUTION_FIELDS: readonly (keyof Attribution)[] = ATTRIBUTION_KEYS;

export function emptyAttribution(): Attribution {
  return { team: null, project: null, feature: null, customer: null, user: null, env: null, agent: null, prompt_version: null, priority: null };
}

export interface LedgerRecord {
  id: string;
  source: LedgerSource;
  started_at: string;
  ended_at: string | null;
  duration_ms: number | null;
  ttft_ms: number | null;
  provider: string;
  api: string | null;
  model_requested: string | null;
  model: string | null;
  status: LedgerStatus;
  http_status: number | null;
  stream: boolean;
  /** null only when nothing could be counted or estimated (e.g. blocked before any token moved). */
  usage: Usage | null;
  usage_source: UsageSource | null;
  cost: LedgerCost | null;
  priced: boolean;
  price_version: string | null;
  attribution: Attribution;
  tags: Record<string, string>;
  key_id: string | null;
  trace_id: string | null;
  span_id: string | null;
  /** Why the call failed or was refused (error type / refusal reason), when it did. */
  error?: { type: string; message: string; scope?: Record<string, string> } | null;
  /** Provider usage object as received, kept so the call can be re-priced later. */
  raw_usage?: unknown;
  usage_version?: number;
  /** Why the call is unpriced, when it is. */
  unpriced_reason?: string | null;
  // What the request asked for, recorded by the gateway (never the text: hashes and counts only), so
  // the advisor and the response cache can work without body capture. Absent on records that predate
  // them or come from sources that cannot see the request.
  /** SHA-256 (hex) of the normalised request (model, messages, tools, parameters): equal requests share it. */
  request_hash?: string | null;
  /** SHA-256 (hex) of the stable prompt prefix (system prompt, tools, leading messages up to the cacheable boundary). */
  prompt_prefix_hash?: string | null;
  /** Estimated tokens in that prefix. */
  prompt_prefix_tokens?: number | null;
  message_count?: number | null;
  tool_count?: number | null;
  /** The output limit the request asked for (`max_tokens`, `max_completion_tokens`, `max_output_tokens`, `maxOutputTokens`). */
  max_output_tokens?: number | null;
  /** The provider's finish/stop reason as it sent it (`stop`, `length`, `end_turn`, `MAX_TOKENS`, …). */
  finish_reason?: string | null;
  /** USD the call did not pay because Costrail answered it (a response-cache hit): what it would have cost. */
  saved?: string | null;
  /** The record id of the first attempt when this call is a retry or fallback of it. */
  attempt_of?: string | null;
  /**
   * The provider's own id of the response (OpenAI `chatcmpl-…` / `resp_…`, Anthropic `msg_…`, Gemini
   * `responseId`). With `provider` it names one call whatever saw it: the gateway, the SDK and a span
   * of the same call are one record (src/ledger/call-merge.ts).
   */
  response_id?: string | null;
}
