/**
 * Query-string pieces every economics read shares: the [from, to) window and the ledger-column
 * filters, with a scoped token's scope forced on (a conflicting filter is a 403, never widened).
 */
import { ApiError } from '../http/api-error.js';
import type { Principal } from '../http/principal.js';
import { UNIT_ECONOMICS_DIMENSIONS } from '../store/economics-types.js';
import type { DimensionFilters } from '../store/store.js';

export function window(query: URLSearchParams): { from: string; to: string } {
  const from = query.get('from');
  const to = query.get('to');
  if (!from || !to) throw ApiError.badRequest('from and to are required (ISO 8601), e.g. from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z');
  for (const [k, v] of [['from', from], ['to', to]] as const) if (!Number.isFinite(Date.parse(v))) throw ApiError.badRequest(`${k}: not an ISO 8601 instant: "${v}"`);
  if (Date.parse(to) <= Date.parse(from)) throw ApiError.badRequest('to must be after from');
  return { from, to };
}

/** Ledger-column filters from the query string plus the principal's scope (forced; a conflict is a 403). */
export function filtersOf(query: URLSearchParams, allowed: readonly string[], principal: Principal): DimensionFilters {
  const filters: DimensionFilters = {};
  for (const [k, v] of query) {
    if (allowed.includes(k)) continue;
    if (!(UNIT_ECONOMICS_DIMENSIONS as readonly string[]).includes(k)) throw ApiError.badRequest(`${k}: unknown query parameter (filters: ${UNIT_ECONOMICS_DIMENSIONS.join(', ')})`);
    filters[k] = v === '' ? null : v;
  }
  for (const [k, v] of Object.entries(principal.scope)) {
    if (k in filters && filters[k] !== v) throw ApiError.forbidden(`${k}: this token is scoped to ${k}=${v}`);
    filters[k] = v;
  }
  return filters;
}
