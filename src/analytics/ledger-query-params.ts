/**
 * Query strings of `GET /api/events` and `GET /api/spend` → store queries. Every dimension is a
 * filter parameter (`team=search`, `tag:experiment=b`); an empty value (`team=`) matches calls
 * where the dimension is absent. Unknown or repeated parameters are refused, never ignored: a
 * typo (`teem=search`) silently widening a cost report is worse than a 400.
 *
 * A scoped principal's scope is forced into the filters; asking for a different value of a scoped
 * dimension is a 403, so a team token can never read another team's calls.
 */
import { ApiError } from '../http/api-error.js';
import type { Principal } from '../http/principal.js';
import { isSpendDimension, SPEND_COLUMNS } from '../attribution/spend-dimension.js';
import type { DimensionFilters, EventsQuery, Granularity, SpendQuery } from '../store/store.js';

const EVENTS_PARAMS = ['from', 'to', 'limit', 'cursor'];
const SPEND_PARAMS = ['from', 'to', 'group_by', 'granularity', 'tz'];

function single(query: URLSearchParams, allowed: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of query) {
    if (!allowed.includes(k) && !isSpendDimension(k)) throw ApiError.badRequest(`${k}: unknown query parameter (filters: ${SPEND_COLUMNS.join(', ')}, tag:NAME)`);
    if (out.has(k)) throw ApiError.badRequest(`${k}: given more than once`);
    out.set(k, v);
  }
  return out;
}

function filtersOf(params: Map<string, string>, principal: Principal): DimensionFilters {
  const filters: DimensionFilters = {};
  for (const [k, v] of params) if (isSpendDimension(k)) filters[k] = v === '' ? null : v;
  for (const [k, v] of Object.entries(principal.scope)) {
    if (k in filters && filters[k] !== v) throw ApiError.forbidden(`${k}: this token is scoped to ${k}=${v}`);
    filters[k] = v;
  }
  return filters;
}

const opt = (params: Map<string, string>, k: string): string | undefined => {
  const v = params.get(k);
  return v === undefined || v === '' ? undefined : v;
};

export function eventsQueryOf(query: URLSearchParams, principal: Principal): EventsQuery {
  const params = single(query, EVENTS_PARAMS);
  const q: EventsQuery = { from: opt(params, 'from'), to: opt(params, 'to'), cursor: opt(params, 'cursor') ?? null, filters: filtersOf(params, principal) };
  const limit = opt(params, 'limit');
  if (limit !== undefined) {
    if (!/^\d+$/.test(limit)) throw ApiError.badRequest(`limit: not a whole number: "${limit}"`);
    q.limit = Number(limit);
  }
  return q;
}

export function spendQueryOf(query: URLSearchParams, principal: Principal): SpendQuery {
  const params = single(query, SPEND_PARAMS);
  const groupBy = opt(params, 'group_by');
  return {
    from: opt(params, 'from'),
    to: opt(params, 'to'),
    group_by: groupBy === undefined ? [] : groupBy.split(',').map((d) => d.trim()),
    granularity: (opt(params, 'granularity') ?? 'none') as Granularity,
    tz: opt(params, 'tz'),
    filters: filtersOf(params, principal),
  };
}
