/**
 * A labelled generator of realistic AI spend for the detection benchmark: apps (team, feature,
 * key, model) with a diurnal and weekly cycle, day-to-day and hour-to-hour noise, a nightly batch
 * job, gradual growth, agent traces of several calls; plus labelled events in the evaluation
 * window: runaways (agent loops, retry loops, leaked keys), model swaps, an annotated launch and an
 * unannotated one. Seeded, so every run produces the same ledger.
 */
import { emptyAttribution, type LedgerRecord } from '../../src/ledger/ledger-record.js';
import { seededRandom as rng } from '../../src/simulator/seeded-random.js';
export { rng };

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** $ per token (input, output). */
const PRICES: Record<string, [number, number, string]> = {
  'gpt-4o': [2.5e-6, 10e-6, 'openai'],
  'gpt-4o-mini': [0.15e-6, 0.6e-6, 'openai'],
  o3: [2e-6, 8e-6, 'openai'],
  'claude-sonnet-4': [3e-6, 15e-6, 'anthropic'],
  'claude-3-5-haiku': [0.8e-6, 4e-6, 'anthropic'],
  'gemini-2.5-pro': [1.25e-6, 10e-6, 'gemini'],
  'text-embedding-3-small': [0.02e-6, 0, 'openai'],
};

interface App {
  team: string;
  feature: string;
  key: string;
  model: string;
  peakPerHour: number;
  inTok: number;
  outTok: number;
  /** Calls per trace (agents make several). */
  traceCalls?: [number, number];
  customers?: boolean;
  weekdaysOnly?: boolean;
  /** A nightly batch: calls in the batch hour (UTC). */
  batch?: { hour: number; calls: number };
  growthPerDay?: number;
}

const APPS: App[] = [
  { team: 'search', feature: 'answer', key: 'k-search', model: 'gpt-4o', peakPerHour: 400, inTok: 6000, outTok: 500, customers: true },
  { team: 'search', feature: 'rerank', key: 'k-search', model: 'gpt-4o-mini', peakPerHour: 150, inTok: 12000, outTok: 100, customers: true },
  { team: 'support', feature: 'chat', key: 'k-support', model: 'claude-sonnet-4', peakPerHour: 300, inTok: 10000, outTok: 800, customers: true, growthPerDay: 0.015 },
  { team: 'support', feature: 'summarize', key: 'k-support', model: 'claude-3-5-haiku', peakPerHour: 120, inTok: 6000, outTok: 300, customers: true, growthPerDay: 0.015 },
  { team: 'growth', feature: 'email-gen', key: 'k-growth', model: 'gpt-4o', peakPerHour: 30, inTok: 3000, outTok: 1000, batch: { hour: 2, calls: 2000 } },
  { team: 'research', feature: 'agent', key: 'k-research', model: 'gemini-2.5-pro', peakPerHour: 300, inTok: 15000, outTok: 1500, traceCalls: [3, 15] },
  { team: 'platform', feature: 'embed', key: 'k-platform', model: 'text-embedding-3-small', peakPerHour: 60, inTok: 2000, outTok: 0 },
  { team: 'analytics', feature: 'sql', key: 'k-analytics', model: 'claude-sonnet-4', peakPerHour: 60, inTok: 5000, outTok: 1000, weekdaysOnly: true },
];
const CUSTOMERS = ['acme', 'globex', 'initech', 'umbrella', 'hooli', 'stark'];
/** Share of the daily peak by UTC hour: quiet nights, a US working day. */
const DIURNAL = [0.3, 0.22, 0.18, 0.15, 0.14, 0.15, 0.2, 0.3, 0.45, 0.6, 0.72, 0.8, 0.88, 0.95, 1, 1, 0.98, 0.95, 0.9, 0.8, 0.65, 0.52, 0.42, 0.35];

export type EventKind = 'agent_loop' | 'retry_loop' | 'key_leak' | 'model_swap' | 'annotated_launch' | 'unannotated_launch';
export const RUNAWAY_KINDS: readonly EventKind[] = ['agent_loop', 'retry_loop', 'key_leak'];

export interface LabelledEvent {
  kind: EventKind;
  start: number;
  end: number;
  /** Ledger fields every record of the event carries (an alert on a scope inside these explains it). */
  fields: Record<string, string>;
  /** Spend the event adds, $ per hour (for swaps and launches: at the app's peak). */
  added_usd_per_hour: number;
  /** For annotated launches: the annotation to post. */
  annotation?: { scope: Record<string, string>; from: string; to: string; note: string; expected_multiplier: number };
}

export interface Scenario {
  start: number;
  evalFrom: number;
  end: number;
  events: LabelledEvent[];
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

function costOf(model: string, inTok: number, outTok: number): number {
  const p = PRICES[model] as [number, number, string];
  return inTok * p[0] + outTok * p[1];
}

/** Plans the labelled events (deterministic for a seed). */
export function planScenario(seed: number, historyDays = 21, evalDays = 14, start = Date.UTC(2026, 8, 7)): Scenario {
  const r = rng(seed * 7919 + 1);
  const evalFrom = start + historyDays * DAY;
  const end = evalFrom + evalDays * DAY;
  const events: LabelledEvent[] = [];
  const runaways = Math.round(evalDays * 1.8);
  for (let i = 0; i < runaways; i++) {
    const kind = RUNAWAY_KINDS[i % 3] as EventKind;
    const s = evalFrom + Math.floor((r() * (evalDays * DAY - 6 * HOUR)) / MIN) * MIN + 13_000;
    const usd = Math.exp(Math.log(25) + r() * (Math.log(400) - Math.log(25)));
    const dur = (30 + Math.floor(r() * 210)) * MIN;
    const app = kind === 'agent_loop' ? APPS[5] : kind === 'retry_loop' ? (APPS[i % 2 ? 0 : 2] as App) : (APPS[i % 2 ? 2 : 0] as App);
    const a = app as App;
    // Runaway calls carry no customer: `customer: ''` keeps customer-scoped alerts from claiming them.
    const fields: Record<string, string> = { team: a.team, feature: a.feature, key_id: a.key, provider: (PRICES[a.model] as [number, number, string])[2], customer: '' };
    if (kind !== 'key_leak') fields['model'] = a.model;
    else fields['model'] = 'o3';
    if (kind !== 'key_leak') fields['trace_id'] = `runaway-${seed}-${i}`;
    if (kind === 'key_leak') fields['provider'] = 'openai';
    events.push({ kind, start: s, end: s + dur, fields, added_usd_per_hour: usd });
  }
  events.push({ kind: 'model_swap', start: evalFrom + 3 * DAY + 15 * HOUR, end: evalFrom + 4 * DAY + 15 * HOUR, fields: { team: 'search', feature: 'rerank', key_id: 'k-search', model: 'gpt-4o', provider: 'openai' }, added_usd_per_hour: 150 * (costOf('gpt-4o', 36000, 100) - costOf('gpt-4o-mini', 12000, 100)) });
  events.push({ kind: 'model_swap', start: evalFrom + 9 * DAY + 10 * HOUR, end: evalFrom + 10 * DAY, fields: { team: 'support', feature: 'summarize', key_id: 'k-support', model: 'claude-sonnet-4', provider: 'anthropic' }, added_usd_per_hour: 120 * (costOf('claude-sonnet-4', 18000, 300) - costOf('claude-3-5-haiku', 6000, 300)) });
  const launchFrom = evalFrom + 2 * DAY + 9 * HOUR;
  events.push({
    kind: 'annotated_launch',
    start: launchFrom,
    end: launchFrom + 2 * DAY,
    fields: { team: 'support', feature: 'chat', key_id: 'k-support' },
    added_usd_per_hour: 2 * 300 * costOf('claude-sonnet-4', 10000, 800),
    annotation: { scope: { team: 'support', feature: 'chat' }, from: new Date(launchFrom - HOUR).toISOString(), to: new Date(launchFrom + 2 * DAY).toISOString(), note: 'support assistant launch', expected_multiplier: 3 },
  });
  events.push({ kind: 'unannotated_launch', start: evalFrom + 8 * DAY + 14 * HOUR, end: end, fields: { team: 'search', feature: 'answer', key_id: 'k-search' }, added_usd_per_hour: 400 * costOf('gpt-4o', 6000, 500) });
  return { start, evalFrom, end, events };
}

function record(id: string, t: number, a: { team: string; feature: string; key: string; model: string }, inTok: number, outTok: number, trace: string, customer: string | null): LedgerRecord {
  const [pin, pout, provider] = PRICES[a.model] as [number, number, string];
  const cost = inTok * pin + outTok * pout;
  return {
    id,
    source: 'import',
    started_at: new Date(t).toISOString(),
    ended_at: null,
    duration_ms: null,
    ttft_ms: null,
    provider,
    api: 'chat.completions',
    model_requested: a.model,
    model: a.model,
    status: 'ok',
    http_status: 200,
    stream: false,
    usage: { input_tokens: inTok, cache_read_tokens: 0, cache_write_tokens: 0, cache_write_1h_tokens: 0, output_tokens: outTok, reasoning_tokens: 0, audio_input_tokens: 0, audio_cache_read_tokens: 0, audio_output_tokens: 0, image_input_tokens: 0, web_search_calls: 0 },
    usage_source: 'provider',
    cost: { total: cost.toFixed(10), input: (inTok * pin).toFixed(10), cache_read: '0', cache_write: '0', output: (outTok * pout).toFixed(10), reasoning: '0', audio: '0', image: '0', tools: '0', currency: 'USD' },
    priced: true,
    price_version: null,
    attribution: { ...emptyAttribution(), team: a.team, feature: a.feature, customer },
    tags: {},
    key_id: a.key,
    trace_id: trace,
    span_id: null,
  };
}

/** Emits the scenario's records in time order, a minute at a time. */
export function generateLedger(seed: number, sc: Scenario, emit: (batch: LedgerRecord[]) => void): number {
  const r = rng(seed);
  let n = 0;
  const dayNoise = new Map<string, number>();
  let hourNoise = new Map<string, number>();
  const openTraces: { app: App; left: number; id: string }[] = [];
  for (let t = sc.start; t < sc.end; t += MIN) {
    const batch: LedgerRecord[] = [];
    const d = new Date(t);
    const hour = d.getUTCHours();
    const weekend = d.getUTCDay() === 0 || d.getUTCDay() === 6;
    if (t % HOUR === 0) hourNoise = new Map();
    const day = Math.floor((t - sc.start) / DAY);
    for (const [ai, app] of APPS.entries()) {
      const dk = `${ai}:${day}`;
      if (!dayNoise.has(dk)) dayNoise.set(dk, Math.exp(0.12 * gauss(r)));
      if (!hourNoise.has(dk)) hourNoise.set(dk, Math.exp(0.1 * gauss(r)));
      let perHour = app.peakPerHour * (DIURNAL[hour] as number) * (weekend ? (app.weekdaysOnly ? 0.02 : 0.4) : 1);
      if (app.batch && hour === app.batch.hour) perHour += app.batch.calls;
      perHour *= (dayNoise.get(dk) as number) * (hourNoise.get(dk) as number) * (1 + (app.growthPerDay ?? 0)) ** day;
      let model = app.model;
      let inTok = app.inTok;
      for (const ev of sc.events) {
        if (t < ev.start || t >= ev.end || ev.fields['feature'] !== app.feature || ev.fields['team'] !== app.team) continue;
        if (ev.kind === 'annotated_launch') perHour *= 3;
        if (ev.kind === 'unannotated_launch') perHour *= 1 + Math.min(1, (t - ev.start) / HOUR);
        if (ev.kind === 'model_swap') {
          // A swap to a pricier model with a prompt three times as long.
          model = app.feature === 'rerank' ? 'gpt-4o' : 'claude-sonnet-4';
          inTok *= 3;
        }
      }
      const m = { ...app, model, inTok };
      if (app.traceCalls) {
        const [lo, hi] = app.traceCalls;
        for (let k = poisson(r, perHour / 60 / ((lo + hi) / 2)); k > 0; k--) openTraces.push({ app: m, left: lo + Math.floor(r() * (hi - lo + 1)), id: `tr-${n}-${k}` });
        continue;
      }
      for (let k = poisson(r, perHour / 60); k > 0; k--) {
        const cust = app.customers ? (CUSTOMERS[Math.min(CUSTOMERS.length - 1, Math.floor(-Math.log(1 - r()) * 1.6))] as string) : null;
        batch.push(record(`g${seed}-${++n}`, t + Math.floor(r() * MIN), m, Math.round(m.inTok * Math.exp(0.5 * gauss(r) - 0.125)), Math.round(app.outTok * Math.exp(0.6 * gauss(r) - 0.18)), `t-${n}`, cust));
      }
    }
    // Agent traces: a call a minute or so until the trace is done.
    for (let i = openTraces.length - 1; i >= 0; i--) {
      const tr = openTraces[i] as { app: App; left: number; id: string };
      if (r() < 0.6) {
        batch.push(record(`g${seed}-${++n}`, t + Math.floor(r() * MIN), tr.app, Math.round(tr.app.inTok * Math.exp(0.5 * gauss(r) - 0.125)), Math.round(tr.app.outTok * Math.exp(0.6 * gauss(r) - 0.18)), tr.id, null));
        if (--tr.left <= 0) openTraces.splice(i, 1);
      }
    }
    for (const ev of sc.events) {
      if (t < ev.start || t >= ev.end || !RUNAWAY_KINDS.includes(ev.kind)) continue;
      const model = ev.fields['model'] as string;
      const a = { team: ev.fields['team'] as string, feature: ev.fields['feature'] as string, key: ev.fields['key_id'] as string, model };
      const inTok = ev.kind === 'agent_loop' ? 20000 : ev.kind === 'retry_loop' ? 8000 : 12000;
      const outTok = ev.kind === 'key_leak' ? 2000 : 600;
      const perCall = costOf(model, inTok, outTok);
      for (let k = poisson(r, ev.added_usd_per_hour / 60 / perCall); k > 0; k--) {
        const trace = ev.fields['trace_id'] ?? `leak-${n}`;
        batch.push(record(`g${seed}-${++n}`, t + Math.floor(r() * MIN), a, inTok, outTok, trace, null));
      }
    }
    batch.sort((x, y) => (x.started_at < y.started_at ? -1 : 1));
    emit(batch);
  }
  return n;
}
