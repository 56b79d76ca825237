/** Every call of one trace on a shared time axis, with the trace's summed cost and tokens. */
import { api } from '../api/client';
import type { EventsPage, LedgerRecord } from '../api/types';
import { Card, Empty, ErrorBox, Loading, Money, Stat, Time } from '../components/ui';
import { hrefFor } from '../lib/hash-route';
import { formatCount, sumMoney } from '../lib/money';
import { formatDuration } from '../lib/time';
import { useApi } from '../lib/use-api';

async function loadTrace(traceId: string, signal: AbortSignal): Promise<LedgerRecord[]> {
  const out: LedgerRecord[] = [];
  let cursor: string | null = null;
  do {
    const page: EventsPage = await api<EventsPage>('GET', '/api/events', { query: { trace_id: traceId, limit: 1000, cursor }, signal });
    out.push(...page.events);
    cursor = page.next_cursor;
  } while (cursor && out.length < 10_000);
  return out.reverse();
}

export function TraceView({ traceId }: { traceId: string }) {
  const { data, error, reload } = useApi((signal) => loadTrace(traceId, signal), [traceId]);
  if (error) return <ErrorBox error={error} onRetry={reload} />;
  if (!data) return <Loading what="the trace" />;
  if (data.length === 0) return <Empty>No calls recorded for trace {traceId}.</Empty>;
  const start = Math.min(...data.map((r) => Date.parse(r.started_at)));
  const end = Math.max(...data.map((r) => Date.parse(r.ended_at ?? r.started_at) || Date.parse(r.started_at) + (r.duration_ms ?? 0)));
  const span = Math.max(1, end - start);
  const tokens = data.reduce((a, r) => a + (r.usage ? r.usage.input_tokens + r.usage.cache_read_tokens + r.usage.cache_write_tokens + r.usage.output_tokens + r.usage.reasoning_tokens : 0), 0);
  const unpriced = data.filter((r) => !r.cost).length;
  return (
    <div className="page trace" data-testid="trace">
      <p>
        <a href={hrefFor('requests')}>← All calls</a>
      </p>
      <div className="stats">
        <Stat label="Trace cost" testId="trace-cost" sub={unpriced ? `${unpriced} unpriced call(s) not included` : undefined}>
          <Money value={sumMoney(data.map((r) => r.cost?.total))} />
        </Stat>
        <Stat label="Calls">{data.length}</Stat>
        <Stat label="Tokens">{formatCount(tokens)}</Stat>
        <Stat label="Wall time">{formatDuration(end - start)}</Stat>
      </div>
      <Card title={<>Trace <code>{traceId}</code></>}>
        <ol className="waterfall">
          {data.map((r) => {
            const s = Date.parse(r.started_at) - start;
            const d = r.duration_ms ?? 0;
            return (
              <li key={r.id}>
                <span className="wf-label">
                  <Time iso={r.started_at} seconds /> · {r.attribution.agent ?? r.attribution.feature ?? r.provider} · {r.model ?? r.model_requested}
                </span>
                <span className="wf-track">
                  <span className={`wf-bar status-${r.status}`} style={{ left: `${(s / span) * 100}%`, width: `${Math.max(0.5, (d / span) * 100)}%` }} title={formatDuration(d)} />
                </span>
                <span className="wf-cost">{r.cost ? <Money value={r.cost.total} /> : <span className="warn">unpriced</span>}</span>
              </li>
            );
          })}
        </ol>
      </Card>
    </div>
  );
}
