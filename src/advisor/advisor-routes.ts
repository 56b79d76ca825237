/**
 * The advisor API: `GET /api/advice` (stacked savings with evidence) and `GET /api/whatif`
 * (the window re-priced under named changes). Both read the ledger through the store's scan and
 * price with the book in force; a scoped token sees only the calls inside its scope.
 */
import type { z, ZodType } from 'zod';
import { ApiError } from '../http/api-error.js';
import type { ApiRouter } from '../http/api-router.js';
import type { Principal } from '../http/principal.js';
import type { PriceBookSource } from '../pricing/current-price-book.js';
import type { DimensionFilters, Store } from '../store/store.js';
import { ADVISOR_FILTERS, AdviceQuerySchema, AdviceReportSchema, ChangeCheckQuerySchema, ChangeCheckReportSchema, MOVE_PATTERN, WhatIfQuerySchema, WhatIfReportSchema } from './advisor-api-schemas.js';
import { attachQualityEvidence } from './quality-evidence.js';
import { attachReplayEvidence } from './replay-evidence.js';
import { captureRepositoryFor } from '../capture/capture-store.js';
import { buildAdvice } from './recommendations.js';
import { ChangeSyntaxError, parseChange } from './what-if-changes.js';
import { simulateWhatIf, WhatIfError } from './what-if.js';

function parseQuery<S extends ZodType>(schema: S, query: URLSearchParams, own: readonly string[], multi: readonly string[] = []): z.output<S> {
  const raw: Record<string, unknown> = {};
  for (const k of own) {
    if (multi.includes(k)) raw[k] = query.getAll(k);
    else if (query.has(k)) raw[k] = query.get(k);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw ApiError.badRequest(`${issue.path.join('.') || 'query'}: ${issue.message}`);
  }
  return parsed.data;
}

/** Dimension filters from the query string, with the token's scope forced on top (a conflict is a 403). */
function filtersOf(query: URLSearchParams, own: readonly string[], principal: Principal): DimensionFilters {
  const filters: DimensionFilters = {};
  for (const [k, v] of query) {
    if (own.includes(k)) continue;
    if (!(ADVISOR_FILTERS as readonly string[]).includes(k)) throw ApiError.badRequest(`${k}: unknown query parameter (filters: ${ADVISOR_FILTERS.join(', ')})`);
    filters[k] = v === '' ? null : v;
  }
  for (const [k, v] of Object.entries(principal.scope)) {
    if (k in filters && filters[k] !== v) throw ApiError.forbidden(`${k}: this token is scoped to ${k}=${v}`);
    filters[k] = v;
  }
  return filters;
}

const FILTER_DOC = { '<dimension>': `equality filter: ${ADVISOR_FILTERS.join(', ')} (empty matches absent)` };

/** What the advisor routes need from the process: the ledger and the price book in force. */
export interface AdvisorRoutesDeps {
  store: Store;
  prices: PriceBookSource;
}

export function registerAdvisorRoutes(api: ApiRouter, ctx: AdvisorRoutesDeps): void {
  const ADVICE_PARAMS = ['from', 'to', 'min_calls'] as const;
  api.add({
    method: 'GET',
    path: '/api/advice',
    summary: 'What to change to spend less: response cache, paid retries, model fit, prompt bloat, prompt caching, batch and output-limit findings, each with evidence and exact stacked savings',
    tag: 'Advisor',
    access: 'read',
    response: AdviceReportSchema,
    queryParams: { from: 'inclusive start, ISO 8601 (required)', to: 'exclusive end, ISO 8601 (required)', min_calls: 'smallest group judged (default 10)', ...FILTER_DOC },
    handler: async (req) => {
      const q = parseQuery(AdviceQuerySchema, req.query, ADVICE_PARAMS);
      const filters = filtersOf(req.query, ADVICE_PARAMS, req.principal);
      const book = ctx.prices.current();
      const report = await buildAdvice({ from: q.from, to: q.to, book, records: ctx.store.scanRecords({ from: q.from, to: q.to, filters }), ...(q.min_calls ? { options: { minCalls: q.min_calls } } : {}) });
      await attachQualityEvidence(report, ctx.store, book, filters);
      await attachReplayEvidence(report, captureRepositoryFor(ctx.store), book);
      return { body: report };
    },
  });

  api.add({
    method: 'GET',
    path: '/api/whatif/changes',
    summary: 'Checks what-if changes with the parser /api/whatif and `costrail whatif --change` use, without re-pricing anything: each change parsed or the part that did not parse',
    tag: 'Advisor',
    access: 'read',
    response: ChangeCheckReportSchema,
    queryParams: { change: 'a change in the what-if grammar (repeatable, up to 20)' },
    handler: (req) => {
      for (const k of req.query.keys()) if (k !== 'change') throw ApiError.badRequest(`${k}: unknown query parameter (only change)`);
      const q = parseQuery(ChangeCheckQuerySchema, req.query, ['change'], ['change']);
      const changes = q.change.map((change) => {
        try {
          return { change, ok: true, error: null, text: parseChange(change).text };
        } catch (e) {
          if (e instanceof ChangeSyntaxError) return { change, ok: false, error: e.message, text: null };
          throw e;
        }
      });
      return { body: { valid: changes.every((c) => c.ok), changes } };
    },
  });

  const WHAT_IF_PARAMS = ['from', 'to', 'change', 'move', 'batch', 'cache_hit'] as const;
  api.add({
    method: 'GET',
    path: '/api/whatif',
    summary: 'The window\'s actual calls re-priced exactly under changes: a feature moved to another model, the batch API, a prompt-cache hit rate',
    tag: 'Advisor',
    access: 'read',
    response: WhatIfReportSchema,
    queryParams: {
      from: 'inclusive start, ISO 8601 (required)',
      to: 'exclusive end, ISO 8601 (required)',
      change: 'a change in the what-if grammar, applied in order (repeatable): model:A->B [where FIELD=VALUE], batch [where …], cache prefix [hit=SHARE] [where …], price [FIELD=VALUE] ±N%',
      move: 'feature=FEATURE:model=MODEL (repeatable)',
      batch: 'true: every call through the batch API',
      cache_hit: 'share of calls reading their stable prefix from a prompt cache, 0..1',
      ...FILTER_DOC,
    },
    handler: async (req) => {
      const q = parseQuery(WhatIfQuerySchema, req.query, WHAT_IF_PARAMS, ['move', 'change']);
      const filters = filtersOf(req.query, WHAT_IF_PARAMS, req.principal);
      const moves = q.move.map((m) => {
        const [, feature, model] = MOVE_PATTERN.exec(m)!;
        return { feature: feature!, model: model! };
      });
      const steps = q.change.map((c) => {
        try {
          return parseChange(c);
        } catch (e) {
          if (e instanceof ChangeSyntaxError) throw ApiError.badRequest(e.message);
          throw e;
        }
      });
      try {
        const report = await simulateWhatIf({
          from: q.from,
          to: q.to,
          book: ctx.prices.current(),
          records: ctx.store.scanRecords({ from: q.from, to: q.to, filters }),
          changes: { moves, steps, batch: q.batch === 'true', ...(q.cache_hit !== undefined ? { cache_hit: q.cache_hit } : {}) },
        });
        return { body: report };
      } catch (e) {
        if (e instanceof WhatIfError) throw ApiError.badRequest(e.message);
        throw e;
      }
    },
  });
}
