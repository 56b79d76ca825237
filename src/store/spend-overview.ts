/**
 * Engine-neutral half of the overview (Store.getOverview): validating an OverviewQuery, and the
 * reference answer composed of getSpend calls. The PostgreSQL store answers with that composition
 * (each part from its rollups, in parallel on the pool); the embedded store asks one grouping-sets
 * query (src/store/embedded/duckdb-overview.ts) and is tested equal to the composition.
 */
import { resolveDimension, resolveFilters, resolveRange, resolveTimeZone, type ResolvedDimension, type ResolvedFilter } from './spend-query.js';
import { StoreQueryError, type OverviewQuery, type OverviewResult, type SpendQuery, type Store } from './store.js';

export const MAX_TOP_DIMENSIONS = 8;
export const MAX_WINDOWS = 8;
const WINDOW_NAME = /^[a-z][a-z0-9_]{0,31}$/;

export interface ResolvedOverview {
  tz: string;
  filters: ResolvedFilter[];
  stack: { key: string; dim: ResolvedDimension };
  top: { key: string; dim: ResolvedDimension }[];
  chartFromUs: bigint;
  topFromUs: bigint;
  toUs: bigint | undefined;
  windows: { name: string; fromUs: bigint; toUs: bigint }[];
}

function required(v: string | undefined, field: string): bigint {
  if (v === undefined || v === '') throw new StoreQueryError(`${field}: required (ISO 8601)`);
  return resolveRange(v, undefined).fromUs!;
}

export function resolveOverviewQuery(q: OverviewQuery): ResolvedOverview {
  const topBy = q.top_by ?? [];
  if (topBy.length > MAX_TOP_DIMENSIONS) throw new StoreQueryError(`top_by: at most ${MAX_TOP_DIMENSIONS} dimensions`);
  if (new Set(topBy).size !== topBy.length) throw new StoreQueryError('top_by: a dimension is listed twice');
  const windows = Object.entries(q.windows ?? {});
  if (windows.length > MAX_WINDOWS) throw new StoreQueryError(`windows: at most ${MAX_WINDOWS}`);
  return {
    tz: resolveTimeZone(q.tz),
    filters: resolveFilters(q.filters),
    stack: { key: q.stack_by, dim: resolveDimension(q.stack_by, 'stack_by') },
    top: topBy.map((key) => ({ key, dim: resolveDimension(key, 'top_by') })),
    chartFromUs: required(q.chart_from, 'chart_from'),
    topFromUs: required(q.top_from, 'top_from'),
    toUs: resolveRange(undefined, q.to).toUs,
    windows: windows.map(([name, w]) => {
      if (!WINDOW_NAME.test(name)) throw new StoreQueryError(`windows: "${name}" is not a window name (lowercase letters, digits, _)`);
      return { name, fromUs: required(w.from, `windows.${name}.from`), toUs: required(w.to, `windows.${name}.to`) };
    }),
  };
}

/** The spend queries the overview stands for, in the order the parts appear in the result. */
export function overviewSpendQueries(q: OverviewQuery): { daily: SpendQuery; top: [string, SpendQuery][]; windows: [string, SpendQuery][] } {
  const base = { filters: q.filters ?? {}, ...(q.to === undefined ? {} : { to: q.to }) };
  return {
    daily: { ...base, from: q.chart_from, granularity: 'day', group_by: [q.stack_by], ...(q.tz === undefined ? {} : { tz: q.tz }) },
    top: q.top_by.map((d) => [d, { ...base, from: q.top_from, group_by: [d] }]),
    windows: Object.entries(q.windows ?? {}).map(([name, w]) => [name, { filters: q.filters ?? {}, from: w.from, to: w.to }]),
  };
}

/** The overview as separate getSpend calls (run concurrently): the reference every engine must equal. */
export async function overviewFromSpend(store: Pick<Store, 'getSpend'>, q: OverviewQuery): Promise<OverviewResult> {
  resolveOverviewQuery(q);
  const parts = overviewSpendQueries(q);
  const [daily, tops, windows] = await Promise.all([
    store.getSpend(parts.daily),
    Promise.all(parts.top.map(async ([d, sq]) => [d, await store.getSpend(sq)] as const)),
    Promise.all(parts.windows.map(async ([name, sq]) => [name, (await store.getSpend(sq)).total] as const)),
  ]);
  return { daily, top: Object.fromEntries(tops), windows: Object.fromEntries(windows) };
}
