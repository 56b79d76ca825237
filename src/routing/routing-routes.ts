/**
 * GET and PUT /api/routing/rules: the routing rules, pools, fallback chains and retry policy in
 * force, and their replacement (admin token only: rules decide where every call and its key go).
 */
import { z } from 'zod';
import { ApiError } from '../http/api-error.js';
import type { ApiRouter } from '../http/api-router.js';
import { RoutingSectionSchema } from './routing-schema.js';
import type { RoutingService } from './routing-service.js';

const TAG = 'Routing';

const CandidateSchema = z.object({ provider: z.string(), model: z.string(), cost: z.string().nullable().describe('USD for the pool reference call, exact'), excluded: z.string().optional().describe('why it cannot serve the rule') });

export const RoutingRulesViewSchema = z.object({
  source: z.enum(['config', 'api']).describe('config: the config file routing: section; api: set by PUT (kept in <data>/routing-rules.json)'),
  routing: RoutingSectionSchema,
  cheapest_capable: z.array(z.object({ rule: z.string(), pool: z.string(), chosen: z.object({ provider: z.string(), model: z.string() }).nullable(), candidates: z.array(CandidateSchema) })).describe('what each cheapest_capable rule picks with the price book in force'),
});

export interface RoutingRoutesDeps {
  routing: RoutingService;
}

export function registerRoutingRoutes(api: ApiRouter, deps: RoutingRoutesDeps): void {
  const view = () => {
    const t = deps.routing.table();
    return { source: deps.routing.source, routing: t.section, cheapest_capable: t.explain() };
  };
  api.add({
    method: 'GET',
    path: '/api/routing/rules',
    summary: 'Routing rules, model pools, fallback chains and the retry policy in force',
    tag: TAG,
    access: 'admin',
    response: RoutingRulesViewSchema,
    handler: () => ({ body: view() }),
  });
  api.add({
    method: 'PUT',
    path: '/api/routing/rules',
    summary: 'Replace the routing rules, pools, fallbacks and retry policy (validated and compiled first; a bad set changes nothing)',
    tag: TAG,
    access: 'admin',
    body: RoutingSectionSchema,
    response: RoutingRulesViewSchema,
    handler: (req) => {
      try {
        deps.routing.replace(req.body);
      } catch (e) {
        throw ApiError.badRequest((e as Error).message);
      }
      return { body: view() };
    },
  });
}
