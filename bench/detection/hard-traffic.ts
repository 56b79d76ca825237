/**
 * The harder detection benchmark's traffic, written apart from the detectors (issue 17): five
 * teams whose per-call cost is log-normal with a long tail (σ 0.9–1.4: a few calls cost 20× the
 * median), days 1.5–2.5× busier than the seasonal baseline that are not incidents, weekend and
 * holiday dips, low-volume scopes whose single calls cost dollars, launches (a lasting step change
 * that should alert once, then be acknowledged as the new normal), runaways of $50–400/h and slow
 * $20/h creeps. Seeded; seeds 1–5 are for tuning, 6–10 for the reported figures.
 *
 * It folds calls straight into the scope series the detectors read (per-minute sums per app and
 * scope), not through ledger records: a month of several million calls then takes seconds, and the
 * data side (the ledger scan) is benchmarked elsewhere.
 */
import type { DetectionInput } from '../../src/alerts/detection-engine.js';
import type { SourceSighting } from '../../src/alerts/detectors/new-source.js';
import { scopeId, type Scope } from '../../src/alerts/scope.js';
import { newScopeSeries, type ScopeSeries } from '../../src/alerts/scope-series.js';
import { seededRandom as rng } from '../../src/simulator/seeded-random.js';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

interface App {
  team: string;
  feature: string;
  key: string;
  model: string;
  provider: string;
  /** Calls per hour at the daily peak. */
  peakCalls: number;
  /** Median cost of a call ($) and the log-normal σ of its spread. */
  median: number;
  sigma: number;
  weekdaysOnly?: boolean;
}

const APPS: App[] = [
  { team: 'search', feature: 'answer', key: 'k-search', model: 'gpt-4o', provider: 'openai', peakCalls: 1500, median: 0.03, sigma: 0.9 },
  { team: 'search', feature: 'rerank', key: 'k-search', model: 'gpt-4o-mini', provider: 'openai', peakCalls: 900, median: 0.004, sigma: 1.0 },
  { team: 'support', feature: 'chat', key: 'k-support', model: 'claude-sonnet-4', provider: 'anthropic', peakCalls: 700, median: 0.05, sigma: 1.1 },
  { team: 'support', feature: 'summarize', key: 'k-support-batch', model: 'claude-haiku', provider: 'anthropic', peakCalls: 400, median: 0.01, sigma: 1.0 },
  { team: 'research', feature: 'agent', key: 'k-research', model: 'gemini-2.5-pro', provider: 'gemini', peakCalls: 250, median: 0.12, sigma: 1.3 },
  // Low-volume scopes: a handful of calls an hour, some of them dollars each.
  { team: 'legal', feature: 'contract-review', key: 'k-legal', model: 'o3', provider: 'openai', peakCalls: 8, median: 0.25, sigma: 1.4, weekdaysOnly: true },
  { team: 'finance', feature: 'forecast-notes', key: 'k-finance', model: 'claude-sonnet-4', provider: 'anthropic', peakCalls: 5, median: 0.15, sigma: 1.3, weekdaysOnly: true },
];
/** Share of the daily peak by UTC hour. */
const DIURNAL = [0.25, 0.2, 0.16, 0.14, 0.14, 0.16, 0.22, 0.32, 0.48, 0.64, 0.78, 0.88, 0.94, 1, 1, 0.98, 0.95, 0.9, 0.82, 0.7, 0.55, 0.44, 0.36, 0.3];

export type HardEventKind = 'runaway' | 'key_leak' | 'creep' | 'launch' | 'busy_day' | 'holiday';

export interface HardEvent {
  kind: HardEventKind;
  start: number;
  end: number;
  /** Fields of the affected calls (an alert on an overlapping scope is explained by the event). */
  fields: Scope;
  /** $ per hour the event adds once at full strength (busy days, holidays: 0, they are not incidents). */
  usd_per_hour: number;
  /** Launches and busy days: the volume multiplier. */
  multiplier?: number;
}

export interface HardScenario {
  start: number;
  evalFrom: number;
  end: number;
  events: HardEvent[];
  input: DetectionInput;
  calls: number;
}

function gauss(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

function poisson(r: () => number, lambda: number): number {
  if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * gauss(r)));
  const L = Math.exp(-lambda);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= r();
  } while (p > L);
  return k - 1;
}

const appFields = (a: App): Scope => ({ team: a.team, feature: a.feature, key_id: a.key, model: a.model, provider: a.provider });

/** Plans the events of one seed: which days are busy or holidays, when runaways, creeps and launches happen. */
export function planHardEvents(seed: number, start: number, evalFrom: number, end: number): HardEvent[] {
  const r = rng(seed * 104_729 + 17);
  const events: HardEvent[] = [];
  // Busy days (history and evaluation alike): one team, or everybody, 1.5–2.5× all day.
  for (let d = start; d < end; d += DAY) {
    const wd = new Date(d).getUTCDay();
    if (wd === 0 || wd === 6) continue;
    if (r() < 0.12) events.push({ kind: 'holiday', start: d, end: d + DAY, fields: {}, usd_per_hour: 0, multiplier: 0.3 });
    else if (r() < 0.25) {
      const team = r() < 0.3 ? null : (APPS[Math.floor(r() * 5)] as App).team;
      events.push({ kind: 'busy_day', start: d, end: d + DAY, fields: team ? { team } : {}, usd_per_hour: 0, multiplier: 1.5 + r() });
    }
  }
  const evalDays = Math.round((end - evalFrom) / DAY);
  const at = (margin: number) => evalFrom + Math.floor((r() * (end - evalFrom - margin)) / MIN) * MIN;
  // Runaways of $50–400/h, 30–180 min, in any app (low-volume ones too), or a leaked key.
  const runaways = Math.max(2, Math.round(evalDays * 0.3));
  for (let i = 0; i < runaways; i++) {
    const app = APPS[Math.floor(r() * APPS.length)] as App;
    const s = at(6 * HOUR);
    const usd = Math.exp(Math.log(50) + r() * (Math.log(400) - Math.log(50)));
    const dur = (30 + Math.floor(r() * 150)) * MIN;
    if (i % 3 === 2) events.push({ kind: 'key_leak', start: s, end: s + dur, fields: { team: app.team, feature: app.feature, key_id: `k-leaked-${seed}-${i}`, model: 'o3', provider: 'openai' }, usd_per_hour: usd });
    else events.push({ kind: 'runaway', start: s, end: s + dur, fields: appFields(app), usd_per_hour: usd });
  }
  // Creeps: $20/h reached over 20 minutes, lasting 3–6 hours.
  for (let i = 0; i < Math.max(1, Math.round(evalDays / 14)); i++) {
    const app = APPS[Math.floor(r() * 5)] as App;
    const s = at(8 * HOUR);
    events.push({ kind: 'creep', start: s, end: s + (3 + Math.floor(r() * 4)) * HOUR, fields: appFields(app), usd_per_hour: 20 });
  }
  // One launch: a feature spending $20/h or more steps up 2× for good.
  const launchApp = APPS[[0, 2, 4][Math.floor(r() * 3)] as number] as App;
  const ls = at(5 * DAY);
  events.push({ kind: 'launch', start: ls, end: end, fields: appFields(launchApp), usd_per_hour: 0, multiplier: 2 });
  return events;
}

/** Generates the scenario and folds it into the detection input (scopes: global, team, feature, key_id, model, provider). */
export function generateHard(seed: number, evalDays = 28, historyDays = 28, start = Date.UTC(2026, 0, 5)): HardScenario {
  const evalFrom = start + historyDays * DAY;
  const end = evalFrom + evalDays * DAY;
  const events = planHardEvents(seed, start, evalFrom, end);
  const r = rng(seed);
  const scopes = new Map<string, ScopeSeries>();
  const series = (scope: Scope, dim: string): ScopeSeries => {
    const id = scopeId(scope);
    let s = scopes.get(id);
    if (!s) scopes.set(id, (s = newScopeSeries(scope, dim, start, end, evalFrom - 7 * DAY)));
    return s;
  };
  const targets = (f: Scope): ScopeSeries[] => [series({}, ''), ...['provider', 'model', 'team', 'feature', 'key_id'].filter((d) => f[d]).map((d) => series({ [d]: f[d] as string }, d))];
  const appTargets = APPS.map((a) => targets(appFields(a)));
  const sightings: SourceSighting[] = [];
  let calls = 0;
  const add = (into: ScopeSeries[], t: number, cost: number, requests: number) => {
    for (const s of into) {
      s.hours.add(t, { cost, requests, tokens: requests * 1000 });
      if (t >= s.minutes.start) s.minutes.add(t, { cost, requests, tokens: requests * 1000 });
    }
  };
  const draw = (a: { median: number; sigma: number }, n: number) => {
    let c = 0;
    for (let i = 0; i < n; i++) c += a.median * Math.exp(a.sigma * gauss(r));
    return c;
  };
  const dayNoise = new Map<string, number>();
  for (let t = start; t < end; t += MIN) {
    const d = new Date(t);
    const hour = d.getUTCHours() + d.getUTCMinutes() / 60;
    const weekend = d.getUTCDay() === 0 || d.getUTCDay() === 6;
    const today = events.filter((e) => (e.kind === 'busy_day' || e.kind === 'holiday') && t >= e.start && t < e.end);
    for (const [ai, app] of APPS.entries()) {
      const dk = `${ai}:${Math.floor(t / DAY)}`;
      if (!dayNoise.has(dk)) dayNoise.set(dk, Math.exp(0.1 * gauss(r)));
      const h = Math.floor(hour);
      const diurnal = (DIURNAL[h] as number) + ((DIURNAL[(h + 1) % 24] as number) - (DIURNAL[h] as number)) * (hour - h);
      let perHour = app.peakCalls * diurnal * (weekend ? (app.weekdaysOnly ? 0.03 : 0.45) : 1) * (dayNoise.get(dk) as number);
      for (const e of today) if (e.fields['team'] === undefined || e.fields['team'] === app.team) perHour *= e.multiplier ?? 1;
      for (const e of events) if (e.kind === 'launch' && t >= e.start && e.fields['feature'] === app.feature) perHour *= e.multiplier ?? 1;
      const n = poisson(r, perHour / 60);
      calls += n;
      if (n) add(appTargets[ai] as ScopeSeries[], t, draw(app, n), n);
    }
    for (const e of events) {
      if (t < e.start || t >= e.end || (e.kind !== 'runaway' && e.kind !== 'key_leak' && e.kind !== 'creep')) continue;
      const ramp = e.kind === 'creep' ? Math.min(1, (t - e.start) / (20 * MIN)) : 1;
      // A runaway's calls: the app's own cost profile (an agent loop re-sending its context), ~$0.40 each.
      const perCall = 0.4;
      const n = poisson(r, (e.usd_per_hour * ramp) / 60 / perCall);
      if (!n) continue;
      calls += n;
      const cost = draw({ median: perCall * Math.exp(-0.125), sigma: 0.5 }, n);
      add(targets(e.fields), t, cost, n);
      if (e.kind === 'key_leak' && t === e.start) {
        sightings.push({ scope: { team: e.fields['team'] as string }, source: 'key_id', value: e.fields['key_id'] as string, first_seen: t, scope_first_seen: start, first_hour_cost: e.usd_per_hour });
      }
    }
  }
  return { start, evalFrom, end, events, calls, input: { scopes: [...scopes.values()], sightings, annotations: [] } };
}
