/**
 * The unit-economics report: per group (feature, customer, team, prompt version, model, agent),
 * what the calls cost, how many outcomes they produced and what each (successful) outcome cost.
 *
 * The store adds money exactly; ratios are computed here once, with exact division. Cost of calls
 * that belong to no outcome is reported as `unlinked_cost` and kept OUT of the per-outcome
 * figures, never spread over the outcomes that exist: cost_per_outcome = (cost − unlinked_cost) /
 * outcomes. A failed outcome's calls still count toward cost_per_successful_outcome, which is
 * what a success really costs. An outcome whose calls fall in two groups counts in both.
 */
import { Decimal } from '../pricing/decimal.js';
import type { OutcomeSumsQuery, OutcomeSumsRow, UnitEconomicsDimension } from '../store/economics-types.js';
import type { DimensionFilters, Store } from '../store/store.js';
import { MONEY_PLACES, RATE_PLACES, ratioText } from './decimal-ratio.js';

export interface UnitEconomicsRow {
  key: string | null;
  cost: string;
  calls: number;
  outcomes: number;
  successful_outcomes: number;
  /** successful_outcomes / outcomes, 6 places; null without outcomes. */
  success_rate: string | null;
  cost_per_outcome: string | null;
  cost_per_successful_outcome: string | null;
  unlinked_cost: string;
  unlinked_calls: number;
  /** Calls whose price is unknown: their cost is missing from every figure, never counted as $0. */
  unpriced_calls: number;
}

export interface UnitEconomicsReport {
  from: string;
  to: string;
  by: UnitEconomicsDimension;
  type: string | null;
  rows: UnitEconomicsRow[];
  total: { cost: string; calls: number; unlinked_cost: string; unpriced_calls: number };
  /** Outcomes in the window that match no call (wrong trace id, calls not yet recorded…). */
  outcomes_without_calls: { outcomes: number; successful_outcomes: number };
}

export interface UnitEconomicsQuery {
  from: string;
  to: string;
  by: UnitEconomicsDimension;
  type?: string;
  filters?: DimensionFilters;
}

export function unitEconomicsRow(s: OutcomeSumsRow): UnitEconomicsRow {
  const cost = Decimal.parse(s.cost);
  const unlinked = Decimal.parse(s.unlinked_cost);
  const linked = cost.sub(unlinked);
  return {
    key: s.key,
    cost: s.cost,
    calls: s.calls,
    outcomes: s.outcomes,
    successful_outcomes: s.successful_outcomes,
    success_rate: ratioText(Decimal.fromInt(s.successful_outcomes), Decimal.fromInt(s.outcomes), RATE_PLACES),
    cost_per_outcome: ratioText(linked, Decimal.fromInt(s.outcomes), MONEY_PLACES),
    cost_per_successful_outcome: ratioText(linked, Decimal.fromInt(s.successful_outcomes), MONEY_PLACES),
    unlinked_cost: s.unlinked_cost,
    unlinked_calls: s.unlinked_calls,
    unpriced_calls: s.unpriced_calls,
  };
}

export async function buildUnitEconomics(store: Store, q: UnitEconomicsQuery): Promise<UnitEconomicsReport> {
  const query: OutcomeSumsQuery = { from: q.from, to: q.to, by: q.by, ...(q.type === undefined ? {} : { type: q.type }), ...(q.filters ? { filters: q.filters } : {}) };
  const sums = await store.economics.getOutcomeSums(query);
  const rows = sums.rows.map(unitEconomicsRow);
  // Costliest first: where the money goes is what a reader looks for.
  rows.sort((a, b) => Decimal.parse(b.cost).cmp(Decimal.parse(a.cost)) || String(a.key).localeCompare(String(b.key)));
  return {
    from: new Date(q.from).toISOString(),
    to: new Date(q.to).toISOString(),
    by: q.by,
    type: q.type ?? null,
    rows,
    total: {
      cost: Decimal.sum(rows.map((r) => Decimal.parse(r.cost))).toString(),
      calls: rows.reduce((n, r) => n + r.calls, 0),
      unlinked_cost: Decimal.sum(rows.map((r) => Decimal.parse(r.unlinked_cost))).toString(),
      unpriced_calls: rows.reduce((n, r) => n + r.unpriced_calls, 0),
    },
    outcomes_without_calls: sums.outcomes_without_calls,
  };
}
