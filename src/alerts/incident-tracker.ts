/**
 * Incidents: the alerts that share one cause. A team's runaway is seen at the org, provider,
 * model, team, feature and key scopes, and a leaked key raises a new-source alert beside its
 * velocity alerts; people want one page for all of them. Pure state, like the alert tracker: the
 * live service persists and notifies what it returns, the backtest just collects it.
 *
 * Grouping rule: an alert opening while an incident is active (an alert of it fired within
 * `joinMinutes`) joins that incident when the two can hold the same calls — their scopes overlap
 * (no field fixed to different values), so `{}` overlaps everything and two teams never do.
 * The root scope is the narrowest member scope whose excess explains at least `rootShare` of
 * the largest member excess: for a leaked key it is the key, for a team-wide runaway the team.
 */
import { randomUUID } from 'node:crypto';
import type { Alert, AlertKind, Contributor, Severity } from './alert-types.js';
import type { LifecycleEvent } from './alert-tracker.js';
import { round6 } from './robust-stats.js';
import { scopeLabel, scopesOverlap, type Scope } from './scope.js';
import { MINUTE_MS } from './scope-series.js';

export type IncidentStatus = 'open' | 'acknowledged' | 'resolved';

/** Where one channel's notification thread for an incident lives. */
export interface IncidentThread {
  /** Epoch ms of the opening message. */
  sent_at: number;
  /** Slack message timestamp of the opening message (updates reply in its thread); null elsewhere. */
  thread_ts: string | null;
  /** Follow-ups sent in the thread (escalation, resolution). */
  updates: number;
}

export interface IncidentNote {
  at: number;
  text: string;
  action: 'note' | 'snooze' | 'new_normal';
}

export interface Incident {
  id: string;
  status: IncidentStatus;
  severity: Severity;
  opened_at: number;
  last_seen_at: number;
  resolved_at: number | null;
  /** The narrowest scope that explains most of the excess. */
  root_scope: Scope;
  root_kind: AlertKind;
  kinds: AlertKind[];
  alert_ids: string[];
  /** Member alerts' scopes (channel routing matches any of them). */
  scopes: Scope[];
  /** Estimated excess spend of the root scope, $ per hour, now and at its worst. */
  impact_usd_per_hour: number;
  peak_impact_usd_per_hour: number;
  contributors: Contributor[];
  summary: string;
  link: string;
  /** Notifications suppressed until then (epoch ms), by an operator. */
  snoozed_until: number | null;
  notes: IncidentNote[];
  /** Per channel key: the thread the incident was announced in. */
  notifications: Record<string, IncidentThread>;
}

export interface IncidentParams {
  /**
   * An alert joins an incident whose members fired within this many minutes — a resolved one too
   * (it reopens, in the same thread): a runaway's cost-per-call drift shows an hour after its
   * velocity alerts, and a flapping runaway is still one runaway.
   */
  joinMinutes: number;
  /** A narrower member is the root when its excess is at least this share of the largest. */
  rootShare: number;
}

export const DEFAULT_INCIDENT: IncidentParams = { joinMinutes: 60, rootShare: 0.5 };

export interface IncidentEvent {
  /** `opened` once; `escalated` when its severity rises; `resolved` when every member alert is. */
  type: 'opened' | 'joined' | 'escalated' | 'resolved';
  incident: Incident;
}

const RANK = { info: 0, warning: 1, critical: 2 } as const;
/** Alerts that are news about a cause rather than a measure of it. */
const NEWS: ReadonlySet<AlertKind> = new Set(['new_source', 'forecast_breach']);
/** How narrow a dimension is: a trace or key explains a runaway better than a team or provider. */
const NARROWNESS: Record<string, number> = { trace_id: 6, key_id: 5, customer: 4, feature: 4, model: 3, team: 3, provider: 2 };

export function scopeNarrowness(scope: Scope): number {
  return Object.keys(scope).reduce((n, k) => n + (NARROWNESS[k] ?? 3), 0);
}

/** An alert's money: the excess it reports, in $ per hour (0 for alerts about counts or budgets). */
export function alertExcessPerHour(a: Pick<Alert, 'kind' | 'unit' | 'observed' | 'expected' | 'window_minutes' | 'detail'>): number {
  const d = a.detail?.['excess_usd_per_hour'];
  if (typeof d === 'number') return Math.max(0, d);
  const paid = a.detail?.['cost_usd'];
  if (typeof paid === 'number') return Math.max(0, (paid * 60) / Math.max(1, a.window_minutes));
  if (a.kind === 'new_source' && a.unit === 'usd') return Math.max(0, a.observed);
  if (a.kind === 'spend_velocity') return Math.max(0, ((a.observed - a.expected) * 60) / Math.max(1, a.window_minutes));
  return 0;
}

export class IncidentTracker {
  private readonly active = new Map<string, Incident>();
  private readonly members = new Map<string, Alert[]>();
  /** Recently resolved incidents that a related alert may still reopen. */
  private readonly recent = new Map<string, { incident: Incident; alerts: Alert[] }>();

  constructor(
    readonly params: IncidentParams = DEFAULT_INCIDENT,
    private readonly newId: () => string = randomUUID,
  ) {}

  /** Incidents still open (read back from the store at start) with their member alerts. */
  restore(incidents: readonly Incident[], alerts: readonly Alert[]): void {
    for (const i of incidents) {
      if (i.status === 'resolved') continue;
      this.active.set(i.id, i);
      this.members.set(i.id, alerts.filter((a) => a.incident_id === i.id));
    }
  }

  list(): Incident[] {
    return [...this.active.values()];
  }

  get(id: string): Incident | null {
    return this.active.get(id) ?? null;
  }

  membersOf(id: string): Alert[] {
    return this.members.get(id) ?? [];
  }

  /** Folds one evaluation's alert lifecycle events into incidents; sets `incident_id` on each alert. */
  apply(events: readonly LifecycleEvent[], t: number): IncidentEvent[] {
    const out: IncidentEvent[] = [];
    const touched = new Set<Incident>();
    for (const e of events) {
      if (e.type === 'opened') {
        const inc = this.find(e.alert, t);
        if (inc && inc.status === 'resolved') {
          const back = this.recent.get(inc.id);
          this.recent.delete(inc.id);
          Object.assign(inc, { status: 'open', resolved_at: null });
          this.active.set(inc.id, inc);
          this.members.set(inc.id, back?.alerts ?? []);
        }
        if (inc) {
          e.alert.incident_id = inc.id;
          (this.members.get(inc.id) as Alert[]).push(e.alert);
          touched.add(inc);
          out.push({ type: 'joined', incident: inc });
        } else {
          const created = this.create(e.alert, t);
          touched.add(created);
          out.push({ type: 'opened', incident: created });
        }
      } else {
        const inc = e.alert.incident_id ? this.active.get(e.alert.incident_id) : undefined;
        if (inc) touched.add(inc);
      }
    }
    for (const inc of touched) {
      const before = inc.severity;
      this.refresh(inc, t);
      if (RANK[inc.severity] > RANK[before]) out.push({ type: 'escalated', incident: inc });
      const alerts = this.members.get(inc.id) ?? [];
      const rated = alerts.filter((a) => !NEWS.has(a.kind));
      if ((rated.length ? rated : alerts).every((a) => a.status === 'resolved')) {
        inc.status = 'resolved';
        inc.resolved_at = t;
        this.active.delete(inc.id);
        this.members.delete(inc.id);
        this.recent.set(inc.id, { incident: inc, alerts });
        out.push({ type: 'resolved', incident: inc });
      }
    }
    return out;
  }

  /** The active incident this alert belongs to: overlapping scopes, a member seen recently. */
  private find(a: Alert, t: number): Incident | null {
    let best: Incident | null = null;
    for (const [id, r] of this.recent) if (t - r.incident.last_seen_at > this.params.joinMinutes * MINUTE_MS) this.recent.delete(id);
    const candidates = [...[...this.active.values()].map((i) => ({ inc: i, alerts: this.members.get(i.id) ?? [] })), ...[...this.recent.values()].map((r) => ({ inc: r.incident, alerts: r.alerts }))];
    for (const { inc, alerts } of candidates) {
      if (t - inc.last_seen_at > this.params.joinMinutes * MINUTE_MS) continue;
      const overlap = alerts.some((m) => scopesOverlap(m.scope, a.scope));
      if (overlap && (!best || inc.peak_impact_usd_per_hour > best.peak_impact_usd_per_hour)) best = inc;
    }
    return best;
  }

  private create(a: Alert, t: number): Incident {
    const inc: Incident = {
      id: this.newId(),
      status: 'open',
      severity: a.severity,
      opened_at: t,
      last_seen_at: t,
      resolved_at: null,
      root_scope: a.scope,
      root_kind: a.kind,
      kinds: [a.kind],
      alert_ids: [a.id],
      scopes: [a.scope],
      impact_usd_per_hour: 0,
      peak_impact_usd_per_hour: 0,
      contributors: [],
      summary: a.summary,
      link: a.link,
      snoozed_until: null,
      notes: [],
      notifications: {},
    };
    a.incident_id = inc.id;
    this.active.set(inc.id, inc);
    this.members.set(inc.id, [a]);
    return inc;
  }

  /** Recomputes the root scope, impact, severity and summary from the member alerts. */
  private refresh(inc: Incident, t: number): void {
    const alerts = this.members.get(inc.id) ?? [];
    const rated = alerts.filter((a) => !NEWS.has(a.kind));
    const live = rated.filter((a) => a.status !== 'resolved');
    // A forecast breach is about a budget and a new source is news for a day: neither keeps the
    // incident open nor roots it while a rate alert (velocity, drift, storm) is a member.
    const base = live.length ? live : rated.length ? rated : alerts;
    // …but a new key's first-hour spend is all excess: it may root the incident (a leaked key).
    const pool = [...base, ...alerts.filter((a) => a.kind === 'new_source' && !base.includes(a))];
    inc.last_seen_at = Math.max(inc.last_seen_at, ...base.map((a) => a.last_seen_at), live.length ? t : 0);
    inc.alert_ids = alerts.map((a) => a.id);
    inc.kinds = [...new Set(alerts.map((a) => a.kind))];
    inc.scopes = alerts.map((a) => a.scope);
    inc.severity = alerts.reduce<Severity>((s, a) => (RANK[a.severity] > RANK[s] ? a.severity : s), 'info');
    const largest = Math.max(0, ...pool.map(alertExcessPerHour));
    const candidates = pool.filter((a) => largest <= 0 || alertExcessPerHour(a) >= this.params.rootShare * largest);
    const root = candidates.reduce((r, a) => ((scopeNarrowness(a.scope) - scopeNarrowness(r.scope) || alertExcessPerHour(a) - alertExcessPerHour(r)) > 0 ? a : r), candidates[0] as Alert);
    inc.root_scope = root.scope;
    inc.root_kind = root.kind;
    inc.link = root.link;
    inc.impact_usd_per_hour = round6(alertExcessPerHour(root));
    inc.peak_impact_usd_per_hour = Math.max(inc.peak_impact_usd_per_hour, inc.impact_usd_per_hour);
    const seen = new Set<string>();
    inc.contributors = alerts
      .flatMap((a) => a.contributors)
      .filter((c) => {
        const k = `${c.dimension}=${c.value ?? ''}`;
        return seen.has(k) ? false : (seen.add(k), true);
      })
      .sort((x, y) => Number(y.cost) - Number(x.cost))
      .slice(0, 10);
    const others = alerts.length - 1;
    inc.summary = `${scopeLabel(inc.root_scope)}: ${root.kind.replace(/_/g, ' ')}, about $${inc.impact_usd_per_hour.toFixed(2)}/h above normal${others > 0 ? ` (${others} related alert${others > 1 ? 's' : ''} at other scopes)` : ''}. ${root.summary}`;
  }
}
