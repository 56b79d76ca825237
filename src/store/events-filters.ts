/** The filters of an EventsQuery (named fields plus any other dimension) as one resolved list. */
import { resolveFilters, type ResolvedFilter } from './spend-query.js';
import type { EventsQuery } from './store.js';

export const EVENTS_FILTER_FIELDS = ['team', 'feature', 'customer', 'model', 'provider', 'trace_id'] as const;

export function eventsFilters(q: EventsQuery): ResolvedFilter[] {
  const named: Record<string, string | null> = {};
  for (const f of EVENTS_FILTER_FIELDS) {
    const v = q[f];
    if (v !== undefined) named[f] = v;
  }
  return [...resolveFilters(named), ...resolveFilters(q.filters)];
}
