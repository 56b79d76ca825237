/**
 * The alert lifecycle, in memory: open → acknowledged → resolved. One alert per (scope, kind) at a
 * time (later firings update it), automatic resolution once the condition has been clear for a
 * while, and a cool-down after resolution so a flapping condition does not page again at once.
 * Pure state: the live evaluator persists the events it returns, the backtest just collects them.
 */
import { randomUUID } from 'node:crypto';
import type { Alert, AlertKind, Signal } from './alert-types.js';
import { explorerLink, scopeId } from './scope.js';
import { MINUTE_MS } from './scope-series.js';

export interface LifecycleParams {
  /** Minutes without firing before an alert resolves itself. */
  clearAfterMinutes: number;
  /** Minutes after a resolution during which the same (scope, kind) does not open again. */
  cooldownMinutes: number;
  /** Per-kind overrides of clearAfterMinutes (a new source is news for a day). */
  clearAfterByKind: Partial<Record<AlertKind, number>>;
}

// Unit-economics alerts are evaluated hourly over days of data: a day without firing ends the
// episode, so a feature hovering at the threshold stays one alert.
export const DEFAULT_LIFECYCLE: LifecycleParams = { clearAfterMinutes: 30, cooldownMinutes: 60, clearAfterByKind: { new_source: 1440, forecast_breach: 180, outcome_cost_drift: 1440, margin_threshold: 1440 } };

export interface LifecycleEvent {
  type: 'opened' | 'escalated' | 'resolved';
  alert: Alert;
}

const RANK = { info: 0, warning: 1, critical: 2 } as const;

export function alertKey(a: Pick<Signal, 'scope' | 'kind'>): string {
  return `${a.kind}|${scopeId(a.scope)}`;
}

export class AlertTracker {
  private readonly open = new Map<string, Alert>();
  private readonly resolvedAt = new Map<string, number>();

  constructor(
    readonly params: LifecycleParams = DEFAULT_LIFECYCLE,
    private readonly newId: () => string = randomUUID,
  ) {}

  /** Alerts still open or acknowledged (e.g. read back from the store at start). */
  restore(alerts: readonly Alert[]): void {
    for (const a of alerts) if (a.status !== 'resolved') this.open.set(alertKey(a), a);
  }

  active(): Alert[] {
    return [...this.open.values()];
  }

  /** Applies one evaluation's firing signals at instant `t`; returns what changed. */
  apply(signals: readonly Signal[], t: number): LifecycleEvent[] {
    const events: LifecycleEvent[] = [];
    const fired = new Set<string>();
    for (const s of signals) {
      const key = alertKey(s);
      if (fired.has(key)) continue;
      fired.add(key);
      const current = this.open.get(key);
      if (current) {
        current.last_seen_at = t;
        const escalated = RANK[s.severity] > RANK[current.severity];
        if (s.observed > current.peak_observed) current.peak_observed = s.observed;
        if (escalated) {
          Object.assign(current, { severity: s.severity, observed: s.observed, expected: s.expected, expected_low: s.expected_low, expected_high: s.expected_high, summary: s.summary, window_minutes: s.window_minutes });
          events.push({ type: 'escalated', alert: current });
        }
        continue;
      }
      const last = this.resolvedAt.get(key);
      if (last !== undefined && t - last < this.params.cooldownMinutes * MINUTE_MS) continue;
      const alert: Alert = {
        ...s,
        id: this.newId(),
        status: 'open',
        detected_at: t,
        last_seen_at: t,
        acknowledged_at: null,
        resolved_at: null,
        resolved_by: null,
        peak_observed: s.observed,
        contributors: [],
        incident_id: null,
        link: explorerLink(s.scope, t - Math.max(60, 4 * s.window_minutes) * MINUTE_MS, t + 30 * MINUTE_MS),
      };
      this.open.set(key, alert);
      events.push({ type: 'opened', alert });
    }
    for (const [key, a] of this.open) {
      if (fired.has(key)) continue;
      const clear = this.params.clearAfterByKind[a.kind] ?? this.params.clearAfterMinutes;
      if (t - a.last_seen_at >= clear * MINUTE_MS) events.push({ type: 'resolved', alert: this.close(key, a, t, 'auto') });
    }
    return events;
  }

  acknowledge(id: string, t: number): Alert | null {
    for (const a of this.open.values()) {
      if (a.id === id) {
        if (a.status === 'open') Object.assign(a, { status: 'acknowledged', acknowledged_at: t });
        return a;
      }
    }
    return null;
  }

  resolve(id: string, t: number): Alert | null {
    for (const [key, a] of this.open) if (a.id === id) return this.close(key, a, t, 'manual');
    return null;
  }

  private close(key: string, a: Alert, t: number, by: 'auto' | 'manual'): Alert {
    this.open.delete(key);
    this.resolvedAt.set(key, t);
    return Object.assign(a, { status: 'resolved' as const, resolved_at: t, resolved_by: by });
  }
}
