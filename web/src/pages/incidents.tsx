/**
 * Incidents: the alerts that share one cause, as one page — its root scope, contributors, the
 * estimated $/h and the $ so far, the timeline of its alerts, links to the calls; acknowledge,
 * snooze, note, or "this is the new normal" (a launch: the baseline takes the new level).
 */
import { useState } from 'react';
import { api } from '../api/client';
import type { IncidentItem } from '../api/types';
import { Card, Empty, ErrorBox, Loading, Money, scopeText, Time } from '../components/ui';
import { hrefFor, navigate, type HashRoute } from '../lib/hash-route';
import { formatCount } from '../lib/money';
import { useApi } from '../lib/use-api';

const STATUSES = ['active', 'open', 'acknowledged', 'resolved', 'all'] as const;

/** Estimated excess so far: the peak $/h over the incident's span (a rough figure, labelled as such). */
function soFar(i: IncidentItem): number {
  const end = i.resolved_at ? Date.parse(i.resolved_at) : Math.max(Date.parse(i.last_seen_at), Date.parse(i.opened_at));
  return (i.impact_usd_per_hour * Math.max(0, end - Date.parse(i.opened_at))) / 3_600_000;
}

export function Incidents({ route }: { route: HashRoute }) {
  const p = route.params;
  const status = (STATUSES as readonly string[]).includes(p.get('status') ?? '') ? (p.get('status') as (typeof STATUSES)[number]) : 'active';
  const selectedId = p.get('id');
  const set = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(p);
    for (const [k, v] of Object.entries(changes)) if (v === null || v === '') next.delete(k);
    else next.set(k, v);
    navigate(hrefFor('incidents', next), true);
  };
  const list = useApi(async (signal) => {
    const body = await api<{ incidents: IncidentItem[] }>('GET', '/api/incidents', { query: { status: status === 'active' || status === 'all' ? undefined : status, limit: 500 }, signal });
    return body.incidents.filter((i) => status !== 'active' || i.status !== 'resolved');
  }, [status]);

  return (
    <div className="page incidents" data-testid="incidents">
      <Card>
        <form className="controls" onSubmit={(e) => e.preventDefault()}>
          <label>
            Status
            <select value={status} onChange={(e) => set({ status: e.target.value === 'active' ? null : e.target.value })} data-testid="incident-status-filter">
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s === 'active' ? 'open or acknowledged' : s}
                </option>
              ))}
            </select>
          </label>
        </form>
      </Card>
      <div className="split">
        <Card title="Incidents">
          {list.error ? <ErrorBox error={list.error} onRetry={list.reload} /> : null}
          {list.loading && !list.data ? <Loading what="incidents" /> : null}
          {list.data && list.data.length === 0 ? <Empty>No incidents.</Empty> : null}
          {list.data && list.data.length > 0 ? (
            <table className="data">
              <thead>
                <tr>
                  <th>Opened</th>
                  <th>Severity</th>
                  <th>Root scope</th>
                  <th className="num">$/h</th>
                  <th className="num">Alerts</th>
                  <th>Status</th>
                </tr>
              </thead>
              <tbody>
                {list.data.map((i) => (
                  <tr key={i.id} className={i.id === selectedId ? 'selected' : ''} data-testid="incident-row" data-id={i.id}>
                    <td>
                      <a href={hrefFor('incidents', { ...Object.fromEntries(p), id: i.id })}>
                        <Time iso={i.opened_at} />
                      </a>
                    </td>
                    <td>
                      <span className={`sev sev-${i.severity}`}>{i.severity}</span>
                    </td>
                    <td>
                      {i.root_kind.replace(/_/g, ' ')} on {scopeText(i.root_scope)}
                    </td>
                    <td className="num">
                      <Money value={i.impact_usd_per_hour} />
                    </td>
                    <td className="num">{formatCount(i.alert_ids.length)}</td>
                    <td>
                      <span className={`alert-status status-${i.status}`}>{i.status}</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </Card>
        {selectedId ? <IncidentDetail key={selectedId} id={selectedId} onChanged={list.reload} onClose={() => set({ id: null })} /> : null}
      </div>
    </div>
  );
}

function IncidentDetail({ id, onChanged, onClose }: { id: string; onChanged: () => void; onClose: () => void }) {
  const detail = useApi(async (signal) => api<IncidentItem>('GET', `/api/incidents/${encodeURIComponent(id)}`, { signal }), [id]);
  const [note, setNote] = useState('');
  const [error, setError] = useState<Error>();
  const act = async (action: 'ack' | 'snooze' | 'notes' | 'new-normal', body: Record<string, unknown> = {}) => {
    setError(undefined);
    try {
      await api('POST', `/api/incidents/${encodeURIComponent(id)}/${action}`, { body });
      detail.reload();
      onChanged();
    } catch (e) {
      setError(e as Error);
    }
  };
  const i = detail.data;
  const windowStart = i ? new Date(Date.parse(i.opened_at) - 60 * 60_000).toISOString() : '';
  return (
    <Card
      title="Incident"
      className="detail"
      actions={
        <button type="button" onClick={onClose} aria-label="Close">
          ×
        </button>
      }
    >
      {detail.error ? <ErrorBox error={detail.error} onRetry={detail.reload} /> : null}
      {!i ? <Loading what="the incident" /> : null}
      {i ? (
        <div data-testid="incident-detail">
          <p className="alert-summary-big">{i.summary}</p>
          <dl className="kv">
            <dt>Status</dt>
            <dd>
              <span className={`alert-status status-${i.status}`} data-testid="incident-status">
                {i.status}
              </span>
              {i.snoozed_until && Date.parse(i.snoozed_until) > Date.now() ? (
                <span className="muted">
                  {' '}
                  (snoozed until <Time iso={i.snoozed_until} />)
                </span>
              ) : null}
            </dd>
            <dt>Root scope</dt>
            <dd data-testid="incident-root">{scopeText(i.root_scope)}</dd>
            <dt>Impact</dt>
            <dd>
              <Money value={i.impact_usd_per_hour} testId="incident-impact" />
              /h now (peak <Money value={i.peak_impact_usd_per_hour} />
              /h) · about <Money value={soFar(i)} /> so far
            </dd>
            <dt>Opened</dt>
            <dd>
              <Time iso={i.opened_at} /> · last seen <Time iso={i.last_seen_at} />
            </dd>
          </dl>
          <p className="inline">
            <a href={i.link.includes('#') ? i.link.slice(i.link.indexOf('#')) : hrefFor('explorer')}>Open in the explorer</a> ·{' '}
            <a href={hrefFor('requests', { from: windowStart, ...Object.fromEntries(Object.entries(i.root_scope).map(([k, v]) => [`f.${k}`, v])) })} data-testid="incident-calls">
              calls on the root scope
            </a>
          </p>
          <h3>Timeline</h3>
          <ol className="timeline" data-testid="incident-timeline">
            {(i.alerts ?? [])
              .slice()
              .sort((a, b) => Date.parse(a.detected_at) - Date.parse(b.detected_at))
              .map((a) => (
                <li key={a.id}>
                  <Time iso={a.detected_at} /> <span className={`sev sev-${a.severity}`}>{a.severity}</span> {a.kind.replace(/_/g, ' ')} on {scopeText(a.scope)} — {a.summary}{' '}
                  <a href={hrefFor('alerts', { id: a.id, status: 'all' })}>alert</a>
                </li>
              ))}
          </ol>
          {i.contributors.length ? (
            <>
              <h3>Contributors</h3>
              <table className="data" data-testid="incident-contributors">
                <tbody>
                  {i.contributors.map((c) => (
                    <tr key={`${c.dimension}=${c.value ?? ''}`}>
                      <td>
                        {c.dimension} {c.value ?? '(none)'}
                      </td>
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
          {i.notes.length ? (
            <>
              <h3>Notes</h3>
              <ul data-testid="incident-notes">
                {i.notes.map((n, k) => (
                  <li key={k}>
                    <Time iso={n.at} /> {n.action === 'note' ? '' : `[${n.action.replace('_', ' ')}] `}
                    {n.text}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          {error ? <ErrorBox error={error} /> : null}
          <div className="inline">
            {i.status === 'open' ? (
              <button type="button" onClick={() => void act('ack')} data-testid="incident-ack">
                Acknowledge
              </button>
            ) : null}
            {i.status !== 'resolved' ? (
              <>
                <button type="button" onClick={() => void act('snooze', { minutes: 60 })} data-testid="incident-snooze">
                  Snooze 1 h
                </button>
                <button type="button" onClick={() => void act('new-normal')} data-testid="incident-new-normal" title="A legitimate step change (a launch): expect this level from now on">
                  This is the new normal
                </button>
              </>
            ) : null}
          </div>
          <form
            className="inline"
            onSubmit={(e) => {
              e.preventDefault();
              if (note.trim()) void act('notes', { text: note.trim() }).then(() => setNote(''));
            }}
          >
            <input value={note} onChange={(e) => setNote(e.target.value)} placeholder="Add a note" maxLength={2000} data-testid="incident-note-input" />
            <button type="submit" data-testid="incident-note-add">
              Add note
            </button>
          </form>
        </div>
      ) : null}
    </Card>
  );
}
