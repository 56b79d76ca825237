/**
 * The ledger record: one per AI call, whatever its source or outcome. Its JSON form is public
 * (PRODUCT.md "The ledger record"): `/api/events` returns it and `costrail import ledger` reads it.
 * Fields keep their names and meaning; new ones may be added.
 */
import type { CostBreakdown } from '../pricing/cost.js';
import type { Usage } from '../providers/spec.js';

/** `simulator`: traffic `costrail demo` made up, kept apart so it is never mistaken for real spend. */
export type LedgerSource = 'gateway' | 'sdk' | 'otel' | 'import' | 'simulator';
export type LedgerStatus = 'ok' | 'error' | 'blocked' | 'cached' | 'aborted';
export type UsageSource = 'provider' | 'estimated';
export type Priority = 'critical' | 'normal' | 'background';

export interface Attribution {
  team: string | null;
  project: string | null;
  feature: string | null;
  customer: string | null;
  user: string | null;
  env: string | null;
  agent: string | null;
  prompt_version: string | null;
  priority: Priority | null;
}

export const ATTRIBUTION_FIELDS: readonly (keyof Attribution)[] = ['team', 'project', 'feature', 'customer', 'user', 'env', 'agent', 'prompt_version', 'priority'];

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
  cost: Omit<CostBreakdown, 'source' | 'other'> & { other?: string; source?: CostBreakdown['source'] } | null;
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
}
