/**
 * Every call of one trace on a shared time axis, a page at a time (an agent loop can make
 * thousands of calls), with the whole trace's cost and tokens from the API's exact sums, and the
 * outcomes reported for it. With `?agent=A` it shows one agent run: that agent's calls in the
 * trace (the runs table of the Unit economics page links here).
 */
import { useState } from 'react';
import { api } from '../api/client';
import { getSpend } from '../api/spend';
import type { EventsPage, SpendResult } from '../api/types';
import { CallCost, GroupCost } from '../components/cost-cell';
import { Card, Empty, ErrorBox, Loading, Stat, Time } from '../components/ui';
import { callHref } from '../lib/call-link';
import { hrefFor, navigate } from '../lib/hash-route';
import { formatCount } from '../lib/money';
import { formatDuration } from '../lib/time';
import { useApi } from '../lib/use-api';

export const TRACE_PAGE_SIZE = 100;

interface TracePage {
  /** What was loaded: a page of another trace or run stays in state while the next one loads. */
  key: string;
  page: EventsPage;
  total: SpendResult['total'] & { input_tokens?: number; output_tokens?: number };
  tokens: number;
}

interface TraceOutcome {
  id: string;
  type: string;
  success: boolean;
  occurred_at: string;
}

const pageKey = (traceId: string, agent: string | null, cursor: string | null): string => JSON.stringify([traceId, agent, cursor]);

async function loadTrace(traceId: string, agent: string | null, cursor: string | null, signal: AbortSignal): Promise<TracePage> {
  const only: Record<string, string> = agent ? { agent } : {};
  const [page, spend] = await Promise.all([
    api<EventsPage>('GET', '/api/events', { query: { trace_id: traceId, ...only, limit: TRACE_PAGE_SIZE, cursor }, signal }),
    getSpend({ filters: { trace_id: traceId, ...only } }, signal),
  ]);
  const row = spend.rows[0];
  const tokens = row ? (row.input_tokens ?? 0) + (row.cache_read_tokens ?? 0) + (row.cache_write_tokens ?? 0) + (row.output_tokens ?? 0) + (row.reasoning_tokens ?? 0) : 0;
  return { key: pageKey(traceId, agent, cursor), page, total: spend.total, tokens };
}

export function TraceView({ traceId, params }: { traceId: string; params: URLSearchParams }) {
  const cursor = params.get('cursor');
  const agent = params.get('agent') || null;
  const [history, setHistory] = useState<(string | null)[]>([]);
  const { data, error, reload } = useApi((signal) => loadTrace(traceId, agent, cursor, signal), [traceId, agent, cursor]);
  // The run's outcomes (unit economics); apart from the trace so a refusal never hides its calls.
  const outcomes = useApi((signal) => api<{ outcomes: TraceOutcome[] }>('GET', '/api/outcomes', { query: { trace_id: traceId }, signal }), [traceId]);
  const go = (c: string | null) => navigate(hrefFor('requests', { cursor: c, agent }, ['trace', traceId]), true);
  if (error) return <ErrorBox error={error} onRetry={reload} />;
  if (!data || data.key !== pageKey(traceId, agent, cursor)) return <Loading what={agent ? 'the run' : 'the trace'} />;
  const calls = [...data.page.events].reverse();
  if (calls.length === 0) return <Empty>No calls recorded for {agent ? `agent ${agent} in ` : ''}trace {traceId}.</Empty>;
  const start = Math.min(...calls.map((r) => Date.parse(r.started_at)));
  // End of a call from its own start and duration: an imported record's ended_at may be missing or wrong.
  const end = Math.max(...calls.map((r) => Date.parse(r.started_at) + (r.duration_ms ?? 0)));
  const span = Math.max(1, end - start);
  const paged = data.total.requests > TRACE_PAGE_SIZE;
  const unpriced = data.total.unpriced_requests ?? 0;
  const reported = outcomes.data?.outcomes ?? [];
  // The run's status as the agent reports count it: one success is enough; all failures is failed.
  const runStatus = reported.length === 0 ? 'unknown' : reported.some((o) => o.success) ? 'successful' : 'failed';
  return (
    <div className="page trace" data-testid="trace">
      <p>
        <a href={hrefFor('requests')}>← All calls</a> · <a href={hrefFor('requests', { 'f.trace_id': traceId })}>this trace in the list</a> · <a href={hrefFor('explorer', { range: '90d', granularity: 'none', group_by: 'model', 'f.trace_id': traceId })}>by model in the explorer</a>
        {agent ? (
          <>
            {' '}
            · <a href={hrefFor('requests', {}, ['trace', traceId])} data-testid="trace-whole">the whole trace, every agent</a>
          </>
        ) : null}
      </p>
      <div className="stats">
        <Stat label={agent ? 'Run cost' : 'Trace cost'} testId="trace-cost">
          <GroupCost cost={data.total.cost} unpriced={unpriced} />
        </Stat>
        <Stat label="Calls" testId="trace-calls">
          {formatCount(data.total.requests)}
        </Stat>
        <Stat label="Tokens">{formatCount(data.tokens)}</Stat>
        <Stat label={paged ? 'Span of this page' : 'Wall time'}>{formatDuration(end - start)}</Stat>
        <Stat label="Outcome" testId="trace-outcome" sub={outcomes.data ? <span className={`run-status run-${runStatus}`} data-testid="trace-run-status">{runStatus}</span> : undefined}>
          {reported.length > 0 ? reported.map((o) => <div key={o.id}>{`${o.type}: ${o.success ? 'success' : 'failure'}`}</div>) : <span className="muted">none reported</span>}
        </Stat>
      </div>
      <Card
        title={
          <>
            {agent ? (
              <>
                Run of agent <code>{agent}</code> in trace <code>{traceId}</code>
              </>
            ) : (
              <>
                Trace <code>{traceId}</code>
              </>
            )}
            {paged ? <span className="muted"> · calls {formatCount(history.length * TRACE_PAGE_SIZE + 1)}–{formatCount(history.length * TRACE_PAGE_SIZE + calls.length)} of {formatCount(data.total.requests)}, newest pages first</span> : null}
          </>
        }
      >
        <ol className="waterfall" data-testid="waterfall">
          {calls.map((r) => {
            const s = Date.parse(r.started_at) - start;
            const d = r.duration_ms ?? 0;
            return (
              <li key={r.id}>
                <a className="wf-label" href={callHref(r)}>
                  <Time iso={r.started_at} seconds /> · {r.attribution.agent ?? r.attribution.feature ?? r.provider} · {r.model ?? r.model_requested} <span className={`status status-${r.status}`} data-testid="wf-status">{r.status}</span>
                </a>
                <span className="wf-track">
                  <span className={`wf-bar status-${r.status}`} style={{ left: `${Math.min(99.5, (s / span) * 100)}%`, width: `${Math.min(100 - Math.min(99.5, (s / span) * 100), Math.max(0.5, (d / span) * 100))}%` }} title={formatDuration(d)} />
                </span>
                <span className="wf-cost">
                  <CallCost record={r} />
                </span>
              </li>
            );
          })}
        </ol>
        {paged ? (
          <div className="pager">
            <button
              type="button"
              disabled={history.length === 0}
              onClick={() => {
                const prev = history[history.length - 1] ?? null;
                setHistory(history.slice(0, -1));
                go(prev);
              }}
            >
              ← Newer
            </button>
            <span className="muted">page {history.length + 1}</span>
            <button
              type="button"
              disabled={!data.page.next_cursor}
              data-testid="trace-older"
              onClick={() => {
                setHistory([...history, cursor]);
                go(data.page.next_cursor);
              }}
            >
              Older →
            </button>
          </div>
        ) : null}
      </Card>
    </div>
  );
}
