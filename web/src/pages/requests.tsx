/** The ledger, newest first, filtered and paged by cursor; a call's detail; a trace's calls summed. */
import { useState } from 'react';
import { api } from '../api/client';
import type { EventsPage, LedgerRecord } from '../api/types';
import { DataTable, type Column } from '../components/data-table';
import { Card, Empty, ErrorBox, Loading, Money, Time } from '../components/ui';
import { hrefFor, navigate, type HashRoute } from '../lib/hash-route';
import { formatCount } from '../lib/money';
import { formatDuration } from '../lib/time';
import { useApi } from '../lib/use-api';
import { CallDetail } from './call-detail';
import { FILTER_DIMS, filtersFrom } from './filters';
import { TraceView } from './trace-view';

const PAGE_SIZE = 50;
/** Columns the detail panel has the better view of, dropped while it is open. */
const NARROW_HIDDEN = new Set(['customer', 'tokens', 'feature']);

export function Requests({ route }: { route: HashRoute }) {
  if (route.rest[0] === 'trace' && route.rest[1]) return <TraceView traceId={route.rest[1]} />;
  return <Ledger route={route} />;
}

function Ledger({ route }: { route: HashRoute }) {
  const p = route.params;
  const filters = filtersFrom(p);
  const cursor = p.get('cursor');
  const [history, setHistory] = useState<(string | null)[]>([]);
  const [selected, setSelected] = useState<LedgerRecord>();
  const key = JSON.stringify([filters, cursor]);
  const { data, error, loading, reload } = useApi((signal) => api<EventsPage>('GET', '/api/events', { query: { limit: PAGE_SIZE, cursor, ...filters }, signal }), [key]);

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
    { key: 'started_at', label: 'Started', render: (r) => <Time iso={r.started_at} seconds /> },
    { key: 'team', label: 'Team', render: (r) => r.attribution.team ?? <span className="muted">—</span>, sort: (r) => r.attribution.team },
    { key: 'feature', label: 'Feature', render: (r) => r.attribution.feature ?? <span className="muted">—</span>, sort: (r) => r.attribution.feature },
    { key: 'customer', label: 'Customer', render: (r) => r.attribution.customer ?? <span className="muted">—</span>, sort: (r) => r.attribution.customer },
    { key: 'model', label: 'Model', render: (r) => r.model ?? r.model_requested ?? '—', sort: (r) => r.model ?? r.model_requested },
    { key: 'status', label: 'Status', render: (r) => <span className={`status status-${r.status}`}>{r.status}</span>, sort: (r) => r.status },
    { key: 'tokens', label: 'Tokens in/out', numeric: true, render: (r) => (r.usage ? `${formatCount(r.usage.input_tokens + r.usage.cache_read_tokens + r.usage.cache_write_tokens)} / ${formatCount(r.usage.output_tokens + r.usage.reasoning_tokens)}` : '—') },
    { key: 'duration', label: 'Latency', numeric: true, render: (r) => formatDuration(r.duration_ms), sort: (r) => r.duration_ms },
    { key: 'cost', label: 'Cost', money: true, render: (r) => (r.cost ? <Money value={r.cost.total} /> : <span className="warn">unpriced</span>), sort: (r) => r.cost?.total ?? null },
  ];

  return (
    <div className="page requests" data-testid="requests">
      <Card>
        <form className="controls" onSubmit={(e) => e.preventDefault()}>
          {[...FILTER_DIMS, 'trace_id'].map((d) => (
            <label key={d}>
              {d}
              <input defaultValue={filters[d] ?? ''} key={`${d}=${filters[d] ?? ''}`} placeholder="any" size={10} onBlur={(e) => set({ [`f.${d}`]: e.target.value.trim() || null })} onKeyDown={(e) => e.key === 'Enter' && set({ [`f.${d}`]: e.currentTarget.value.trim() || null })} />
            </label>
          ))}
          <button type="button" onClick={reload}>
            Refresh
          </button>
        </form>
      </Card>
      <div className={selected ? 'split' : ''}>
        <Card title={<>Calls{loading ? <span className="muted"> · loading…</span> : null}</>}>
          {error ? <ErrorBox error={error} onRetry={reload} /> : null}
          {!data && !error ? <Loading what="calls" /> : null}
          {data?.events.length === 0 ? <Empty>No calls match these filters.</Empty> : null}
          {data && data.events.length > 0 ? <DataTable columns={selected ? columns.filter((c) => !NARROW_HIDDEN.has(c.key)) : columns} rows={data.events} rowKey={(r) => r.id} onRowClick={setSelected} selectedKey={selected?.id} testId="events-table" /> : null}
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
        {selected ? <CallDetail record={selected} onClose={() => setSelected(undefined)} /> : null}
      </div>
    </div>
  );
}
