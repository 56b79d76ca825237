/**
 * Agent runs rolled up into cost per run and cost per successful run (the store groups calls into
 * runs and adds their money exactly: src/store/agent-runs-query.ts; the ratios are computed here
 * once, with exact division).
 *
 * cost_per_run = cost / runs: every call of an agent belongs to a run, so nothing is left over.
 * cost_per_successful_run = (cost − unlinked_cost) / successful_runs, where unlinked_cost is the
 * cost of runs with no outcome: a failed run's cost counts (it is what a success really costs),
 * a run nobody reported on is shown apart, never spread — the rule of unit-economics.ts.
 */
import { Decimal } from '../pricing/decimal.js';
import type { AgentRunsPage, AgentRunsQuery, AgentRunsWindow, AgentSumsRow } from '../store/agent-runs-query.js';
import type { Store } from '../store/store.js';
import { MONEY_PLACES, RATE_PLACES, ratioText } from './decimal-ratio.js';

export interface AgentRow extends AgentSumsRow {
  /** successful_runs / (successful_runs + failed_runs), 6 places; null when no run has an outcome. */
  success_rate: string | null;
  cost_per_run: string | null;
  cost_per_successful_run: string | null;
}

export interface AgentsReport {
  from: string;
  to: string;
  type: string | null;
  agents: AgentRow[];
  total: { runs: number; successful_runs: number; calls: number; cost: string; unlinked_cost: string; unpriced_calls: number };
}

export interface AgentRunsReport extends AgentRunsPage {
  from: string;
  to: string;
}

export function agentRow(s: AgentSumsRow): AgentRow {
  const cost = Decimal.parse(s.cost);
  const linked = cost.sub(Decimal.parse(s.unlinked_cost));
  return {
    ...s,
    success_rate: ratioText(Decimal.fromInt(s.successful_runs), Decimal.fromInt(s.successful_runs + s.failed_runs), RATE_PLACES),
    cost_per_run: ratioText(cost, Decimal.fromInt(s.runs), MONEY_PLACES),
    cost_per_successful_run: ratioText(linked, Decimal.fromInt(s.successful_runs), MONEY_PLACES),
  };
}

export async function buildAgentsReport(store: Store, q: AgentRunsWindow): Promise<AgentsReport> {
  const agents = (await store.economics.getAgentSums(q)).map(agentRow);
  // Costliest first, as in every economics report: where the money goes is what a reader looks for.
  agents.sort((a, b) => Decimal.parse(b.cost).cmp(Decimal.parse(a.cost)) || a.agent.localeCompare(b.agent));
  return {
    from: new Date(q.from).toISOString(),
    to: new Date(q.to).toISOString(),
    type: q.type ?? null,
    agents,
    total: {
      runs: agents.reduce((n, a) => n + a.runs, 0),
      successful_runs: agents.reduce((n, a) => n + a.successful_runs, 0),
      calls: agents.reduce((n, a) => n + a.calls, 0),
      cost: Decimal.sum(agents.map((a) => Decimal.parse(a.cost))).toString(),
      unlinked_cost: Decimal.sum(agents.map((a) => Decimal.parse(a.unlinked_cost))).toString(),
      unpriced_calls: agents.reduce((n, a) => n + a.unpriced_calls, 0),
    },
  };
}

export async function buildAgentRuns(store: Store, q: AgentRunsQuery): Promise<AgentRunsReport> {
  const page = await store.economics.listAgentRuns(q);
  return { from: new Date(q.from).toISOString(), to: new Date(q.to).toISOString(), ...page };
}
