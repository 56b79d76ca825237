/**
 * The overview as one DuckDB query: the source rows are read once (a MATERIALIZED CTE) and grouped
 * per part: (day, stack_by) for the chart, each top-list dimension, and a total per window. One
 * GROUP BY per part under UNION ALL, not GROUPING SETS with FILTERed sums: the parts cover
 * different ranges, and GROUPING SETS computes every part's sums for every set, which measured
 * 448 ms against the UNION ALL's 242 ms on a month of 1M records' rollup (a loaded 2-core box). The source is the hourly rollup with raw edge hours when it covers
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

  // Inlined, not bound: the bounds repeat across parts. They are bigints this module parsed
  // itself (resolveOverviewQuery), so a literal cannot carry anything else.
  const ts = (us: bigint): string => `make_timestamp(${us.toString()}::BIGINT)`;
  const range = (f: bigint, t: bigint | undefined): string => `started_at >= ${ts(f)}${t === undefined ? '' : ` AND started_at < ${ts(t)}`}`;
  const sums = ['sum(cost) AS cost', 'sum(requests) AS requests', 'sum(unpriced) AS unpriced', ...TOKENS.map(([a, c]) => `sum(${c}) AS ${a}`)];
  const parts: string[] = [];
  const slot = `(epoch_us(started_at) // ${TZ_SLOT_US})`;
  if (chart) {
    const day = o.tz === 'UTC' ? `epoch_us(date_trunc('day', s))` : zonedBucketUs('day', o.tz, 's');
    parts.push(`SELECT 0 AS part, d.day_us, b.s0 AS g, ${sums.join(', ')} FROM base b JOIN (SELECT slot, ${day} AS day_us FROM (SELECT slot, make_timestamp(slot * ${TZ_SLOT_US}) AS s FROM (SELECT DISTINCT ${slot} AS slot FROM base WHERE ${range(o.chartFromUs, o.toUs)}))) d ON d.slot = ${slot.replace('started_at', 'b.started_at')} WHERE ${range(o.chartFromUs, o.toUs)} GROUP BY ALL`);
  }
  o.top.forEach((_t, i) => parts.push(`SELECT ${i + 1} AS part, NULL::BIGINT AS day_us, g${i} AS g, ${sums.join(', ')} FROM base WHERE ${range(o.topFromUs, o.toUs)} GROUP BY ALL`));
  o.windows.forEach((x, j) => parts.push(`SELECT ${WINDOW_PART + j} AS part, NULL::BIGINT AS day_us, NULL::VARCHAR AS g, ${sums.join(', ')} FROM base WHERE ${range(x.fromUs, x.toUs)}`));
  const sql = `
WITH base AS MATERIALIZED (${base})
SELECT * FROM (${parts.join('\nUNION ALL ')})
ORDER BY part, day_us NULLS FIRST, cost DESC NULLS LAST, g NULLS LAST`;
  return { sql, params, fromRollup };
}

/** Result rows of part WINDOW_PART + j are window j's total; 0 the chart; i + 1 top list i. */
export const WINDOW_PART = 1000;
