/**
 * The ledger, newest first, filtered (attribution, status, key, trace, time range) and paged by
 * cursor; every row links to its call (`call` + `at` in the URL, so a call can be shared); a
 * trace's calls summed.
 */
import { useState } from 'react';
import { api } from '../api/client';
import type { EventsPage, LedgerRecord } from '../api/types';
import { CallCost } from '../components/cost-cell';
import { DataTable, type Column } from '../components/data-table';
import { Card, Empty, ErrorBox, Loading, Time } from '../components/ui';
import { callHref } from '../lib/call-link';
import { hrefFor, navigate, type HashRoute } from '../lib/hash-route';
import { formatCount } from '../lib/money';
import { formatDuration } from '../lib/time';
import { fromLocalInput, RANGES, resolveRange, toLocalInput } from '../lib/time-range';
import { useApi } from '../lib/use-api';
import { CallDetail } from './call-detail';
import { FILTER_DIMS, filtersFrom, filterToApi } from './filters';
import { TraceView } from './trace-view';

const PAGE_SIZE = 50;
/** Columns the detail panel has the better view of, dropped while it is open. */
const NARROW_HIDDEN = new Set(['customer', 'tokens', 'feature']);
const TEXT_FILTERS = [...FILTER_DIMS, 'key_id', 'trace_id'];
const STATUSES = ['ok', 'error', 'blocked', 'cached', 'aborted'];

export function Requests({ route }: { route: HashRoute }) {
  if (route.rest[0] === 'trace' && route.rest[1]) return <TraceView traceId={route.rest[1]} params={route.params} />;
  return <Ledger route={route} />;
}

/** A call is found by its start instant (a one-millisecond window) and its id: no store lookup by id needed. */
async function loadCall(id: string, at: string, signal: AbortSignal): Promise<LedgerRecord | null> {
  const t = Date.parse(at);
  if (!Number.isFinite(t)) return null;
  const page = await api<EventsPage>('GET', '/api/events', { query: { from: new Date(t).toISOString(), to: new Date(t + 1).toISOString(), limit: 1000 }, signal });
  return page.events.find((e) => e.id === id) ?? null;
}

function Ledger({ route }: { route: HashRoute }) {
  const p = route.params;
  const filters = filtersFrom(p);
  const { range, from, to } = resolveRange(p, 'all');
  const cursor = p.get('cursor');
  const callId = p.get('call');
  const callAt = p.get('at');
  const [history, setHistory] = useState<(string | null)[]>([]);
  // The raw URL values, not the resolved instants: "last 24 hours" moves every render and would refetch forever.
  const key = JSON.stringify([filters, cursor, range, p.get('from'), p.get('to')]);
  const { data, error, loading, reload } = useApi((signal) => api<EventsPage>('GET', '/api/events', { query: { limit: PAGE_SIZE, cursor, from, to, ...filterToApi(filters) }, signal }), [key]);
  const inList = data?.events.find((e) => e.id === callId);
  const selected = useApi(async (signal) => (callId && callAt && !inList ? loadCall(callId, callAt, signal) : null), [callId, callAt, Boolean(inList)]);
  const record = inList ?? selected.data ?? undefined;
  const listParams = new URLSearchParams(p);
  listParams.delete('call');
  listParams.delete('at');

  const set = (changes: Record<string, string | null>, keepHistory = false) => {
    const next = new URLSearchParams(p);
    for (const [k, v] of Object.entries(changes)) if (v === null || v === '') next.delete(k);
    else next.set(k, v);
    if (!keepHistory) {
      next.delete('cursor');
      setHistory([]);
    }
    navigate(hrefFor('requests', next), true);
  };

  const columns: Column<LedgerRecord>[] = [
    {
      key: 'started_at',
      label: 'Started',
      render: (r) => (
        <a href={callHref(r, listParams)} onClick={(e) => e.stopPropagation()} data-testid="call-link">
          <Time iso={r.started_at} seconds />
        </a>
      ),
    },
    { key: 'team', label: 'Team', render: (r) => r.attribution.team ?? <span className="muted">—</span>, sort: (r) => r.attribution.team },
    { key: 'feature', label: 'Feature', render: (r) => r.attribution.feature ?? <span className="muted">—</span>, sort: (r) => r.attribution.feature },
    { key: 'customer', label: 'Customer', render: (r) => r.attribution.customer ?? <span className="muted">—</span>, sort: (r) => r.attribution.customer },
    { key: 'model', label: 'Model', render: (r) => r.model ?? r.model_requested ?? '—', sort: (r) => r.model ?? r.model_requested },
    { key: 'status', label: 'Status', render: (r) => <span className={`status status-${r.status}`}>{r.status}</span>, sort: (r) => r.status },
    { key: 'tokens', label: 'Tokens in/out', numeric: true, render: (r) => (r.usage ? `${formatCount(r.usage.input_tokens + r.usage.cache_read_tokens + r.usage.cache_write_tokens)} / ${formatCount(r.usage.output_tokens + r.usage.reasoning_tokens)}` : '—') },
    { key: 'duration', label: 'Latency', numeric: true, render: (r) => formatDuration(r.duration_ms), sort: (r) => r.duration_ms },
    { key: 'cost', label: 'Cost', money: true, render: (r) => <CallCost record={r} />, sort: (r) => r.cost?.total ?? null },
  ];

  return (
    <div className="page requests" data-testid="requests">
      <Card>
        <form className="controls" onSubmit={(e) => e.preventDefault()}>
          <label>
            Range
            <select value={range} onChange={(e) => set({ range: e.target.value === 'custom' || e.target.value === 'all' ? null : e.target.value, from: e.target.value === 'custom' ? (from ?? new Date(Date.now() - 86_400_000).toISOString()) : null, to: null })} data-testid="requests-range">
              <option value="all">Any time</option>
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
                <input type="datetime-local" value={from ? toLocalInput(from) : ''} onChange={(e) => set({ from: fromLocalInput(e.target.value) })} data-testid="requests-from" />
              </label>
              <label>
                To
                <input type="datetime-local" value={to ? toLocalInput(to) : ''} onChange={(e) => set({ to: fromLocalInput(e.target.value) })} data-testid="requests-to" />
              </label>
            </>
          ) : null}
          <label>
            status
            <select value={filters['status'] ?? ''} onChange={(e) => set({ 'f.status': e.target.value || null })} data-testid="filter-status">
              <option value="">any</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
          {TEXT_FILTERS.map((d) => (
            <label key={d}>
              {d}
              <input defaultValue={filters[d] ?? ''} key={`${d}=${filters[d] ?? ''}`} placeholder="any" size={10} onBlur={(e) => set({ [`f.${d}`]: e.target.value.trim() || null })} onKeyDown={(e) => e.key === 'Enter' && set({ [`f.${d}`]: e.currentTarget.value.trim() || null })} data-testid={`filter-${d}`} />
            </label>
          ))}
          <button type="button" onClick={reload}>
            Refresh
          </button>
        </form>
      </Card>
      <div className={callId ? 'split' : ''}>
        <Card title={<>Calls{loading ? <span className="muted"> · loading…</span> : null}</>}>
          {error ? <ErrorBox error={error} onRetry={reload} /> : null}
          {!data && !error ? <Loading what="calls" /> : null}
          {data?.events.length === 0 ? <Empty>No calls match these filters.</Empty> : null}
          {data && data.events.length > 0 ? (
            <DataTable columns={callId ? columns.filter((c) => !NARROW_HIDDEN.has(c.key)) : columns} rows={data.events} rowKey={(r) => r.id} onRowClick={(r) => navigate(callHref(r, listParams), true)} selectedKey={callId ?? undefined} testId="events-table" />
          ) : null}
          <div className="pager">
            <button
              type="button"
              disabled={history.length === 0}
              onClick={() => {
                const prev = history[history.length - 1] ?? null;
                setHistory(history.slice(0, -1));
                set({ cursor: prev }, true);
              }}
            >
              ← Newer
            </button>
            <span className="muted">page {history.length + 1}</span>
            <button
              type="button"
              disabled={!data?.next_cursor}
              onClick={() => {
                setHistory([...history, cursor]);
                set({ cursor: data?.next_cursor ?? null }, true);
              }}
              data-testid="older"
            >
              Older →
            </button>
          </div>
        </Card>
        {callId ? (
          record ? (
            <CallDetail record={record} onClose={() => navigate(hrefFor('requests', listParams), true)} />
          ) : selected.error ? (
            <ErrorBox error={selected.error} onRetry={selected.reload} />
          ) : selected.loading || !data ? (
            <Loading what="the call" />
          ) : (
            <Empty>Call {callId} was not found at {callAt ?? 'the given time'}.</Empty>
          )
        ) : null}
      </div>
    </div>
  );
}
