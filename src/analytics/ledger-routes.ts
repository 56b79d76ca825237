/**
 * `GET /api/events` and `GET /api/spend` (PRODUCT.md "Management API essentials"). Spend rows are
 * flattened for the API: the group-by values sit beside the sums (`{ period, team, model, cost, … }`).
 */
import { ApiError } from '../http/api-error.js';
import type { ApiRouter } from '../http/api-router.js';
import type { Store } from '../store/store.js';
import { SPEND_COLUMNS } from '../attribution/spend-dimension.js';
import { StoreQueryError, type SpendResult } from '../store/store.js';
import { eventsQueryOf, spendQueryOf } from './ledger-query-params.js';
import { EventsPageSchema, SpendResponseSchema } from './ledger-api-schemas.js';
import { registerOverviewRoute } from './overview-routes.js';

/** What these routes need from the process (the server's RuntimeContext satisfies it). */
export interface LedgerRoutesDeps {
  store: Store;
}

const FILTER_DOC = 'equality filter; empty value matches calls without it';
const FILTERS = Object.fromEntries([...SPEND_COLUMNS.map((c) => [c, FILTER_DOC]), ['tag:NAME', `tag ${FILTER_DOC}`]]);

export type FlatSpendRow = Record<string, string | number | null>;

export function flattenSpend(result: SpendResult): { rows: FlatSpendRow[]; total: SpendResult['total'] } {
  return {
    rows: result.rows.map((r) => ({
      period: r.period,
      ...r.groups,
      cost: r.cost,
      requests: r.requests,
      input_tokens: r.input_tokens,
      output_tokens: r.output_tokens,
      cache_read_tokens: r.cache_read_tokens,
      cache_write_tokens: r.cache_write_tokens,
      reasoning_tokens: r.reasoning_tokens,
      unpriced_requests: r.unpriced_requests,
      ...(r.saved === undefined ? {} : { saved: r.saved }),
    })),
    total: result.total,
  };
}

/** Store query errors are the caller's mistake: 400 with the store's message (it names the field). */
async function asApi<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof StoreQueryError) throw ApiError.badRequest(e.message);
    throw e;
  }
}

export function registerLedgerRoutes(api: ApiRouter, ctx: LedgerRoutesDeps): void {
  api.add({
    method: 'GET',
    path: '/api/events',
    summary: 'Ledger records, newest first, keyset-paged (limited to the token scope)',
    tag: 'Ledger',
    access: 'read',
    queryParams: { from: 'inclusive ISO 8601 start', to: 'exclusive ISO 8601 end', limit: 'page size 1..1000 (default 100)', cursor: 'next_cursor of the previous page', ...FILTERS },
    response: EventsPageSchema,
    handler: async (req) => ({ body: await asApi(() => ctx.store.getEvents(eventsQueryOf(req.query, req.principal))) }),
  });
  api.add({
    method: 'GET',
    path: '/api/spend',
    summary: 'Spend and usage grouped by any dimensions and bucketed in a time zone (limited to the token scope)',
    tag: 'Ledger',
    access: 'read',
    queryParams: {
      from: 'inclusive ISO 8601 start',
      to: 'exclusive ISO 8601 end',
      group_by: 'comma list of dimensions: attribution fields, provider, model, api, status, key_id, tag:NAME, …',
      granularity: 'minute | hour | day | week | month | none (default none)',
      tz: 'IANA time zone for buckets (default UTC; weeks start Monday)',
      ...FILTERS,
    },
    response: SpendResponseSchema,
    handler: async (req) => ({ body: flattenSpend(await asApi(() => ctx.store.getSpend({ ...spendQueryOf(req.query, req.principal), with_saved: true }))) }),
  });
  registerOverviewRoute(api, ctx);
}
