/**
 * The overview as one DuckDB query: GROUPING SETS over (day, stack_by) for the chart, each top-list
 * dimension, and () for the window totals, with one set of FILTERed sums per part, since the
 * parts cover different ranges. The source is the hourly rollup with raw edge hours when it covers
 * every dimension involved (src/store/embedded/duckdb-rollup.ts), else the raw ledger; either way
 * rows carry pre-summed values, so both paths are the same SQL.
 *
 * Day buckets in a zone are computed once per 15-minute slot (a few thousand), not per row: ICU's
 * zone conversion costs ~1 µs a call, and a month of rollup rows is millions of rows.
 */
import type { DuckDBValue } from '@duckdb/node-api';
import { TZ_SLOT_US, zoneIsHourAligned, type ResolvedDimension } from '../spend-query.js';
import type { ResolvedOverview } from '../spend-overview.js';
import { dimensionSql, whereOf, whereSql, zonedBucketUs } from './duckdb-spend.js';
import { rollupCovers, rollupSource } from './duckdb-rollup.js';

const TOKENS = [
  ['input', 'input_tokens'],
  ['output', 'output_tokens'],
  ['cache_read', 'cache_read_tokens'],
  ['cache_write', 'cache_write_tokens'],
  ['reasoning', 'reasoning_tokens'],
] as const;

const RAW_VALUES = [
  'coalesce(cost_total, 0)::DECIMAL(38,18) AS cost',
  '1::BIGINT AS requests',
  '(cost_total IS NULL AND input_tokens IS NOT NULL)::BIGINT AS unpriced',
  ...TOKENS.map(([, c]) => `coalesce(${c}, 0)::BIGINT AS ${c}`),
];
const SUMMED_VALUES = ['cost', 'requests', 'unpriced', ...TOKENS.map(([, c]) => c)];

export interface OverviewSql {
  sql: string;
  params: DuckDBValue[];
  fromRollup: boolean;
}

/** True when the rollup holds `dim` (and the filters), so a top list by it can read the rollup. */
export function overviewCovers(o: ResolvedOverview, dim: ResolvedDimension): boolean {
  return rollupCovers({ groupBy: [{ key: '', dim }], filters: o.filters, granularity: 'none', tz: 'UTC', fromUs: undefined, toUs: undefined });
}

/**
 * Column aliases: s0 the chart's stack, g0… the top lists. `chart: false` leaves the chart out
 * (the second query of a split overview: top lists by dimensions the rollup does not hold).
 */
export function overviewSql(o: ResolvedOverview, useRollups: boolean, chart = true): OverviewSql {
  const fromUs = [...(chart ? [o.chartFromUs] : []), o.topFromUs, ...o.windows.map((w) => w.fromUs)];
  const lo = fromUs.reduce((a, b) => (b < a ? b : a));
  const hi = o.toUs === undefined ? undefined : [o.toUs, ...o.windows.map((w) => w.toUs)].reduce((a, b) => (b > a ? b : a));
  const dims: ResolvedDimension[] = [o.stack.dim, ...o.top.map((t) => t.dim)];
  const fromRollup =
    useRollups &&
    rollupCovers({ groupBy: dims.map((dim) => ({ key: '', dim })), filters: o.filters, granularity: 'none', tz: 'UTC', fromUs: lo, toUs: hi }) &&
    zoneIsHourAligned(o.tz, lo, hi);

  const params: DuckDBValue[] = [];
  const aliases = [`${dimensionSql(o.stack.dim)} AS s0`, ...o.top.map((t, i) => `${dimensionSql(t.dim)} AS g${i}`)];
  const w = whereOf(lo, hi, o.filters);
  let base: string;
  if (fromRollup) {
    const bounds = [...fromUs, ...(o.toUs === undefined ? [] : [o.toUs]), ...o.windows.map((x) => x.toUs)];
    const src = rollupSource(lo, hi, bounds);
    params.push(...src.params);
    base = `SELECT started_at, ${aliases.join(', ')}, ${SUMMED_VALUES.join(', ')} FROM (${src.sql})${whereSql(w)}`;
  } else {
    base = `SELECT started_at, ${aliases.join(', ')}, ${RAW_VALUES.join(', ')} FROM ledger${whereSql(w)}`;
  }
  params.push(...w.params);

  // Inlined, not bound: each condition repeats in eight FILTER clauses. They are bigints this
  // module parsed itself (resolveOverviewQuery), so a literal cannot carry anything else.
  const ts = (us: bigint): string => `make_timestamp(${us.toString()}::BIGINT)`;
  const range = (f: bigint, t: bigint | undefined): string => `started_at >= ${ts(f)}${t === undefined ? '' : ` AND started_at < ${ts(t)}`}`;
  const inChart = range(o.chartFromUs, o.toUs);
  const inTop = range(o.topFromUs, o.toUs);
  const full = (prefix: string, cond: string): string[] => [
    `sum(cost) FILTER (WHERE ${cond}) AS ${prefix}_cost`,
    `sum(requests) FILTER (WHERE ${cond}) AS ${prefix}_requests`,
    `sum(unpriced) FILTER (WHERE ${cond}) AS ${prefix}_unpriced`,
    ...TOKENS.map(([a, c]) => `sum(${c}) FILTER (WHERE ${cond}) AS ${prefix}_${a}`),
  ];
  const aggs = [
    ...full('chart', inChart),
    ...full('top', inTop),
    ...o.windows.flatMap((x, i) => {
      const cond = range(x.fromUs, x.toUs);
      return [`sum(cost) FILTER (WHERE ${cond}) AS w${i}_cost`, `sum(requests) FILTER (WHERE ${cond}) AS w${i}_requests`, `sum(unpriced) FILTER (WHERE ${cond}) AS w${i}_unpriced`];
    }),
  ];
  const slot = `(epoch_us(started_at) // ${TZ_SLOT_US})`;
  const day = o.tz === 'UTC' ? `epoch_us(date_trunc('day', s))` : zonedBucketUs('day', o.tz, 's');
  const groups = ['s0', ...o.top.map((_t, i) => `g${i}`)];
  const topGrouping = o.top.map((_t, i) => `GROUPING(g${i}) AS set_g${i}, `).join('');
  if (!chart) {
    const sql = `
SELECT 1 AS set_day, ${topGrouping}${groups.slice(1).join(', ')}, ${aggs.filter((a) => !a.includes(' AS chart_')).join(', ')}
FROM (${base}) GROUP BY GROUPING SETS (${[...o.top.map((_t, i) => `(g${i})`), '()'].join(', ')})
ORDER BY top_cost DESC NULLS LAST, ${groups.slice(1).map((g) => `${g} NULLS LAST`).join(', ')}`;
    return { sql, params, fromRollup };
  }
  const sets = ['(day_us, s0)', ...o.top.map((_t, i) => `(g${i})`), '()'];
  const sql = `
WITH base AS MATERIALIZED (${base}),
days AS (SELECT slot, ${day} AS day_us FROM (SELECT slot, make_timestamp(slot * ${TZ_SLOT_US}) AS s FROM (SELECT DISTINCT ${slot} AS slot FROM base))),
tagged AS (SELECT b.*, d.day_us FROM base b JOIN days d ON d.slot = ${slot.replace('started_at', 'b.started_at')})
SELECT GROUPING(day_us) AS set_day, ${topGrouping}day_us, ${groups.join(', ')}, ${aggs.join(', ')}
FROM tagged GROUP BY GROUPING SETS (${sets.join(', ')})
ORDER BY day_us NULLS FIRST, CASE WHEN set_day = 0 THEN chart_cost ELSE top_cost END DESC NULLS LAST, ${groups.map((g) => `${g} NULLS LAST`).join(', ')}`;
  return { sql, params, fromRollup };
}

type Row = Record<string, DuckDBValue>;

/** Which part a result row belongs to: 'chart', a top-list index, or 'total'. */
export function overviewPartOf(r: Row, topCount: number): 'chart' | number | 'total' {
  if (Number(r.set_day) === 0) return 'chart';
  for (let i = 0; i < topCount; i++) if (Number(r[`set_g${i}`]) === 0) return i;
  return 'total';
}
