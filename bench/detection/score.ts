/** Scores a list of alerts against the generator's labels: recall, time to detect, false alerts. */
import { scopesOverlap, type Scope } from '../../src/alerts/scope.js';
import { RUNAWAY_KINDS, type LabelledEvent, type Scenario } from './spend-generator.js';

export interface ScoredAlert {
  detected_at: number;
  scope: Scope;
  kind: string;
  severity: string;
}

export interface DetectionScore {
  runaways: number;
  caught: number;
  recall: number;
  median_ttd_min: number;
  p90_ttd_min: number;
  missed: string[];
  /** Alerts no labelled event explains (an annotated launch explains nothing: it should be silent). */
  false_alerts: number;
  false_per_scope_month: number;
  false_by_kind: Record<string, number>;
  /** Unexplained alerts during the annotated launch (counted in false_alerts too). */
  annotated_launch_false: number;
  /** Alerts a legitimate but unannotated launch explains (not counted as false). */
  unannotated_launch_alerts: number;
  /** Runaways caught by each alert kind alone (first alert of that kind). */
  recall_by_kind: Record<string, number>;
  /** Median minutes to detect for the spend velocity detector alone. */
  velocity_median_ttd_min: number;
  swaps_caught: string;
  alerts: number;
  /** The unexplained alerts themselves (for tuning). */
  false_list: ScoredAlert[];
}

const SLACK_MS = 2 * 3_600_000;

function explains(e: LabelledEvent, a: ScoredAlert, untilEnd = false): boolean {
  // Any scope a record of the event falls in (an alert on the event's model or customer counts).
  return scopesOverlap(a.scope, e.fields) && a.detected_at >= e.start && a.detected_at <= (untilEnd ? e.end : e.end + SLACK_MS);
}

function pct(sorted: number[], q: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
}

export function scoreAlerts(alerts: readonly ScoredAlert[], sc: Scenario, scopes: number, minUsdPerHour = 50): DetectionScore {
  const runaways = sc.events.filter((e) => RUNAWAY_KINDS.includes(e.kind) && e.added_usd_per_hour >= minUsdPerHour);
  const ttd: number[] = [];
  const missed: string[] = [];
  for (const e of runaways) {
    const first = alerts.filter((a) => explains(e, a, true)).reduce((m, a) => Math.min(m, a.detected_at), Infinity);
    if (Number.isFinite(first)) ttd.push((first - e.start) / 60_000);
    else missed.push(`${e.kind} ${new Date(e.start).toISOString()} +$${e.added_usd_per_hour.toFixed(0)}/h ${Math.round((e.end - e.start) / 60_000)}min`);
  }
  ttd.sort((a, b) => a - b);
  const byKindCaught: Record<string, number> = {};
  const velocityTtd: number[] = [];
  for (const e of runaways) {
    const kinds = new Set(alerts.filter((a) => explains(e, a, true)).map((a) => a.kind));
    for (const k of kinds) byKindCaught[k] = (byKindCaught[k] ?? 0) + 1;
    const v = alerts.filter((a) => a.kind === 'spend_velocity' && explains(e, a, true)).reduce((m, a) => Math.min(m, a.detected_at), Infinity);
    if (Number.isFinite(v)) velocityTtd.push((v - e.start) / 60_000);
  }
  velocityTtd.sort((a, b) => a - b);
  const swaps = sc.events.filter((e) => e.kind === 'model_swap');
  const incidents = sc.events.filter((e) => e.kind !== 'annotated_launch' && e.kind !== 'unannotated_launch');
  let falseAlerts = 0;
  const byKind: Record<string, number> = {};
  let annotated = 0;
  let unannotated = 0;
  const falseList: ScoredAlert[] = [];
  for (const a of alerts) {
    if (incidents.some((e) => explains(e, a))) continue;
    // A launch nobody annotated is a real, unexpected change: alerting on its first hours is fair.
    if (sc.events.some((e) => e.kind === 'unannotated_launch' && scopesOverlap(a.scope, e.fields) && a.detected_at >= e.start && a.detected_at < e.start + 6 * 3_600_000)) {
      unannotated++;
      continue;
    }
    if (sc.events.some((e) => e.kind === 'annotated_launch' && explains(e, a))) annotated++;
    falseAlerts++;
    falseList.push(a);
    byKind[a.kind] = (byKind[a.kind] ?? 0) + 1;
  }
  const months = (sc.end - sc.evalFrom) / (30 * 86_400_000);
  return {
    runaways: runaways.length,
    caught: ttd.length,
    recall: runaways.length ? ttd.length / runaways.length : NaN,
    median_ttd_min: pct(ttd, 0.5),
    p90_ttd_min: pct(ttd, 0.9),
    missed,
    false_alerts: falseAlerts,
    false_per_scope_month: falseAlerts / (scopes * months),
    false_by_kind: byKind,
    annotated_launch_false: annotated,
    unannotated_launch_alerts: unannotated,
    recall_by_kind: Object.fromEntries(Object.entries(byKindCaught).map(([k, v]) => [k, runaways.length ? v / runaways.length : 0])),
    velocity_median_ttd_min: pct(velocityTtd, 0.5),
    swaps_caught: `${swaps.filter((e) => alerts.some((a) => explains(e, a, true))).length}/${swaps.length}`,
    alerts: alerts.length,
    false_list: falseList,
  };
}
