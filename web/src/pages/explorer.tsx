/**
 * Slice spend any way: time range, granularity, up to two group-by dimensions (tags too) and
 * filters. The whole view is in the URL hash, so a link reproduces it.
 */
import { useMemo, useState } from 'react';
import { getSpend } from '../api/spend';
import type { SpendRow } from '../api/types';
import { LazySpendChart } from '../charts/lazy-chart';
import { DataTable, type Column } from '../components/data-table';
import { Card, Empty, ErrorBox, Loading, Money } from '../components/ui';
import { download, spendCsv } from '../lib/csv';
import { hrefFor, navigate, type HashRoute } from '../lib/hash-route';
import { formatCount, sumMoney } from '../lib/money';
import { groupLabel, NONE_LABEL, toSeries } from '../lib/series';
import { DAY_MS, HOUR_MS, startOfMonth } from '../lib/time';
import { useApi } from '../lib/use-api';
import { FILTER_DIMS, filtersFrom, filterToApi } from './filters';

export const DIMENSIONS = ['team', 'project', 'feature', 'customer', 'user', 'env', 'agent', 'prompt_version', 'priority', 'provider', 'model', 'model_requested', 'api', 'status', 'source', 'key_id'];
const RANGES: Record<string, { label: string; from: () => Date }> = {
  '24h': { label: 'Last 24 hours', from: () => new Date(Date.now() - 24 * HOUR_MS) },
  '7d': { label: 'Last 7 days', from: () => new Date(Date.now() - 7 * DAY_MS) },
  '30d': { label: 'Last 30 days', from: () => new Date(Date.now() - 30 * DAY_MS) },
  '90d': { label: 'Last 90 days', from: () => new Date(Date.now() - 90 * DAY_MS) },
  mtd: { label: 'Month to date', from: () => startOfMonth(new Date()) },
};
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
}

export function Explorer({ route }: { route: HashRoute }) {
  const p = route.params;
  const range = p.get('range') ?? (p.get('from') ? 'custom' : '7d');
  const granularity = (GRANULARITIES as readonly string[]).includes(p.get('granularity') ?? '') ? (p.get('granularity') as Granularity) : 'day';
  const groupBy = (p.get('group_by') ?? 'team').split(',').filter(Boolean).slice(0, 2);
  const filters = filtersFrom(p);
  const from = range === 'custom' ? (p.get('from') ?? new Date(Date.now() - 7 * DAY_MS).toISOString()) : (RANGES[range] ?? RANGES['7d'])!.from().toISOString();
  const to = range === 'custom' ? (p.get('to') ?? undefined) : undefined;

  const set = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(p);
    for (const [k, v] of Object.entries(changes)) if (v === null || v === '') next.delete(k);
    else next.set(k, v);
    navigate(hrefFor('explorer', next), true);
  };

  const key = JSON.stringify([range, granularity, groupBy, filters, p.get('from'), p.get('to')]);
  const { data, error, loading, reload } = useApi((signal) => getSpend({ from, ...(to ? { to } : {}), granularity, group_by: groupBy, filters: filterToApi(filters) }, signal), [key]);

  const groups = useMemo(() => aggregate(data?.rows ?? [], groupBy), [data, groupBy.join(',')]);
  const chart = useMemo(() => (data && granularity !== 'none' ? toSeries(data.rows, groupBy, 10) : undefined), [data, granularity, groupBy.join(',')]);
  const [tagDraft, setTagDraft] = useState('');

  const columns: Column<GroupRow>[] = [
    ...groupBy.map((d, i) => ({ key: `g${i}`, label: d, render: (r: GroupRow) => r.values[i] ?? <span className="muted">{NONE_LABEL}</span>, sort: (r: GroupRow) => r.values[i] ?? '' })),
    { key: 'cost', label: 'Cost', money: true, render: (r) => <Money value={r.cost} />, sort: (r) => r.cost },
    { key: 'requests', label: 'Calls', numeric: true, render: (r) => formatCount(r.requests), sort: (r) => r.requests },
    { key: 'unpriced', label: 'Unpriced', numeric: true, render: (r) => (r.unpriced ? <span className="warn">{formatCount(r.unpriced)}</span> : '0'), sort: (r) => r.unpriced },
    { key: 'input', label: 'Input tok', numeric: true, render: (r) => formatCount(r.input), sort: (r) => r.input },
    { key: 'output', label: 'Output tok', numeric: true, render: (r) => formatCount(r.output), sort: (r) => r.output },
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
            {data.rows.length === 0 ? <Empty>No calls match this view.</Empty> : chart ? <LazySpendChart categories={chart.categories} series={chart.series} granularity={granularity} height={320} /> : null}
          </Card>
          <Card title={`By ${groupBy.join(' × ') || 'total'}`}>
            {groups.length === 0 ? <Empty>No rows.</Empty> : <DataTable key={groupBy.join(',') + sortKey} columns={columns} rows={groups} rowKey={(r) => r.key} initialSort={{ key: sortKey, desc: true }} testId="explorer-table" />}
          </Card>
        </>
      ) : null}
    </div>
  );
}

function aggregate(rows: readonly SpendRow[], dims: readonly string[]): GroupRow[] {
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
  return [...by.entries()].map(([key, g]) => ({ key, values: g.values, cost: sumMoney(g.costs), requests: g.requests, unpriced: g.unpriced, input: g.input, output: g.output }));
}

function toLocalInput(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function fromLocalInput(v: string): string | null {
  if (!v) return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}
