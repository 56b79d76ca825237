/**
 * The harder detection benchmark (issue 17): seeded traffic written apart from the detectors
 * (bench/detection/hard-traffic.ts), scored as incidents — what people get paged about — next to
 * two baselines (30-day hourly average × 2; the previous hour × 5).
 *
 *   node dist/bench/detection/hard-detection.bench.js [--seeds 6-10] [--days 28] [--json]
 *
 * Tune on seeds 1–5; report seeds 6–10 (the defaults). A launch is acknowledged as the new normal
 * when its first incident opens (what an operator would do), through `newNormalAnnotation`.
 */
import { DEFAULT_INCIDENT, IncidentTracker, type Incident } from '../../src/alerts/incident-tracker.js';
import { newNormalAnnotation } from '../../src/alerts/new-normal.js';
import { runBacktest } from '../../src/alerts/backtest.js';
import type { Annotation } from '../../src/alerts/annotation.js';
import type { Alert } from '../../src/alerts/alert-types.js';
import { scopesOverlap } from '../../src/alerts/scope.js';
import { averageThresholdBacktest } from './average-threshold.js';
import { scoreIncidents, type HardScore, type ScoredIncident } from './hard-score.js';
import { generateHard } from './hard-traffic.js';
import { hourlyThresholdBacktest } from './hourly-threshold.js';
import type { ScoredAlert } from './score.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const [lo, hi] = arg('seeds', '6-10').split('-').map(Number) as [number, number];
const days = Number(arg('days', '28'));
const json = process.argv.includes('--json');
const asIncidents = (alerts: readonly ScoredAlert[]): ScoredIncident[] => alerts.map((a) => ({ opened_at: a.detected_at, severity: a.severity, alerts: [{ scope: a.scope, detected_at: a.detected_at }] }));

const rows: { seed: number; detector: string; score: HardScore }[] = [];
for (let seed = lo; seed <= (hi ?? lo); seed++) {
  const t0 = Date.now();
  const sc = generateHard(seed, days);
  const t1 = Date.now();
  const launch = sc.events.find((e) => e.kind === 'launch');
  const annotations = sc.input.annotations as Annotation[];
  let n = 0;
  const grouping = new IncidentTracker(DEFAULT_INCIDENT, () => `inc-${seed}-${++n}`);
  const incidents: Incident[] = [];
  const members = new Map<string, Alert[]>();
  let acked = false;
  await runBacktest(sc.input, {
    fromMs: sc.evalFrom,
    toMs: sc.end,
    onEvents: (events, t) => {
      const changes = grouping.apply(events, t);
      for (const ev of events) if (ev.type === 'opened' && ev.alert.incident_id) members.set(ev.alert.incident_id, [...(members.get(ev.alert.incident_id) ?? []), ev.alert]);
      for (const e of changes) {
        if (e.type === 'opened') incidents.push(e.incident);
        // The operator's answer to the launch's incident: "this is the new normal".
        if (e.type === 'opened' && launch && !acked && t >= launch.start && e.incident.scopes.some((s) => scopesOverlap(s, launch.fields)) && t < launch.start + 6 * 3_600_000) {
          acked = true;
          annotations.push(newNormalAnnotation(`nn-${seed}`, e.incident, grouping.membersOf(e.incident.id), t));
        }
      }
    },
  });
  const t2 = Date.now();
  const scopes = sc.input.scopes.length;
  const scored = incidents.map((i) => ({ opened_at: i.opened_at, severity: i.severity, alerts: members.get(i.id) ?? [] }));
  if (process.env['SHOW']) for (const i of incidents) for (const a of members.get(i.id) ?? []) process.stderr.write(`  ${i.id.slice(-4)} ${new Date(a.detected_at).toISOString()} ${a.severity} ${a.kind} ${JSON.stringify(a.scope)} ${a.summary}\n`);
  rows.push({ seed, detector: 'costrail incidents', score: scoreIncidents(scored, sc, scopes) });
  rows.push({ seed, detector: '30-day avg x2', score: scoreIncidents(asIncidents(averageThresholdBacktest({ ...sc.input, annotations: [] }, sc.evalFrom, sc.end, 2)), sc, scopes) });
  rows.push({ seed, detector: 'hourly x5', score: scoreIncidents(asIncidents(hourlyThresholdBacktest(sc.input, sc.evalFrom, sc.end, 5)), sc, scopes) });
  if (!json) process.stderr.write(`seed ${seed}: ${sc.calls} calls, ${scopes} scopes, ${days} days evaluated; generate ${t1 - t0} ms, backtest ${t2 - t1} ms\n`);
}

const detectors = [...new Set(rows.map((r) => r.detector))];
const summary = detectors.map((d) => {
  const s = rows.filter((r) => r.detector === d).map((r) => r.score);
  const sum = (f: (x: HardScore) => number) => s.reduce((a, x) => a + f(x), 0);
  const delays = s.map((x) => x.median_delay_min).filter(Number.isFinite).sort((a, b) => a - b);
  return {
    detector: d,
    runaways: sum((x) => x.runaways),
    recall_60min: sum((x) => x.caught_60min) / Math.max(1, sum((x) => x.runaways)),
    median_delay_min: delays[Math.floor((delays.length - 1) / 2)] ?? NaN,
    creeps_caught_60min: `${sum((x) => x.creeps_caught_60min)}/${sum((x) => x.creeps)}`,
    false_per_scope_month: sum((x) => x.false_per_scope_month) / s.length,
    false_incidents: sum((x) => x.false_incidents),
    max_incidents_per_runaway: Math.max(...s.map((x) => x.max_incidents_per_runaway)),
    max_notifications_per_runaway: Math.max(...s.map((x) => x.max_notifications_per_runaway)),
    launch_incidents: sum((x) => x.launch_incidents),
  };
});
if (json) process.stdout.write(JSON.stringify({ seeds: `${lo}-${hi ?? lo}`, days, summary, rows }, null, 2) + '\n');
else {
  console.table(summary);
  for (const r of rows.filter((x) => x.detector === 'costrail incidents')) {
    for (const m of r.score.missed) console.log(`seed ${r.seed} missed: ${m}`);
    for (const f of r.score.false_list) console.log(`seed ${r.seed} false: ${f}`);
  }
}
