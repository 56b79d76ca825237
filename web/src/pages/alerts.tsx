/**
 * Alerts and incidents: what fired, where, how far from normal; acknowledge, resolve, and
 * annotate a known event (a launch, a load test) so the detectors expect it next time.
 */
import { useState, type ReactNode } from 'react';
import { api, listOf } from '../api/client';
import type { AlertItem, AnnotationItem } from '../api/types';
import { Card, Empty, ErrorBox, Loading, Money, scopeText, Time } from '../components/ui';
import { hrefFor, navigate, type HashRoute } from '../lib/hash-route';
import { formatCount } from '../lib/money';
import { fromLocalInput, RANGES, resolveRange, toLocalInput } from '../lib/time-range';
import { useApi } from '../lib/use-api';

const KINDS = ['spend_velocity', 'cost_per_request_drift', 'tokens_per_request_drift', 'error_storm', 'retry_storm', 'new_source', 'forecast_breach', 'outcome_cost_drift', 'margin_threshold'];
const STATUSES = ['active', 'open', 'acknowledged', 'resolved', 'all'] as const;
const SEVERITIES = ['critical', 'warning', 'info'];

export function Alerts({ route }: { route: HashRoute }) {
  const p = route.params;
  const status = (STATUSES as readonly string[]).includes(p.get('status') ?? '') ? (p.get('status') as (typeof STATUSES)[number]) : 'active';
  const kind = p.get('kind') ?? '';
  const severity = p.get('severity') ?? '';
  const { range, from, to } = resolveRange(p, '30d');
  const selectedId = p.get('id');
  const [actionError, setActionError] = useState<Error>();

  const set = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(p);
    for (const [k, v] of Object.entries(changes)) if (v === null || v === '') next.delete(k);
    else next.set(k, v);
    navigate(hrefFor('alerts', next), true);
  };

  // The raw URL values, not the resolved instants: "last 30 days" moves every render and would refetch forever.
  const key = JSON.stringify([status, kind, range, p.get('from'), p.get('to')]);
  const list = useApi(async (signal) => {
    const body = await api<{ alerts: AlertItem[] }>('GET', '/api/alerts', { query: { status: status === 'active' || status === 'all' ? undefined : status, kind: kind || undefined, from, to, limit: 500 }, signal });
    return body.alerts.filter((a) => status !== 'active' || a.status !== 'resolved');
  }, [key]);
  const annotations = useApi(async (signal) => listOf<AnnotationItem>(await api('GET', '/api/annotations', { signal }), 'annotations'), []);
  const alerts = (list.data ?? []).filter((a) => !severity || a.severity === severity);
  const selected = alerts.find((a) => a.id === selectedId) ?? list.data?.find((a) => a.id === selectedId);

  const act = async (a: AlertItem, action: 'ack' | 'resolve') => {
    setActionError(undefined);
    try {
      await api('POST', `/api/alerts/${encodeURIComponent(a.id)}/${action}`);
      list.reload();
    } catch (e) {
      setActionError(e as Error);
    }
  };

  return (
    <div className="page alerts" data-testid="alerts">
      <Card>
        <form className="controls" onSubmit={(e) => e.preventDefault()}>
          <label>
            Status
            <select value={status} onChange={(e) => set({ status: e.target.value === 'active' ? null : e.target.value })} data-testid="alert-status-filter">
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s === 'active' ? 'open or acknowledged' : s}
                </option>
              ))}
            </select>
          </label>
          <label>
            Kind
            <select value={kind} onChange={(e) => set({ kind: e.target.value || null })} data-testid="alert-kind-filter">
              <option value="">any</option>
              {KINDS.map((k) => (
                <option key={k} value={k}>
                  {k.replace(/_/g, ' ')}
                </option>
              ))}
            </select>
          </label>
          <label>
            Severity
            <select value={severity} onChange={(e) => set({ severity: e.target.value || null })} data-testid="alert-severity-filter">
              <option value="">any</option>
              {SEVERITIES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
          <label>
            Detected
            <select value={range} onChange={(e) => set({ range: e.target.value === 'custom' ? null : e.target.value, from: e.target.value === 'custom' ? (from ?? null) : null, to: null })}>
              {Object.entries(RANGES).map(([k, r]) => (
                <option key={k} value={k}>
                  {r.label}
                </option>
              ))}
              <option value="all">Any time</option>
              <option value="custom">Custom…</option>
            </select>
          </label>
          {range === 'custom' ? (
            <>
              <label>
                From
                <input type="datetime-local" value={from ? toLocalInput(from) : ''} onChange={(e) => set({ from: fromLocalInput(e.target.value) })} />
              </label>
              <label>
                To
                <input type="datetime-local" value={to ? toLocalInput(to) : ''} onChange={(e) => set({ to: fromLocalInput(e.target.value) })} />
              </label>
            </>
          ) : null}
          <button type="button" onClick={list.reload}>
            Refresh
          </button>
        </form>
      </Card>
      {actionError ? <ErrorBox error={actionError} /> : null}
      <div className={selected ? 'split' : ''}>
        <Card title={<>Alerts{list.data ? <span className="muted"> · {formatCount(alerts.length)}</span> : null}</>}>
          {list.error ? <ErrorBox error={list.error} onRetry={list.reload} /> : null}
          {!list.data && !list.error ? <Loading what="alerts" /> : null}
          {list.data && alerts.length === 0 ? <Empty>No alerts match. Detectors watch spend velocity, cost and token drift, error and retry storms, new sources and budget forecasts every minute.</Empty> : null}
          {alerts.length > 0 ? (
            <ul className="alert-list" data-testid="alert-list">
              {alerts.map((a) => (
                <li key={a.id} className={`alert-row ${a.id === selectedId ? 'selected' : ''}`} data-testid={`alert-${a.id}`} data-status={a.status}>
                  <a href={hrefFor('alerts', { ...Object.fromEntries(p), id: a.id })} className="alert-main">
                    <span className={`sev sev-${a.severity}`}>{a.severity}</span>
                    <span className="alert-kind">{a.kind.replace(/_/g, ' ')}</span>
                    <span className="pill">{scopeText(a.scope)}</span>
                    <span className={`alert-status status-${a.status}`} data-testid="alert-status">
                      {a.status}
                    </span>
                    <span className="muted">
                      <Time iso={a.detected_at} />
                    </span>
                    <span className="alert-summary">{a.summary}</span>
                  </a>
                  <span className="alert-actions">
                    {a.status === 'open' ? (
                      <button type="button" onClick={() => void act(a, 'ack')} data-testid="ack">
                        Acknowledge
                      </button>
                    ) : null}
                    {a.status !== 'resolved' ? (
                      <button type="button" onClick={() => void act(a, 'resolve')} data-testid="resolve">
                        Resolve
                      </button>
                    ) : null}
                  </span>
                </li>
              ))}
            </ul>
          ) : null}
        </Card>
        {selected ? <AlertDetail alert={selected} annotations={annotations.data ?? []} onAction={(action) => void act(selected, action)} onAnnotated={annotations.reload} onClose={() => set({ id: null })} /> : null}
      </div>
    </div>
  );
}

function measured(v: number, unit: string): ReactNode {
  if (unit === 'usd') return <Money value={v.toFixed(6)} />;
  if (unit === 'usd_per_request') return <>{<Money value={v.toFixed(8)} />} per call</>;
  if (unit === 'tokens_per_request') return `${formatCount(Math.round(v))} tokens per call`;
  return `${formatCount(Math.round(v))} ${unit}`;
}

function AlertDetail({ alert: a, annotations, onAction, onAnnotated, onClose }: { alert: AlertItem; annotations: AnnotationItem[]; onAction: (action: 'ack' | 'resolve') => void; onAnnotated: () => void; onClose: () => void }) {
  const windowStart = new Date(Date.parse(a.detected_at) - Math.max(60, a.window_minutes) * 60_000).toISOString();
  const [note, setNote] = useState('');
  const [multiplier, setMultiplier] = useState('3');
  const [annFrom, setAnnFrom] = useState(windowStart);
  const [annTo, setAnnTo] = useState(new Date(Math.max(Date.parse(a.last_seen_at), Date.parse(a.detected_at)) + 3_600_000).toISOString());
  const [error, setError] = useState<Error>();
  const [saved, setSaved] = useState(false);
  const related = annotations.filter((n) => Date.parse(n.from) < Date.parse(a.last_seen_at) + 3_600_000 && Date.parse(n.to) > Date.parse(windowStart) && sameScope(n.scope, a.scope));
  const explorer = a.link.includes('#') ? a.link.slice(a.link.indexOf('#')) : hrefFor('explorer', { from: windowStart, granularity: 'minute' });

  const annotate = async () => {
    setError(undefined);
    setSaved(false);
    try {
      await api('POST', '/api/annotations', { body: { scope: a.scope, from: annFrom, to: annTo, note, expected_multiplier: Number(multiplier) } });
      setNote('');
      setSaved(true);
      onAnnotated();
    } catch (e) {
      setError(e as Error);
    }
  };

  return (
    <Card
      title="Alert detail"
      className="detail"
      actions={
        <button type="button" onClick={onClose} aria-label="Close">
          ×
        </button>
      }
    >
      <div data-testid="alert-detail">
        <p className="alert-summary-big">{a.summary}</p>
        <dl className="kv">
          <dt>Status</dt>
          <dd>
            <span className={`alert-status status-${a.status}`} data-testid="detail-status">
              {a.status}
            </span>
            {a.resolved_by ? <span className="muted"> ({a.resolved_by})</span> : null}
          </dd>
          <dt>Kind · severity</dt>
          <dd>
            {a.kind.replace(/_/g, ' ')} · <span className={`sev sev-${a.severity}`}>{a.severity}</span>
          </dd>
          <dt>Scope</dt>
          <dd>{scopeText(a.scope)}</dd>
          <dt>Observed</dt>
          <dd>
            {measured(a.observed, a.unit)} over {a.window_minutes} min (peak {measured(a.peak_observed, a.unit)})
          </dd>
          <dt>Expected</dt>
          <dd>
            {measured(a.expected, a.unit)} <span className="muted">(interval {measured(a.expected_low, a.unit)} – {measured(a.expected_high, a.unit)})</span>
          </dd>
          <dt>Detected</dt>
          <dd>
            <Time iso={a.detected_at} /> · last seen <Time iso={a.last_seen_at} />
          </dd>
          {a.acknowledged_at ? (
            <>
              <dt>Acknowledged</dt>
              <dd>
                <Time iso={a.acknowledged_at} />
              </dd>
            </>
          ) : null}
          {a.resolved_at ? (
            <>
              <dt>Resolved</dt>
              <dd>
                <Time iso={a.resolved_at} />
              </dd>
            </>
          ) : null}
        </dl>
        <p className="inline">
          <a href={explorer}>Open in the explorer</a> · <a href={hrefFor('requests', { from: windowStart, ...Object.fromEntries(Object.entries(a.scope).map(([k, v]) => [`f.${k}`, v])) })}>calls in the window</a>
        </p>
        <div className="inline">
          {a.status === 'open' ? (
            <button type="button" onClick={() => onAction('ack')} data-testid="detail-ack">
              Acknowledge
            </button>
          ) : null}
          {a.status !== 'resolved' ? (
            <button type="button" className="primary" onClick={() => onAction('resolve')} data-testid="detail-resolve">
              Resolve
            </button>
          ) : null}
        </div>
        {a.contributors.length > 0 ? (
          <>
            <h3>Top contributors</h3>
            <table className="data compact">
              <tbody>
                {a.contributors.map((c) => (
                  <tr key={`${c.dimension}=${c.value ?? ''}`}>
                    <td>{c.dimension}</td>
                    <td>{c.value ?? <span className="muted">(none)</span>}</td>
                    <td className="num">
                      <Money value={c.cost} />
                    </td>
                    <td className="num">{formatCount(c.requests)} calls</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        ) : null}
        <h3>Annotations</h3>
        {related.length === 0 ? <p className="muted">None for this scope and time.</p> : null}
        <ul className="annotation-list" data-testid="annotations">
          {related.map((n) => (
            <li key={n.id}>
              <strong>{n.note || 'no note'}</strong> <span className="muted">×{n.expected_multiplier} · <Time iso={n.from} /> – <Time iso={n.to} /></span>
            </li>
          ))}
        </ul>
        <form
          className="form annotate"
          onSubmit={(e) => {
            e.preventDefault();
            void annotate();
          }}
        >
          <h3>Annotate a known event</h3>
          <label>
            Note
            <input value={note} onChange={(e) => setNote(e.target.value)} placeholder="e.g. launch of the new search feature" maxLength={500} data-testid="annotation-note" />
          </label>
          <label>
            Expect × usual spend
            <input type="number" min={1} max={1000} step="0.5" value={multiplier} onChange={(e) => setMultiplier(e.target.value)} />
          </label>
          <label>
            From
            <input type="datetime-local" value={toLocalInput(annFrom)} onChange={(e) => setAnnFrom(fromLocalInput(e.target.value) ?? annFrom)} />
          </label>
          <label>
            To
            <input type="datetime-local" value={toLocalInput(annTo)} onChange={(e) => setAnnTo(fromLocalInput(e.target.value) ?? annTo)} />
          </label>
          {error ? <ErrorBox error={error} /> : null}
          <div className="form-actions">
            <button type="submit" className="primary" data-testid="annotate">
              Add annotation
            </button>
            {saved ? <span className="muted">Saved: the detectors will expect this.</span> : null}
          </div>
        </form>
      </div>
    </Card>
  );
}

function sameScope(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
}
