/**
 * What channels deliver: alert lifecycle events and budget threshold events (the budgets module
 * emits those; the coordinator wires its emitter to `Notifier.notify`). Rendered once into a
 * plain message every channel formats its own way.
 */
import type { Alert, Severity } from '../alert-types.js';
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
  | { type: 'budget.threshold'; budget: BudgetThresholdEvent };

export interface RenderedMessage {
  event: NotifyEvent['type'];
  kind: string;
  severity: Severity;
  scope: Scope;
  title: string;
  text: string;
  link: string | null;
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
