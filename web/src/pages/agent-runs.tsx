/**
 * Agents on the Unit economics page: per agent, runs, success rate, cost per run and per
 * successful run (GET /api/agents), and the latest runs (GET /api/agents/runs), each opening its
 * calls in the trace view. Money stays the API's exact decimal string until it is drawn.
 */
import { useState } from 'react';
import { api } from '../api/client';
import { Card, Empty, ErrorBox, Loading, Money, Time } from '../components/ui';
import { DataTable, type Column } from '../components/data-table';
import { callHref } from '../lib/call-link';
import { hrefFor } from '../lib/hash-route';
import { formatCount, formatMoney } from '../lib/money';
import { useApi } from '../lib/use-api';

export const RUNS_PAGE_SIZE = 20;
const RUN_STATUSES = ['successful', 'failed', 'unknown'] as const;

interface AgentRow {
  agent: string;
  runs: number;
  successful_runs: number;
  failed_runs: number;
  unknown_runs: number;
  calls: number;
  cost: string;
  unlinked_cost: string;
  unpriced_calls: number;
  success_rate: string | null;
  cost_per_run: string | null;
  cost_per_successful_run: string | null;
}
interface AgentsReport {
  agents: AgentRow[];
  total: { runs: number; cost: string; unlinked_cost: string; unpriced_calls: number };
}
interface AgentRun {
  agent: string;
  trace_id: string | null;
  call_id: string | null;
  started_at: string;
  ended_at: string;
  calls: number;
  cost: string;
  unpriced_calls: number;
  error_calls: number;
  blocked_calls: number;
  outcomes: number;
  successful_outcomes: number;
  status: (typeof RUN_STATUSES)[number];
}
interface RunsPage {
  runs: AgentRun[];
  next_cursor: string | null;
}

const pct = (s: string | null): string => (s === null ? '–' : `${(Number(s) * 100).toFixed(1)}%`);

/** A run opens as the trace view of its agent's calls, or (no trace) as its one call. */
export function runHref(r: Pick<AgentRun, 'agent' | 'trace_id' | 'call_id' | 'started_at'>): string {
  return r.trace_id !== null ? hrefFor('requests', { agent: r.agent }, ['trace', r.trace_id]) : callHref({ id: r.call_id ?? '', started_at: r.started_at });
}

export function AgentRunsCard({ from, to, type, agent, status, set }: { from: string; to: string; type: string; agent: string; status: string; set: (changes: Record<string, string | null>) => void }) {
  // Cursors of the pages before this one; local, as a page of runs is not worth a bookmark.
  const [pages, setPages] = useState<(string | null)[]>([null]);
  const cursor = pages[pages.length - 1] ?? null;
  const summary = useApi((signal) => api<AgentsReport>('GET', '/api/agents', { query: { from, to, type: type || undefined }, signal }), [from, to, type]);
  const runs = useApi(
    (signal) => api<RunsPage>('GET', '/api/agents/runs', { query: { from, to, type: type || undefined, agent: agent || undefined, status: status || undefined, limit: RUNS_PAGE_SIZE, cursor }, signal }),
    [from, to, type, agent, status, cursor],
  );
  const choose = (changes: Record<string, string | null>) => {
    setPages([null]);
    set(changes);
  };

  const agentColumns: Column<AgentRow>[] = [
    { key: 'agent', label: 'Agent', render: (r) => r.agent, sort: (r) => r.agent },
    { key: 'runs', label: 'Runs', numeric: true, render: (r) => formatCount(r.runs), sort: (r) => r.runs },
    { key: 'rate', label: 'Success rate', numeric: true, render: (r) => pct(r.success_rate), sort: (r) => (r.success_rate === null ? null : Number(r.success_rate)) },
    { key: 'cost', label: 'Cost', money: true, render: (r) => <Money value={r.cost} />, sort: (r) => r.cost },
    { key: 'cpr', label: 'Cost / run', money: true, render: (r) => (r.cost_per_run === null ? '–' : <Money value={r.cost_per_run} />), sort: (r) => r.cost_per_run },
    { key: 'cpsr', label: 'Cost / successful run', money: true, render: (r) => (r.cost_per_successful_run === null ? '–' : <Money value={r.cost_per_successful_run} />), sort: (r) => r.cost_per_successful_run },
    { key: 'unknown', label: 'Runs without outcome', numeric: true, render: (r) => formatCount(r.unknown_runs), sort: (r) => r.unknown_runs },
    { key: 'unlinked', label: 'Unlinked cost', money: true, render: (r) => <Money value={r.unlinked_cost} />, sort: (r) => r.unlinked_cost },
  ];
  const runColumns: Column<AgentRun>[] = [
    { key: 'started', label: 'Started', render: (r) => <Time iso={r.started_at} seconds /> },
    { key: 'agent', label: 'Agent', render: (r) => r.agent },
    {
      key: 'run',
      label: 'Run',
      render: (r) => (
        <a href={runHref(r)} data-testid="run-link">
          {r.trace_id !== null ? <code>{r.trace_id}</code> : <span className="muted">one call, no trace</span>}
        </a>
      ),
    },
    { key: 'calls', label: 'Calls', numeric: true, render: (r) => formatCount(r.calls) },
    { key: 'cost', label: 'Cost', money: true, render: (r) => (r.unpriced_calls > 0 && r.cost === '0' ? <span className="muted">unpriced</span> : <Money value={r.cost} />) },
    { key: 'status', label: 'Outcome', render: (r) => <span className={`run-status run-${r.status}`}>{r.status}</span> },
    { key: 'problems', label: 'Errors / blocked', numeric: true, render: (r) => (r.error_calls + r.blocked_calls === 0 ? '–' : `${r.error_calls} / ${r.blocked_calls}`) },
  ];

  return (
    <Card title="Agents: cost per run">
      {summary.error ? <ErrorBox error={summary.error} onRetry={summary.reload} /> : null}
      {!summary.data && !summary.error ? <Loading what="agents" /> : null}
      {summary.data?.agents.length === 0 ? <Empty>No agent calls in this range. Calls carry an agent through the x-costrail-agent header; a run is an agent's calls in one trace.</Empty> : null}
      {summary.data && summary.data.agents.length > 0 ? (
        <>
          <DataTable testId="ue-agents" columns={agentColumns} rows={summary.data.agents} rowKey={(r) => r.agent} initialSort={{ key: 'cost', desc: true }} selectedKey={agent || undefined} onRowClick={(r) => choose({ agent: r.agent === agent ? null : r.agent })} />
          <p className="muted" data-testid="ue-agents-note">
            Cost per successful run counts failed runs' cost and leaves out the {formatMoney(summary.data.total.unlinked_cost)} of runs with no outcome.
            {summary.data.total.unpriced_calls > 0 ? ` ${formatCount(summary.data.total.unpriced_calls)} call(s) have no known price.` : ''}
          </p>
          <div className="controls">
            <label>
              Agent{' '}
              <select value={agent} onChange={(e) => choose({ agent: e.target.value || null })} data-testid="ue-run-agent">
                <option value="">all agents</option>
                {summary.data.agents.map((a) => (
                  <option key={a.agent} value={a.agent}>
                    {a.agent}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Outcome{' '}
              <select value={status} onChange={(e) => choose({ run_status: e.target.value || null })} data-testid="ue-run-status">
                <option value="">any</option>
                {RUN_STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </select>
            </label>
          </div>
          {runs.error ? <ErrorBox error={runs.error} onRetry={runs.reload} /> : null}
          {!runs.data && !runs.error ? <Loading what="runs" /> : null}
          {runs.data?.runs.length === 0 ? <Empty>No runs match.</Empty> : null}
          {runs.data && runs.data.runs.length > 0 ? (
            <>
              <DataTable testId="ue-runs" columns={runColumns} rows={runs.data.runs} rowKey={(r) => `${r.agent}|${r.trace_id ?? ''}|${r.call_id ?? ''}`} />
              {pages.length > 1 || runs.data.next_cursor ? (
                <div className="pager">
                  <button type="button" disabled={pages.length === 1} onClick={() => setPages(pages.slice(0, -1))}>
                    ← Newer
                  </button>
                  <span className="muted">page {pages.length}</span>
                  <button type="button" disabled={!runs.data.next_cursor} data-testid="ue-runs-older" onClick={() => setPages([...pages, runs.data?.next_cursor ?? null])}>
                    Older →
                  </button>
                </div>
              ) : null}
            </>
          ) : null}
        </>
      ) : null}
    </Card>
  );
}
