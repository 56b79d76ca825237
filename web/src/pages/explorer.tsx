/**
 * Slice spend any way: time range, granularity, up to two group-by dimensions (tags and traces
 * too) and filters, each group with its share and its change against the period before. Bars and
 * rows drill down (a bar into its bucket, a row into its calls). The whole view is in the URL
 * hash, so a link reproduces it.
 */
import { useMemo, useState } from 'react';
import { getSpend } from '../api/spend';
import type { SpendRow } from '../api/types';
import { LazySpendChart } from '../charts/lazy-chart';
import type { ChartSeries } from '../charts/spend-chart';
import { GroupCost } from '../components/cost-cell';
import { DataTable, type Column } from '../components/data-table';
import { Card, Empty, ErrorBox, Loading, Money } from '../components/ui';
import { download, spendCsv } from '../lib/csv';
import { hrefFor, navigate, type HashRoute } from '../lib/hash-route';
import { compareMoney, formatCount, fromUnits, sumMoney, toUnits } from '../lib/money';
import { groupLabel, NONE_LABEL, toSeries } from '../lib/series';
import { DAY_MS } from '../lib/time';
import { bucketEnd, finer, fromLocalInput, previousRange, RANGES, toLocalInput } from '../lib/time-range';
import { useApi } from '../lib/use-api';
import { FILTER_DIMS, filtersFrom, filterToApi, groupFilters } from './filters';

export const DIMENSIONS = ['team', 'project', 'feature', 'customer', 'user', 'env', 'agent', 'prompt_version', 'priority', 'provider', 'model', 'model_requested', 'api', 'status', 'source', 'key_id', 'trace_id'];
const TOP_TRACES = 200;
const GRANULARITIES = ['hour', 'day', 'week', 'month', 'none'] as const;
type Granularity = (typeof GRANULARITIES)[number];

interface GroupRow {
  key: string;
  values: (string | null)[];
  cost: string;
  requests: number;
  unpriced: number;
  input: number;
  output: number;
  /** Cost in the period just before, same length; null when the group did not exist then. */
  previous: string | null;
  /** Share of the view's priced total, 0..1 (display only). */
  share: number;
}

export function Explorer({ route }: { route: HashRoute }) {
  const p = route.params;
  const range = p.get('range') ?? (p.get('from') ? 'custom' : '7d');
  const granularity = (GRANULARITIES as readonly string[]).includes(p.get('granularity') ?? '') ? (p.get('granularity') as Granularity) : 'day';
  const groupBy = (p.get('group_by') ?? 'team').split(',').filter(Boolean).slice(0, 2);
  const filters = filtersFrom(p);
  const from = range === 'custom' ? (p.get('from') ?? new Date(Date.now() - 7 * DAY_MS).toISOString()) : (RANGES[range] ?? RANGES['7d'])!.from(new Date()).toISOString();
  const to = range === 'custom' ? (p.get('to') ?? undefined) : undefined;

  const set = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(p);
    for (const [k, v] of Object.entries(changes)) if (v === null || v === '') next.delete(k);
    else next.set(k, v);
    navigate(hrefFor('explorer', next), true);
  };

  const key = JSON.stringify([range, granularity, groupBy, filters, p.get('from'), p.get('to')]);
  const { data: both, error, loading, reload } = useApi(async (signal) => {
    const prev = previousRange(from, to);
    const [cur, before] = await Promise.all([
      getSpend({ from, ...(to ? { to } : {}), granularity, group_by: groupBy, filters: filterToApi(filters) }, signal),
      getSpend({ from: prev.from, to: prev.to, granularity: 'none', group_by: groupBy, filters: filterToApi(filters) }, signal),
    ]);
    return { cur, before };
  }, [key]);
  const data = both?.cur;

  const allGroups = useMemo(() => aggregate(data?.rows ?? [], groupBy, both?.before.rows ?? [], data?.total.cost ?? '0'), [both, groupBy.join(',')]);
  // Traces are many: the table keeps the top ones by cost (the CSV has them all).
  const groups = useMemo(() => (groupBy.includes('trace_id') && allGroups.length > TOP_TRACES ? [...allGroups].sort((a, b) => compareMoney(b.cost, a.cost)).slice(0, TOP_TRACES) : allGroups), [allGroups]);
  // Drill-downs keep the view's window and filters.
  const windowParams = (): Record<string, string> => (range === 'custom' ? { from, ...(to ? { to } : {}) } : { range });
  const callsHref = (g: GroupRow) => hrefFor('requests', { ...windowParams(), ...Object.fromEntries(Object.entries(filters).map(([k, v]) => [`f.${k}`, v])), ...groupFilters(groupBy, g.values) });
  const traceAt = groupBy.indexOf('trace_id');
  const onBarClick = (category: string, s: ChartSeries) => {
    const next = new URLSearchParams(p);
    next.delete('range');
    next.set('from', category);
    next.set('to', bucketEnd(category, granularity));
    next.set('granularity', finer(granularity));
    if (s.group) for (const [k, v] of Object.entries(groupFilters(groupBy, s.group))) next.set(k, v);
    navigate(hrefFor('explorer', next));
  };
  const extraFilters = Object.entries(filters).filter(([d]) => !(FILTER_DIMS as readonly string[]).includes(d));
  const chart = useMemo(() => (data && granularity !== 'none' ? toSeries(data.rows, groupBy, 10) : undefined), [data, granularity, groupBy.join(',')]);
  const [tagDraft, setTagDraft] = useState('');

  const columns: Column<GroupRow>[] = [
    ...groupBy.map((d, i) => ({ key: `g${i}`, label: d, render: (r: GroupRow) => r.values[i] ?? <span className="muted">{NONE_LABEL}</span>, sort: (r: GroupRow) => r.values[i] ?? '' })),
    { key: 'cost', label: 'Cost', money: true, render: (r) => <GroupCost cost={r.cost} unpriced={r.unpriced} />, sort: (r) => r.cost },
    { key: 'share', label: 'Share', numeric: true, render: (r) => `${(r.share * 100).toFixed(1)}%`, sort: (r) => r.share },
    { key: 'delta', label: 'vs previous', numeric: true, render: (r) => <Delta current={r.cost} previous={r.previous} />, sort: (r) => Number(toUnits(r.cost) - toUnits(r.previous ?? '0')) },
    { key: 'requests', label: 'Calls', numeric: true, render: (r) => formatCount(r.requests), sort: (r) => r.requests },
    { key: 'unpriced', label: 'Unpriced', numeric: true, render: (r) => (r.unpriced ? <span className="warn">{formatCount(r.unpriced)}</span> : '0'), sort: (r) => r.unpriced },
    { key: 'input', label: 'Input tok', numeric: true, render: (r) => formatCount(r.input), sort: (r) => r.input },
    { key: 'output', label: 'Output tok', numeric: true, render: (r) => formatCount(r.output), sort: (r) => r.output },
    {
      key: 'drill',
      label: '',
      render: (r) => (
        <span className="row-links" onClick={(e) => e.stopPropagation()}>
          <a href={callsHref(r)} data-testid="row-calls">
            calls
          </a>
          {traceAt >= 0 && r.values[traceAt] ? (
            <a href={hrefFor('requests', {}, ['trace', r.values[traceAt] ?? ''])} data-testid="row-trace">
              trace
            </a>
          ) : null}
        </span>
      ),
    },
  ];
  const sortKey = p.get('sort') === 'unpriced' ? 'unpriced' : 'cost';

  return (
    <div className="page explorer" data-testid="explorer">
      <Card>
        <form className="controls" onSubmit={(e) => e.preventDefault()}>
          <label>
            Range
            <select value={range} onChange={(e) => set({ range: e.target.value === 'custom' ? null : e.target.value, from: e.target.value === 'custom' ? from : null, to: null })}>
              {Object.entries(RANGES).map(([k, r]) => (
                <option key={k} value={k}>
                  {r.label}
                </option>
              ))}
              <option value="custom">Custom…</option>
            </select>
          </label>
          {range === 'custom' ? (
            <>
              <label>
                From
                <input type="datetime-local" value={toLocalInput(from)} onChange={(e) => set({ from: fromLocalInput(e.target.value) })} />
              </label>
              <label>
                To
                <input type="datetime-local" value={to ? toLocalInput(to) : ''} onChange={(e) => set({ to: fromLocalInput(e.target.value) })} />
              </label>
            </>
          ) : null}
          <label>
            Granularity
            <select value={granularity} onChange={(e) => set({ granularity: e.target.value })} data-testid="granularity">
              {GRANULARITIES.map((g) => (
                <option key={g} value={g}>
                  {g}
                </option>
              ))}
            </select>
          </label>
          {[0, 1].map((i) => (
            <label key={i}>
              {i === 0 ? 'Group by' : 'then by'}
              <select
                data-testid={`group-by-${i}`}
                value={groupBy[i] ?? ''}
                onChange={(e) => {
                  const next = [...groupBy];
                  if (e.target.value) next[i] = e.target.value;
                  else next.splice(i, 1);
                  set({ group_by: next.filter(Boolean).join(',') || null });
                }}
              >
                {i === 1 ? <option value="">—</option> : null}
                {[...DIMENSIONS, ...groupBy.filter((g) => g.startsWith('tag:'))].map((d) => (
                  <option key={d} value={d}>
                    {d}
                  </option>
                ))}
              </select>
            </label>
          ))}
          <label>
            Tag
            <span className="inline">
              <input placeholder="tag name" value={tagDraft} onChange={(e) => setTagDraft(e.target.value)} size={10} />
              <button type="button" disabled={!/^[A-Za-z0-9_.-]{1,64}$/.test(tagDraft)} onClick={() => set({ group_by: [groupBy[0] ?? 'team', `tag:${tagDraft}`].join(',') })}>
                + group
              </button>
            </span>
          </label>
          {FILTER_DIMS.map((d) => (
            <label key={d}>
              {d}
              <input defaultValue={filters[d] ?? ''} key={`${d}=${filters[d] ?? ''}`} placeholder="any" size={9} onBlur={(e) => set({ [`f.${d}`]: e.target.value.trim() || null })} onKeyDown={(e) => e.key === 'Enter' && set({ [`f.${d}`]: e.currentTarget.value.trim() || null })} data-testid={`filter-${d}`} />
            </label>
          ))}
          {extraFilters.map(([d, v]) => (
            <span key={d} className="pill chip" data-testid={`chip-${d}`}>
              {d} = {v}
              <button type="button" className="link" aria-label={`remove ${d} filter`} onClick={() => set({ [`f.${d}`]: null })}>
                ×
              </button>
            </span>
          ))}
          <button type="button" disabled={!data} onClick={() => data && download(`costrail-spend-${groupBy.join('-') || 'total'}.csv`, spendCsv(data.rows, groupBy))} data-testid="csv">
            Download CSV
          </button>
        </form>
      </Card>
      {error ? <ErrorBox error={error} onRetry={reload} /> : null}
      {!data && !error ? <Loading what="spend" /> : null}
      {data ? (
        <>
          <Card title={<>Spend <Money value={data.total.cost} testId="explorer-total" /> · {formatCount(data.total.requests)} calls{loading ? <span className="muted"> · updating…</span> : null}</>}>
            {data.rows.length === 0 ? <Empty>No calls match this view.</Empty> : chart ? <LazySpendChart categories={chart.categories} series={chart.series} granularity={granularity} height={320} onBarClick={onBarClick} /> : <p className="muted">Totals only: pick a granularity to chart spend over time.</p>}
          </Card>
          <Card title={<>By {groupBy.join(' × ') || 'total'}{groups.length < allGroups.length ? ` (top ${TOP_TRACES} of ${formatCount(allGroups.length)})` : ''} <span className="muted">· change vs the {formatSpan(from, to)} before · click a row for its calls</span></>}>
            {groups.length === 0 ? <Empty>No rows.</Empty> : <DataTable key={groupBy.join(',') + sortKey} columns={columns} rows={groups} rowKey={(r) => r.key} initialSort={{ key: sortKey, desc: true }} onRowClick={(r) => navigate(callsHref(r))} testId="explorer-table" />}
          </Card>
        </>
      ) : null}
    </div>
  );
}

function aggregate(rows: readonly SpendRow[], dims: readonly string[], previousRows: readonly SpendRow[], total: string): GroupRow[] {
  const by = new Map<string, { values: (string | null)[]; costs: string[]; requests: number; unpriced: number; input: number; output: number }>();
  for (const r of rows) {
    const key = groupLabel(r, dims);
    const g = by.get(key) ?? { values: dims.map((d) => (r[d] === null || r[d] === undefined ? null : String(r[d]))), costs: [], requests: 0, unpriced: 0, input: 0, output: 0 };
    g.costs.push(r.cost);
    g.requests += r.requests;
    g.unpriced += r.unpriced_requests ?? 0;
    g.input += r.input_tokens ?? 0;
    g.output += r.output_tokens ?? 0;
    by.set(key, g);
  }
  const previous = new Map(previousRows.map((r) => [groupLabel(r, dims), r.cost]));
  const all = toUnits(total);
  return [...by.entries()].map(([key, g]) => {
    const cost = sumMoney(g.costs);
    // Shares are for reading; scaled to basis points of a basis point before the float division.
    const share = all > 0n ? Number((toUnits(cost) * 100_000_000n) / all) / 100_000_000 : 0;
    return { key, values: g.values, cost, requests: g.requests, unpriced: g.unpriced, input: g.input, output: g.output, previous: previous.get(key) ?? null, share };
  });
}

/** Change against the previous period: exact difference, and the percentage when there was spend before. */
function Delta({ current, previous }: { current: string; previous: string | null }) {
  if (previous === null) return <span className="muted">new</span>;
  const diff = toUnits(current) - toUnits(previous);
  const before = toUnits(previous);
  const pct = before > 0n ? Number((diff * 10_000n) / before) / 100 : null;
  const cls = diff > 0n ? 'delta-up' : diff < 0n ? 'delta-down' : 'muted';
  return (
    <span className={cls} title={`previous $${previous}`} data-testid="delta">
      {diff > 0n ? '+' : ''}
      <Money value={fromUnits(diff)} />
      {pct === null ? '' : ` (${pct > 0 ? '+' : ''}${pct.toFixed(pct !== 0 && Math.abs(pct) < 10 ? 1 : 0)}%)`}
    </span>
  );
}

function formatSpan(from: string, to: string | undefined): string {
  const ms = (to ? Date.parse(to) : Date.now()) - Date.parse(from);
  const days = ms / DAY_MS;
  return days >= 1.5 ? `${Math.round(days)} days` : `${Math.max(1, Math.round(ms / 3_600_000))} hours`;
}
