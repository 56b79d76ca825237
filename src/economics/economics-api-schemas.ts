/**
 * Response schemas of the economics API, for the OpenAPI document and docs/http-api.md (not
 * validated at run time; test/economics/economics-api.test.ts checks real bodies against them).
 */
import { z } from 'zod';

const money = z.string().describe('exact decimal string, USD');
const ratio = z.string().nullable();

const unitRow = z.object({
  key: z.string().nullable(),
  cost: money,
  calls: z.number(),
  outcomes: z.number(),
  successful_outcomes: z.number(),
  success_rate: ratio.describe('successful / outcomes, 6 places; null without outcomes'),
  cost_per_outcome: money.nullable().describe('(cost − unlinked_cost) / outcomes'),
  cost_per_successful_outcome: money.nullable().describe('(cost − unlinked_cost) / successful outcomes'),
  unlinked_cost: money.describe('cost of calls that belong to no outcome: shown, never spread'),
  unlinked_calls: z.number(),
  unpriced_calls: z.number(),
});

export const UnitEconomicsSchema = z.object({
  from: z.string(),
  to: z.string(),
  by: z.string(),
  type: z.string().nullable(),
  rows: z.array(unitRow),
  total: z.object({ cost: money, calls: z.number(), unlinked_cost: money, unpriced_calls: z.number() }),
  outcomes_without_calls: z.object({ outcomes: z.number(), successful_outcomes: z.number() }),
});

export const MarginSchema = z.object({
  from: z.string(),
  to: z.string(),
  currency: z.literal('USD'),
  rates: z.record(z.string(), z.string()),
  alert_share: z.string().nullable(),
  rows: z.array(
    z.object({
      customer: z.string(),
      revenue: money,
      ai_cost: money,
      gross_margin: money,
      margin_pct: ratio,
      ai_cost_share: ratio,
      has_revenue: z.boolean(),
      revenue_by_currency: z.record(z.string(), z.string()),
      unpriced_calls: z.number(),
      over_threshold: z.boolean(),
    }),
  ),
  total: z.object({ revenue: money, ai_cost: money, gross_margin: money }),
  unattributed_cost: money,
});

export const ComparisonSchema = z.object({
  feature: z.string(),
  by: z.string(),
  from: z.string(),
  to: z.string(),
  type: z.string().nullable(),
  test: z.string(),
  baseline: z.string().nullable(),
  variants: z.array(
    unitRow.extend({
      variant: z.string().nullable(),
      success_rate_ci: z.tuple([z.number(), z.number()]).nullable().describe('95% Wilson score interval'),
      vs_baseline: z.object({ difference: z.number(), z: z.number(), p_value: z.number(), significant: z.boolean() }).nullable(),
    }),
  ),
});

export const OutcomeDriftSchema = z.object({
  current: z.object({ from: z.string(), to: z.string() }),
  baseline: z.object({ from: z.string(), to: z.string() }),
  threshold: z.string(),
  min_successes: z.number(),
  features: z.array(
    z.object({
      feature: z.string().nullable(),
      status: z.enum(['drifting', 'stable', 'improved', 'insufficient']),
      baseline_cost_per_successful_outcome: money.nullable(),
      current_cost_per_successful_outcome: money.nullable(),
      change: ratio,
      spend_change_per_day: ratio,
      baseline_success_rate: ratio,
      current_success_rate: ratio,
      baseline_successful_outcomes: z.number(),
      current_successful_outcomes: z.number(),
    }),
  ),
});

const runStatus = z.enum(['successful', 'failed', 'unknown']).describe('successful: an outcome linked to the run succeeded; failed: all its outcomes failed; unknown: no outcome');

export const AgentsSchema = z.object({
  from: z.string(),
  to: z.string(),
  type: z.string().nullable(),
  agents: z.array(
    z.object({
      agent: z.string(),
      runs: z.number(),
      successful_runs: z.number(),
      failed_runs: z.number(),
      unknown_runs: z.number(),
      calls: z.number(),
      cost: money,
      unlinked_cost: money.describe('cost of the runs with no outcome: shown, never spread'),
      unpriced_calls: z.number(),
      error_calls: z.number(),
      blocked_calls: z.number(),
      success_rate: ratio.describe('successful / (successful + failed) runs, 6 places; null when no run has an outcome'),
      cost_per_run: money.nullable().describe('cost / runs'),
      cost_per_successful_run: money.nullable().describe('(cost − unlinked_cost) / successful runs'),
    }),
  ),
  total: z.object({ runs: z.number(), successful_runs: z.number(), calls: z.number(), cost: money, unlinked_cost: money, unpriced_calls: z.number() }),
});

export const AgentRunsSchema = z.object({
  from: z.string(),
  to: z.string(),
  runs: z.array(
    z.object({
      agent: z.string(),
      trace_id: z.string().nullable().describe('null: a call with an agent and no trace, a run of its own'),
      call_id: z.string().nullable().describe('the run\'s only call when it has no trace'),
      started_at: z.string(),
      ended_at: z.string(),
      calls: z.number(),
      cost: money,
      unpriced_calls: z.number(),
      error_calls: z.number(),
      blocked_calls: z.number(),
      outcomes: z.number(),
      successful_outcomes: z.number(),
      status: runStatus,
    }),
  ),
  next_cursor: z.string().nullable(),
});
