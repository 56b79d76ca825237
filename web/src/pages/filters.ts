/** Filters shared by the explorer and the requests page: `f.<dim>` in the hash, plain params to the API. */
import { NONE_LABEL } from '../lib/series';

export const FILTER_DIMS = ['team', 'feature', 'customer', 'provider', 'model'] as const;

export function filtersFrom(p: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of p) if (k.startsWith('f.') && v) out[k.slice(2)] = v;
  return out;
}

/** "(none)" asks for records without that field; the API spells that as an empty value. */
export function filterToApi(filters: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(filters).map(([k, v]) => [k, v === NONE_LABEL ? '' : v]));
}

/** Hash params (`f.<dim>`) for a group's values, so a row or a bar can open the same slice elsewhere. */
export function groupFilters(dims: readonly string[], values: readonly (string | null)[]): Record<string, string> {
  return Object.fromEntries(dims.map((d, i) => [`f.${d}`, values[i] ?? NONE_LABEL]));
}
