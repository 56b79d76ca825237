/**
 * Scores incidents (or a baseline's alerts, each its own incident and notification) against the
 * hard scenario's labels: recall and delay for runaways ≥ $50/h, creeps caught within 60 min,
 * false incidents per scope-month, incidents and notifications per runaway.
 */
import { scopeContains, scopesOverlap, type Scope } from '../../src/alerts/scope.js';
import type { HardEvent, HardScenario } from './hard-traffic.js';

export interface ScoredIncident {
  opened_at: number;
  severity: string;
  /** The member alerts' scopes and times. */
  alerts: { scope: Scope; detected_at: number }[];
}

export interface HardScore {
  runaways: number;
  caught_60min: number;
  recall_60min: number;
  median_delay_min: number;
  p90_delay_min: number;
  missed: string[];
  creeps: number;
  creeps_caught_60min: number;
  launch_incidents: number;
  false_incidents: number;
  false_per_scope_month: number;
  max_incidents_per_runaway: number;
  mean_incidents_per_runaway: number;
  /** Per channel (one channel taking warning and up): opening messages per runaway. */
  max_notifications_per_runaway: number;
  incidents: number;
  false_list: string[];
}

const SLACK = 2 * 3_600_000;
const INCIDENT_KINDS = new Set(['runaway', 'key_leak', 'creep']);

function explains(e: HardEvent, a: { scope: Scope; detected_at: number }, slack = SLACK): boolean {
  return scopesOverlap(a.scope, e.fields) && a.detected_at >= e.start && a.detected_at <= e.end + slack;
}

function pct(sorted: number[], q: number): number {
  return sorted.length ? (sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number) : NaN;
}

export function scoreIncidents(incidents: readonly ScoredIncident[], sc: HardScenario, scopes: number): HardScore {
  const runaways = sc.events.filter((e) => (e.kind === 'runaway' || e.kind === 'key_leak') && e.usd_per_hour >= 50);
  const creeps = sc.events.filter((e) => e.kind === 'creep');
  const first = (e: HardEvent) => Math.min(Infinity, ...incidents.flatMap((i) => i.alerts.filter((a) => explains(e, a, 0)).map((a) => a.detected_at)));
  const delays: number[] = [];
  const missed: string[] = [];
  for (const e of runaways) {
    const f = first(e);
    if (f - e.start <= 60 * 60_000) delays.push((f - e.start) / 60_000);
    else missed.push(`${e.kind} ${new Date(e.start).toISOString()} +$${e.usd_per_hour.toFixed(0)}/h ${JSON.stringify(e.fields)}${Number.isFinite(f) ? ` caught after ${Math.round((f - e.start) / 60_000)} min` : ''}`);
  }
  delays.sort((a, b) => a - b);
  const perRunaway = runaways.map((e) => incidents.filter((i) => i.alerts.some((a) => explains(e, a))));
  const launch = sc.events.find((e) => e.kind === 'launch');
  let launchIncidents = 0;
  const falseList: string[] = [];
  for (const i of incidents) {
    if (sc.events.some((e) => INCIDENT_KINDS.has(e.kind) && i.alerts.some((a) => explains(e, a)))) continue;
    // A launch explains alerts on scopes it lies in (its feature, team, key, model, provider), not all spend.
    if (launch && i.alerts.some((a) => Object.keys(a.scope).length > 0 && scopeContains(a.scope, launch.fields) && a.detected_at >= launch.start)) {
      // The launch may raise one incident (it is news); every further one is noise.
      if (++launchIncidents === 1) continue;
    }
    falseList.push(`${new Date(i.opened_at).toISOString()} ${i.severity} ${i.alerts.map((a) => JSON.stringify(a.scope)).join(' ')}`);
  }
  const months = (sc.end - sc.evalFrom) / (30 * 86_400_000);
  const counts = perRunaway.map((l) => l.length);
  return {
    runaways: runaways.length,
    caught_60min: delays.length,
    recall_60min: runaways.length ? delays.length / runaways.length : NaN,
    median_delay_min: pct(delays, 0.5),
    p90_delay_min: pct(delays, 0.9),
    missed,
    creeps: creeps.length,
    creeps_caught_60min: creeps.filter((e) => first(e) - e.start <= 60 * 60_000).length,
    launch_incidents: launchIncidents,
    false_incidents: falseList.length,
    false_per_scope_month: falseList.length / (scopes * months),
    max_incidents_per_runaway: Math.max(0, ...counts),
    mean_incidents_per_runaway: counts.length ? counts.reduce((a, b) => a + b, 0) / counts.length : NaN,
    max_notifications_per_runaway: Math.max(0, ...perRunaway.map((l) => l.filter((i) => i.severity !== 'info').length)),
    incidents: incidents.length,
    false_list: falseList,
  };
}
