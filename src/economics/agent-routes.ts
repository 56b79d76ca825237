/**
 * `GET /api/agents` (per agent: runs, successful runs, cost per run and per successful run) and
 * `GET /api/agents/runs` (the runs themselves, newest first, keyset-paged). A scoped token's scope
 * is forced onto the ledger filters, as for every economics read: a team token sees its own
 * team's calls only, and asking for another team is a 403.
 */
import { asBadRequest } from '../analytics/as-bad-request.js';
import { ApiError } from '../http/api-error.js';
import type { ApiRouter } from '../http/api-router.js';
import { AGENT_RUN_STATUSES, MAX_RUNS_LIMIT, type AgentRunStatus } from '../store/agent-runs-query.js';
import { UNIT_ECONOMICS_DIMENSIONS } from '../store/economics-types.js';
import type { Store } from '../store/store.js';
import { buildAgentRuns, buildAgentsReport } from './agent-runs.js';
import { AgentRunsSchema, AgentsSchema } from './economics-api-schemas.js';
import { filtersOf, window } from './economics-query-params.js';

const FILTER_DOC = `equality filter on a ledger column (${UNIT_ECONOMICS_DIMENSIONS.filter((d) => d !== 'agent').join(', ')}); empty matches absent`;

/** `agent=` names one agent; an empty value would ask for calls without an agent, which are no run. */
function agentParam(query: URLSearchParams): void {
  if (query.get('agent') === '') throw ApiError.badRequest('agent: give an agent name (runs are calls made with x-costrail-agent)');
}

export function registerAgentRoutes(api: ApiRouter, ctx: { store: Store }): void {
  api.add({
    method: 'GET',
    path: '/api/agents',
    summary: 'Per agent: runs (an agent\'s calls in one trace) by outcome status, cost, cost per run and per successful run, and the cost of runs with no outcome',
    tag: 'Economics',
    access: 'read',
    response: AgentsSchema,
    queryParams: {
      from: 'inclusive start, ISO 8601 (required)',
      to: 'exclusive end, ISO 8601 (required)',
      agent: 'only this agent',
      type: 'only outcomes of this type decide a run\'s status',
      '<dimension>': FILTER_DOC,
    },
    handler: async (req) => {
      agentParam(req.query);
      const type = req.query.get('type') || undefined;
      const filters = filtersOf(req.query, ['from', 'to', 'type'], req.principal);
      return { body: await asBadRequest(() => buildAgentsReport(ctx.store, { ...window(req.query), ...(type ? { type } : {}), filters })) };
    },
  });

  api.add({
    method: 'GET',
    path: '/api/agents/runs',
    summary: 'Agent runs, newest first: agent, trace, start and end, calls, exact cost, outcome status, error and blocked calls',
    tag: 'Economics',
    access: 'read',
    response: AgentRunsSchema,
    queryParams: {
      from: 'inclusive start, ISO 8601 (required)',
      to: 'exclusive end, ISO 8601 (required)',
      agent: 'only this agent',
      status: `${AGENT_RUN_STATUSES.join(' | ')}`,
      type: 'only outcomes of this type decide a run\'s status',
      limit: `page size 1..${MAX_RUNS_LIMIT} (default 100)`,
      cursor: 'next_cursor of the previous page',
      '<dimension>': FILTER_DOC,
    },
    handler: async (req) => {
      const q = req.query;
      agentParam(q);
      const status = q.get('status');
      if (status !== null && !(AGENT_RUN_STATUSES as readonly string[]).includes(status)) throw ApiError.badRequest(`status: must be one of ${AGENT_RUN_STATUSES.join(', ')}, not "${status}"`);
      const limit = q.get('limit');
      if (limit !== null && !/^\d{1,4}$/.test(limit)) throw ApiError.badRequest(`limit: not a whole number from 1 to ${MAX_RUNS_LIMIT}: "${limit}"`);
      const cursor = q.get('cursor') || undefined;
      const type = q.get('type') || undefined;
      const filters = filtersOf(q, ['from', 'to', 'type', 'status', 'limit', 'cursor'], req.principal);
      const report = await asBadRequest(() =>
        buildAgentRuns(ctx.store, {
          ...window(q),
          filters,
          ...(type ? { type } : {}),
          ...(status ? { status: status as AgentRunStatus } : {}),
          ...(limit !== null ? { limit: Number(limit) } : {}),
          ...(cursor ? { cursor } : {}),
        }),
      );
      return { body: report };
    },
  });
}
