/**
 * `GET /api/overview`: the dashboard overview in one request and, on the embedded store, one
 * grouping-sets query (issue 15: the page asked seven `/api/spend` queries, 10 s at 10M records).
 * The caller's calendar decides the chart's and the top lists' starts (the browser knows its
 * midnight); the server derives the burn-rate windows from `at`. Every part is exactly the
 * `/api/spend` answer it replaces, rows flattened the same way.
 */
import { z } from 'zod';
import { ApiError } from '../http/api-error.js';
import type { ApiRouter } from '../http/api-router.js';
import { isSpendDimension, SPEND_COLUMNS, StoreQueryError, type OverviewQuery, type Store } from '../store/store.js';
import { SpendResponseSchema } from './ledger-api-schemas.js';
import { flattenSpend } from './ledger-routes.js';
import { spendQueryOf } from './ledger-query-params.js';

const HOUR_MS = 3_600_000;
const WEEK_MS = 7 * 24 * HOUR_MS;
const instant = z.iso.datetime({ offset: true });
const dimensionList = z
  .string()
  .transform((s) => s.split(',').map((d) => d.trim()).filter(Boolean))
  .refine((ds) => ds.length > 0 && ds.length <= 8 && ds.every(isSpendDimension), 'a comma list of 1 to 8 dimensions (team, feature, model, tag:NAME, …)');

const OverviewParams = z
  .object({
    at: instant.optional(),
    tz: z.string().max(64).optional(),
    stack_by: z.string().refine(isSpendDimension, 'a dimension (provider, model, team, tag:NAME, …)').default('provider'),
    chart_from: instant,
    month_from: instant,
    top_by: dimensionList.default(['team', 'feature', 'customer', 'model']),
    last_month_from: instant.optional(),
    last_month_to: instant.optional(),
  })
  .strict()
  .refine((p) => (p.last_month_from === undefined) === (p.last_month_to === undefined), { message: 'give both last_month_from and last_month_to, or neither', path: ['last_month_to'] });

const total = SpendResponseSchema.shape.total;
export const OverviewResponseSchema = z.object({
  daily: SpendResponseSchema.describe('spend per day (in tz) from chart_from, grouped by stack_by'),
  top: z.record(z.string(), SpendResponseSchema).describe('one entry per top_by dimension: spend since month_from by that dimension'),
  windows: z
    .object({ last_hour: total, same_hour_last_week: total, same_days_last_month: total.optional() })
    .describe('totals: the hour before at, the same hour a week earlier, and last_month_from → last_month_to when given'),
});

const PARAM_NAMES = Object.keys(OverviewParams.shape);
const FILTER_DOC = 'equality filter as on /api/spend; empty value matches calls without it';
const FILTERS = Object.fromEntries([...SPEND_COLUMNS.map((c) => [c, FILTER_DOC]), ['tag:NAME', `tag ${FILTER_DOC}`]]);

export function registerOverviewRoute(api: ApiRouter, ctx: { store: Store }): void {
  api.add({
    method: 'GET',
    path: '/api/overview',
    summary: 'The dashboard overview in one query: daily spend by provider or model, top lists and burn-rate totals (limited to the token scope)',
    tag: 'Ledger',
    access: 'read',
    queryParams: {
      chart_from: 'ISO 8601 start of the daily chart (required)',
      month_from: 'ISO 8601 start of the top lists, usually the month start (required)',
      at: 'ISO 8601 "now" for the burn-rate windows (default: the server clock)',
      tz: 'IANA time zone of the chart days (default UTC)',
      stack_by: 'dimension the chart is grouped by (default provider)',
      top_by: 'comma list of top-list dimensions (default team,feature,customer,model)',
      last_month_from: 'ISO 8601 start of the "same days last month" total (with last_month_to)',
      last_month_to: 'ISO 8601 end of the "same days last month" total',
      ...FILTERS,
    },
    response: OverviewResponseSchema,
    handler: async (req) => {
      const own = Object.fromEntries([...req.query].filter(([k]) => PARAM_NAMES.includes(k) || !isSpendDimension(k)));
      const filterParams = new URLSearchParams([...req.query].filter(([k]) => !PARAM_NAMES.includes(k) && isSpendDimension(k)));
      const parsed = OverviewParams.safeParse(own);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw ApiError.badRequest(`${issue?.path.join('.') || 'query'}: ${issue?.message ?? 'invalid'}`);
      }
      const p = parsed.data;
      // The same filter rules as /api/spend: repeated or scoped-away dimensions are refused.
      const { filters } = spendQueryOf(filterParams, req.principal);
      const at = p.at === undefined ? Date.now() : Date.parse(p.at);
      const iso = (ms: number): string => new Date(ms).toISOString();
      const q: OverviewQuery = {
        filters,
        stack_by: p.stack_by,
        chart_from: p.chart_from,
        top_from: p.month_from,
        top_by: p.top_by,
        windows: {
          last_hour: { from: iso(at - HOUR_MS), to: iso(at) },
          same_hour_last_week: { from: iso(at - WEEK_MS - HOUR_MS), to: iso(at - WEEK_MS) },
          ...(p.last_month_from !== undefined && p.last_month_to !== undefined ? { same_days_last_month: { from: p.last_month_from, to: p.last_month_to } } : {}),
        },
        ...(p.tz === undefined ? {} : { tz: p.tz }),
      };
      try {
        const o = await ctx.store.getOverview(q);
        return { body: { daily: flattenSpend(o.daily), top: Object.fromEntries(Object.entries(o.top).map(([d, r]) => [d, flattenSpend(r)])), windows: o.windows } };
      } catch (e) {
        if (e instanceof StoreQueryError) throw ApiError.badRequest(e.message);
        throw e;
      }
    },
  });
}
