/**
 * Outcomes and revenue as they cross the Store boundary (the economics half of the Store
 * interface). Money is an exact decimal string, instants ISO 8601; the economics domain
 * (src/economics) validates input before it gets here and computes ratios from these sums.
 */
import type { DimensionFilters } from './store.js';

export type OutcomeAttribute = string | number | boolean | null;

export interface OutcomeRecord {
  id: string;
  /** When the outcome happened (ISO 8601); may be hours after its calls. */
  occurred_at: string;
  type: string;
  success: boolean;
  /** Every call of this trace belongs to the outcome. */
  trace_id: string | null;
  /** Calls named explicitly (ledger record ids), in addition to the trace's. */
  call_ids: string[];
  customer: string | null;
  feature: string | null;
  /** The team that reported it; an outcome with a team links only to that team's calls. */
  team: string | null;
  value_usd: string | null;
  attributes: Record<string, OutcomeAttribute>;
}

export interface RevenueRecord {
  customer: string;
  /** Inclusive start of the billed period (ISO 8601). */
  period_start: string;
  /** Exclusive end of the billed period (ISO 8601). */
  period_end: string;
  /** Exact decimal string. */
  amount: string;
  /** ISO 4217 code, upper case. */
  currency: string;
}

/** Ledger columns a unit-economics report groups by (no tags: outcomes join on columns). */
export const UNIT_ECONOMICS_DIMENSIONS = ['feature', 'customer', 'team', 'prompt_version', 'model', 'agent', 'project', 'env', 'provider', 'user'] as const;
export type UnitEconomicsDimension = (typeof UNIT_ECONOMICS_DIMENSIONS)[number];

export interface OutcomeSumsQuery {
  /** Inclusive lower bound on the calls' started_at (ISO 8601). */
  from: string;
  /** Exclusive upper bound on the calls' started_at (ISO 8601). */
  to: string;
  by: UnitEconomicsDimension;
  /** Only outcomes of this type count (calls linked only to other types are unlinked). */
  type?: string;
  /** Equality filters on ledger columns (`null`: absent); tags are not supported here. */
  filters?: DimensionFilters;
}

/** Exact sums per group: the store adds money as DECIMAL; ratios are computed above it. */
export interface OutcomeSumsRow {
  key: string | null;
  /** Sum of priced call costs in the group. */
  cost: string;
  calls: number;
  /** Calls with tokens but no price: their cost is unknown, never counted as $0. */
  unpriced_calls: number;
  /** Cost of the group's calls that belong to no outcome (of `type`, when given). */
  unlinked_cost: string;
  unlinked_calls: number;
  /** Distinct outcomes linked to at least one call of the group. */
  outcomes: number;
  successful_outcomes: number;
}

export interface OutcomeSums {
  rows: OutcomeSumsRow[];
  /** Outcomes that occurred in the window and match no call in the ledger at all. */
  outcomes_without_calls: { outcomes: number; successful_outcomes: number };
}

export interface RevenueQuery {
  /** Periods overlapping [from, to) are returned. */
  from: string;
  to: string;
  customer?: string;
}

export interface OutcomeListQuery {
  /** Outcomes of this trace: naming it, or naming a call of it explicitly. */
  trace_id: string;
  /** Equality on the outcome's own team / feature / customer (a scoped token's scope). */
  filters?: Partial<Record<'team' | 'feature' | 'customer', string>>;
  /** Default 100, at most 1000. */
  limit?: number;
}
