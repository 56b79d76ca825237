/**
 * What channels deliver: alert lifecycle events and budget threshold events (the budgets module
 * emits those; the coordinator wires its emitter to `Notifier.notify`). Rendered once into a
 * plain message every channel formats its own way.
 */
import type { Alert, Severity } from '../alert-types.js';
import type { Incident } from '../incident-tracker.js';
import { scopeLabel, type Scope } from '../scope.js';

/**
 * A budget crossed one of its thresholds: the shape of the budgets module's `ThresholdEvent`
 * (policy-service.ts), so its `onThreshold` listener can pass events straight to `notify`.
 */
export interface BudgetThresholdEvent {
  budget_id: string;
  budget_name: string;
  scope: Scope;
  /** The threshold crossed, as a fraction of the limit (0.8 = 80 %). */
  threshold: number;
  unit: 'usd' | 'tokens';
  /** Exact decimal strings (USD) or token counts. */
  spent: string;
  limit: string;
  action: string;
  period_start?: string | null;
  resets_at?: string | null;
  /** ISO instant it was crossed. */
  at: string;
}

export type NotifyEvent =
  | { type: 'alert.opened' | 'alert.escalated' | 'alert.resolved'; alert: Alert }
  | { type: 'budget.threshold'; budget: BudgetThresholdEvent }
  /**
   * One incident, one thread per channel: `incident.opened` starts it, `incident.updated`
   * (escalation) and `incident.resolved` follow in it (Slack `thread_ts`, webhook incident id).
   */
  | { type: 'incident.opened' | 'incident.updated' | 'incident.resolved'; incident: Incident; alerts: readonly Alert[]; thread_ts?: string | null };

export interface RenderedMessage {
  event: NotifyEvent['type'];
  kind: string;
  severity: Severity;
  scope: Scope;
  title: string;
  text: string;
  link: string | null;
  /** Every scope the event is about (an incident's member alerts); routing matches any. */
  scopes?: Scope[];
  /** The incident this message belongs to, and the Slack thread to reply in (updates). */
  incident_id?: string;
  thread_ts?: string | null;
  /** The full event as JSON (webhooks send it as is). */
  payload: Record<string, unknown>;
}

export function renderEvent(e: NotifyEvent, baseUrl = ''): RenderedMessage {
  if (e.type === 'budget.threshold') {
    const b = e.budget;
    const pct = Math.round(b.threshold * 100);
    return {
      event: e.type,
      kind: 'budget_threshold',
      severity: b.threshold >= 1 ? 'critical' : 'warning',
      scope: b.scope,
      title: `Budget "${b.budget_name}" reached ${pct}%`,
      text: `Budget "${b.budget_name}" (${scopeLabel(b.scope)}) has used ${b.spent} of ${b.limit} ${b.unit === 'usd' ? 'USD' : 'tokens'} (${pct}% threshold)${b.resets_at ? `, resets ${b.resets_at}` : ''}; action: ${b.action}.`,
      link: null,
      payload: { type: e.type, budget: b },
    };
  }
  if ('incident' in e) return renderIncident(e, baseUrl);
  const a = e.alert;
  const verb = e.type === 'alert.resolved' ? 'Resolved' : e.type === 'alert.escalated' ? 'Escalated' : 'Alert';
  const contributors = a.contributors.slice(0, 5).map((c) => `${c.dimension} ${c.value ?? '(none)'} $${c.cost}`).join(', ');
  return {
    event: e.type,
    kind: a.kind,
    severity: a.severity,
    scope: a.scope,
    title: `${verb}: ${a.kind.replace(/_/g, ' ')} on ${scopeLabel(a.scope)} (${a.severity})`,
    text: `${a.summary}${contributors ? ` Top contributors: ${contributors}.` : ''}`,
    link: baseUrl + a.link,
    payload: { type: e.type, alert: { ...a, detected_at: new Date(a.detected_at).toISOString(), last_seen_at: new Date(a.last_seen_at).toISOString(), acknowledged_at: a.acknowledged_at === null ? null : new Date(a.acknowledged_at).toISOString(), resolved_at: a.resolved_at === null ? null : new Date(a.resolved_at).toISOString() } },
  };
}

const iso = (v: number | null): string | null => (v === null ? null : new Date(v).toISOString());

function renderIncident(e: Extract<NotifyEvent, { incident: Incident }>, baseUrl: string): RenderedMessage {
  const i = e.incident;
  const verb = e.type === 'incident.resolved' ? 'Resolved' : e.type === 'incident.updated' ? 'Update' : 'Incident';
  const contributors = i.contributors.slice(0, 5).map((c) => `${c.dimension} ${c.value ?? '(none)'} $${c.cost}`).join(', ');
  const tail = e.type === 'incident.resolved' ? ` Resolved after ${Math.max(1, Math.round(((i.resolved_at ?? i.last_seen_at) - i.opened_at) / 60_000))} min.` : '';
  return {
    event: e.type,
    kind: i.root_kind,
    severity: i.severity,
    scope: i.root_scope,
    scopes: i.scopes,
    incident_id: i.id,
    thread_ts: e.thread_ts ?? null,
    title: `${verb}: ${i.root_kind.replace(/_/g, ' ')} on ${scopeLabel(i.root_scope)} (${i.severity}, ~$${i.impact_usd_per_hour.toFixed(2)}/h)`,
    text: `${i.summary}${contributors ? ` Top contributors: ${contributors}.` : ''}${tail}`,
    link: baseUrl + i.link,
    payload: {
      type: e.type,
      incident: { ...i, notifications: undefined, opened_at: iso(i.opened_at), last_seen_at: iso(i.last_seen_at), resolved_at: iso(i.resolved_at), snoozed_until: iso(i.snoozed_until), notes: i.notes.map((n) => ({ ...n, at: iso(n.at) })) },
      alerts: e.alerts.map((a) => ({ id: a.id, kind: a.kind, severity: a.severity, scope: a.scope, status: a.status, summary: a.summary, detected_at: iso(a.detected_at) })),
    },
  };
}
