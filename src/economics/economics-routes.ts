/**
 * The economics API: outcomes and revenue in, unit economics, customer margin and the A/B
 * comparison out.
 *
 * Scoped tokens: a team token may write outcomes for its own team only (the scope is stamped on
 * each outcome, and an outcome naming another value is a 403), and reads unit economics and
 * comparisons of its own calls only. Revenue and margins cover every customer: admin only.
 */
import { z } from 'zod';
import { asBadRequest } from '../analytics/as-bad-request.js';
import { ApiError } from '../http/api-error.js';
import type { ApiRouter } from '../http/api-router.js';
import type { Principal } from '../http/principal.js';
import type { Store } from '../store/store.js';
import { UNIT_ECONOMICS_DIMENSIONS, type UnitEconomicsDimension } from '../store/economics-types.js';
import { buildComparison, COMPARE_DIMENSIONS, type CompareDimension } from './comparison.js';
import { buildMargin, parseRates } from './customer-margin.js';
import { outcomeBatchSchema, revenueBatchSchema, toOutcomeRecord, type OutcomeInput } from './outcome-input.js';
import { ComparisonSchema, MarginSchema, OutcomeDriftSchema, UnitEconomicsSchema } from './economics-api-schemas.js';
import { buildOutcomeDrift } from './outcome-drift.js';
import { buildRebilling, rateCardSchema, rebillingCsv } from './rebilling.js';
import { buildUnitEconomics } from './unit-economics.js';
import { filtersOf, window } from './economics-query-params.js';
import { registerAgentRoutes } from './agent-routes.js';

/** Fields an outcome carries that a token's scope can pin. */
const OUTCOME_SCOPE_FIELDS = ['team', 'feature', 'customer'] as const;

/** Stamps a scoped token's scope on each outcome; refuses outcomes outside it. */
export function scopeOutcomes(outcomes: readonly OutcomeInput[], principal: Principal): OutcomeInput[] {
  const scope = Object.entries(principal.scope);
  for (const [k] of scope) {
    if (!(OUTCOME_SCOPE_FIELDS as readonly string[]).includes(k)) throw ApiError.forbidden(`this token is scoped to ${k}, which outcomes do not carry (${OUTCOME_SCOPE_FIELDS.join(', ')}): use a token scoped to a team`);
  }
  return outcomes.map((o, i) => {
    const out = { ...o };
    for (const [k, v] of scope) {
      const field = k as (typeof OUTCOME_SCOPE_FIELDS)[number];
      if (out[field] !== undefined && out[field] !== v) throw ApiError.forbidden(`outcomes.${i}.${field}: this token is scoped to ${k}=${v}`);
      out[field] = v;
    }
    return out;
  });
}

/** What the routes use of the runtime. */
export interface EconomicsRoutesDeps {
  store: Store;
}

export function registerEconomicsRoutes(api: ApiRouter, ctx: EconomicsRoutesDeps): void {
  api.add({
    method: 'POST',
    path: '/api/outcomes',
    summary: 'Record business outcomes (up to 1,000 per request), idempotent by id; calls link through trace_id or call_ids at query time',
    tag: 'Economics',
    access: 'read',
    body: outcomeBatchSchema,
    response: z.object({ received: z.number(), inserted: z.number(), duplicates: z.number() }),
    handler: async (req) => {
      const outcomes = scopeOutcomes(req.body.outcomes, req.principal).map(toOutcomeRecord);
      const { inserted } = await ctx.store.economics.insertOutcomes(outcomes);
      return { body: { received: outcomes.length, inserted, duplicates: outcomes.length - inserted } };
    },
  });

  api.add({
    method: 'POST',
    path: '/api/revenue',
    summary: 'Record customer revenue per period (up to 1,000 entries); a re-sent (customer, period, currency) replaces its amount',
    tag: 'Economics',
    access: 'admin',
    body: revenueBatchSchema,
    response: z.object({ received: z.number(), written: z.number() }),
    handler: async (req) => {
      const { inserted } = await ctx.store.economics.upsertRevenue(req.body.entries);
      return { body: { received: req.body.entries.length, written: inserted } };
    },
  });

  api.add({
    method: 'GET',
    path: '/api/economics/unit-economics',
    summary: 'Cost per outcome and per successful outcome, success rate and unlinked cost, grouped by one dimension',
    tag: 'Economics',
    access: 'read',
    response: UnitEconomicsSchema,
    queryParams: {
      from: 'inclusive start, ISO 8601 (required)',
      to: 'exclusive end, ISO 8601 (required)',
      by: `${UNIT_ECONOMICS_DIMENSIONS.join(' | ')} (default feature)`,
      type: 'only outcomes of this type',
      '<dimension>': 'equality filter on a ledger column (feature=support); empty matches absent',
    },
    handler: async (req) => {
      const by = req.query.get('by') ?? 'feature';
      if (!(UNIT_ECONOMICS_DIMENSIONS as readonly string[]).includes(by)) throw ApiError.badRequest(`by: must be one of ${UNIT_ECONOMICS_DIMENSIONS.join(', ')}, not "${by}"`);
      const type = req.query.get('type') ?? undefined;
      const filters = filtersOf(req.query, ['from', 'to', 'by', 'type'], req.principal);
      const report = await asBadRequest(() => buildUnitEconomics(ctx.store, { ...window(req.query), by: by as UnitEconomicsDimension, ...(type ? { type } : {}), filters }));
      return { body: report };
    },
  });

  api.add({
    method: 'GET',
    path: '/api/economics/margin',
    summary: 'Per-customer revenue, AI cost, gross margin and margin %, including customers with AI cost and no revenue',
    tag: 'Economics',
    access: 'admin',
    response: MarginSchema,
    queryParams: {
      from: 'inclusive start, ISO 8601 (required)',
      to: 'exclusive end, ISO 8601 (required)',
      rates: 'conversion to USD for revenue in other currencies, e.g. EUR=1.08,GBP=1.27 (USD per unit); required when such revenue exists',
      alert_share: 'flag customers whose AI cost exceeds this share of revenue, e.g. 0.3',
    },
    handler: async (req) => {
      const rates = req.query.get('rates');
      const share = req.query.get('alert_share');
      const report = await asBadRequest(async () => buildMargin(ctx.store, { ...window(req.query), ...(rates ? { rates: parseRates(rates) } : {}), ...(share ? { alert_share: share } : {}) }));
      return { body: report };
    },
  });

  api.add({
    method: 'GET',
    path: '/api/economics/compare',
    summary: 'A/B read-out for one feature by prompt_version or model: cost per outcome, success rate with 95% Wilson interval, two-proportion z-test against a baseline',
    tag: 'Economics',
    access: 'read',
    response: ComparisonSchema,
    queryParams: {
      feature: 'the feature (required)',
      by: 'prompt_version | model (default prompt_version)',
      from: 'inclusive start, ISO 8601 (required)',
      to: 'exclusive end, ISO 8601 (required)',
      type: 'only outcomes of this type',
      baseline: 'the variant others are tested against (default: the one with the most outcomes)',
    },
    handler: async (req) => {
      const feature = req.query.get('feature');
      if (!feature) throw ApiError.badRequest('feature is required');
      const scoped = req.principal.scope['feature'];
      if (scoped !== undefined && scoped !== feature) throw ApiError.forbidden(`feature: this token is scoped to feature=${scoped}`);
      const by = req.query.get('by') ?? 'prompt_version';
      if (!(COMPARE_DIMENSIONS as readonly string[]).includes(by)) throw ApiError.badRequest(`by: must be prompt_version or model, not "${by}"`);
      const type = req.query.get('type') ?? undefined;
      const baseline = req.query.get('baseline') ?? undefined;
      const filters = filtersOf(req.query, ['from', 'to', 'by', 'type', 'feature', 'baseline'], req.principal);
      const report = await asBadRequest(() => buildComparison(ctx.store, { ...window(req.query), feature, by: by as CompareDimension, ...(type ? { type } : {}), ...(baseline ? { baseline } : {}), filters }));
      return { body: report };
    },
  });

  api.add({
    method: 'POST',
    path: '/api/economics/rebilling',
    summary: 'Per-customer, per-model usage export for rebilling: cost plus a markup percentage, or a per-token rate card; JSON or CSV',
    tag: 'Economics',
    access: 'admin',
    body: z.strictObject({
      from: z.iso.datetime({ offset: true }),
      to: z.iso.datetime({ offset: true }),
      markup_pct: z.union([z.string(), z.number()]).transform(String).optional(),
      rate_card: rateCardSchema.optional(),
      format: z.enum(['json', 'csv']).optional(),
    }),
    handler: async (req) => {
      const b = req.body;
      if (Date.parse(b.to) <= Date.parse(b.from)) throw ApiError.badRequest('to must be after from');
      const out = await asBadRequest(() => buildRebilling(ctx.store, { from: b.from, to: b.to, ...(b.markup_pct !== undefined ? { markup_pct: b.markup_pct } : {}), ...(b.rate_card ? { rate_card: b.rate_card } : {}) }));
      if (b.format === 'csv') return { text: { contentType: 'text/csv; charset=utf-8', content: rebillingCsv(out), filename: 'rebilling.csv' } };
      return { body: out };
    },
  });

  api.add({
    method: 'GET',
    path: '/api/economics/outcome-drift',
    summary: 'Features whose cost per successful outcome rose against the window before (even with flat spend)',
    tag: 'Economics',
    access: 'read',
    response: OutcomeDriftSchema,
    queryParams: {
      at: 'end of the current window, ISO 8601 (default now)',
      window_days: 'current window length in days (default 7)',
      baseline_days: 'baseline window length, just before it (default 28)',
      threshold: 'relative rise that counts as drift (default 0.25 = +25%)',
      min_successes: 'successful outcomes each window needs (default 20)',
      type: 'only outcomes of this type',
    },
    handler: async (req) => {
      const q = req.query;
      const int = (k: string): number | undefined => {
        const v = q.get(k);
        if (v === null) return undefined;
        if (!/^\d+$/.test(v)) throw ApiError.badRequest(`${k}: not a whole number: "${v}"`);
        return Number(v);
      };
      const filters = filtersOf(q, ['at', 'window_days', 'baseline_days', 'threshold', 'min_successes', 'type'], req.principal);
      const opt = <K extends string>(k: K, v: string | number | undefined) => (v === undefined ? {} : { [k]: v });
      const report = await asBadRequest(() =>
        buildOutcomeDrift(ctx.store, {
          ...opt('at', q.get('at') ?? undefined),
          ...opt('window_days', int('window_days')),
          ...opt('baseline_days', int('baseline_days')),
          ...opt('threshold', q.get('threshold') ?? undefined),
          ...opt('min_successes', int('min_successes')),
          ...opt('type', q.get('type') ?? undefined),
          filters,
        }),
      );
      return { body: report };
    },
  });

  api.add({
    method: 'GET',
    path: '/api/outcomes',
    summary: 'The outcomes of one trace (naming it, or naming one of its calls), oldest first',
    tag: 'Economics',
    access: 'read',
    queryParams: { trace_id: 'the trace (required)', limit: 'at most this many, 1..1000 (default 100)' },
    handler: async (req) => {
      const traceId = req.query.get('trace_id');
      if (!traceId) throw ApiError.badRequest('trace_id is required');
      const limit = req.query.get('limit');
      if (limit !== null && !/^\d+$/.test(limit)) throw ApiError.badRequest(`limit: not a whole number: "${limit}"`);
      // A scoped token sees only outcomes stamped with its scope (outcomes carry team, feature, customer).
      const filters: Partial<Record<(typeof OUTCOME_SCOPE_FIELDS)[number], string>> = {};
      for (const [k, v] of Object.entries(req.principal.scope)) {
        if (!(OUTCOME_SCOPE_FIELDS as readonly string[]).includes(k)) throw ApiError.forbidden(`this token is scoped to ${k}, which outcomes do not carry`);
        filters[k as (typeof OUTCOME_SCOPE_FIELDS)[number]] = v;
      }
      const outcomes = await asBadRequest(() => ctx.store.economics.listOutcomes({ trace_id: traceId, filters, ...(limit !== null ? { limit: Number(limit) } : {}) }));
      return { body: { outcomes } };
    },
  });

  registerAgentRoutes(api, ctx);
}
