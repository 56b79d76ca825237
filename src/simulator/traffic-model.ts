/**
 * A seeded, realistic synthetic ledger: what `costrail simulate` writes, and what detectors and
 * benchmarks can replay. The same options and seed always give the same records (ids included),
 * so a re-run is idempotent in the store.
 *
 * The shape of the traffic:
 * - 6 teams with 14 workloads (feature, provider, model, token distributions) across OpenAI,
 *   Anthropic, Gemini and Mistral; per-call tokens are log-normal around each workload's median,
 *   with prompt-cache reads (and Anthropic cache writes) where that workload caches;
 * - daily seasonality (quiet nights, an afternoon peak, UTC) and weekly seasonality (weekends ~45%);
 * - labelled incidents: a feature launch whose traffic spikes for 48 hours then settles, and a
 *   retry storm (one agent trace hammering one key: mostly 429/500 errors, some huge retries);
 * - a self-hosted fine-tune the price book does not know (unpriced, never $0) and ~4% of calls
 *   with no attribution at all (a pass-through key nobody labelled).
 * Costs come from the real price book, exactly as the gateway would have recorded them.
 *
 * API: `planTraffic(options)` returns the incidents and a generator of `{ record, incident }` in
 * time order; `incident` names the labelled incident a call belongs to (or null).
 */
import { priceUsage } from '../pricing/cost.js';
import type { PriceBook } from '../pricing/price-book.js';
import { emptyUsage, USAGE_VERSION, type Usage } from '../providers/spec.js';
import { emptyAttribution, type LedgerRecord } from '../ledger/ledger-record.js';
import { seededRandom as rng } from './seeded-random.js';

export interface TrafficModelOptions {
  /** Days of traffic, ending at `start + days`. */
  days: number;
  /** Total calls over the whole period (storm and launch included). */
  requests: number;
  /** Default 1. */
  seed?: number;
  /** First day (UTC midnight of this date); default: `days` days before today. */
  start?: string;
  book: PriceBook;
}

export type IncidentKind = 'launch_spike' | 'retry_storm';

export interface Incident {
  kind: IncidentKind;
  /** Inclusive start, exclusive end (ISO 8601 UTC). */
  from: string;
  to: string;
  /** The calls' common attribution (and trace / key for the storm). */
  scope: Record<string, string>;
  description: string;
}

export interface SyntheticCall {
  record: LedgerRecord;
  incident: IncidentKind | null;
}

export interface TrafficPlan {
  from: string;
  to: string;
  incidents: Incident[];
  /** Calls in started_at order. */
  calls(): Generator<SyntheticCall>;
}

type Provider = 'openai' | 'anthropic' | 'gemini' | 'mistral';

interface Workload {
  team: string | null;
  feature: string | null;
  provider: Provider;
  model: string;
  weight: number;
  /** Median input / output tokens, and the log-normal spread. */
  input: number;
  output: number;
  sigma: number;
  /** Share of calls that read a prompt cache, and the cached share of their input. */
  cacheHit?: number;
  cachedShare?: number;
  /** Reasoning tokens as a multiple of output (reasoning models). */
  reasoning?: number;
  /** Embeddings: no output. */
  embedding?: boolean;
  launch?: boolean;
}

const WORKLOADS: Workload[] = [
  { team: 'search', feature: 'answer', provider: 'openai', model: 'gpt-4o-mini', weight: 26, input: 1800, output: 220, sigma: 0.6, cacheHit: 0.55, cachedShare: 0.6 },
  { team: 'search', feature: 'query-embed', provider: 'openai', model: 'text-embedding-3-small', weight: 18, input: 60, output: 0, sigma: 0.5, embedding: true },
  { team: 'search', feature: 'rerank', provider: 'mistral', model: 'mistral-small-2603', weight: 8, input: 2400, output: 40, sigma: 0.5 },
  { team: 'support', feature: 'ticket-summary', provider: 'anthropic', model: 'claude-haiku-4-5', weight: 14, input: 3200, output: 300, sigma: 0.7, cacheHit: 0.7, cachedShare: 0.5 },
  { team: 'support', feature: 'reply-draft', provider: 'anthropic', model: 'claude-sonnet-4-5', weight: 7, input: 5200, output: 650, sigma: 0.6, cacheHit: 0.75, cachedShare: 0.65 },
  { team: 'growth', feature: 'email-personalise', provider: 'gemini', model: 'gemini-2.5-flash', weight: 10, input: 900, output: 400, sigma: 0.5, cacheHit: 0.2, cachedShare: 0.4 },
  { team: 'growth', feature: 'smart-compose', provider: 'openai', model: 'gpt-4.1', weight: 5, input: 2600, output: 500, sigma: 0.6, cacheHit: 0.4, cachedShare: 0.5, launch: true },
  { team: 'platform', feature: 'agent-triage', provider: 'openai', model: 'gpt-5-mini', weight: 6, input: 6000, output: 350, sigma: 0.8, cacheHit: 0.6, cachedShare: 0.7, reasoning: 2.5 },
  { team: 'platform', feature: 'code-review', provider: 'mistral', model: 'codestral-2508', weight: 4, input: 7000, output: 600, sigma: 0.7 },
  { team: 'research', feature: 'deep-analysis', provider: 'gemini', model: 'gemini-2.5-pro', weight: 2.5, input: 28000, output: 1800, sigma: 0.9, reasoning: 1.5 },
  { team: 'research', feature: 'reasoning-eval', provider: 'openai', model: 'o4-mini', weight: 1.5, input: 2500, output: 500, sigma: 0.7, reasoning: 4 },
  { team: 'data', feature: 'extraction', provider: 'anthropic', model: 'claude-sonnet-4-5', weight: 3, input: 12000, output: 900, sigma: 0.6, cacheHit: 0.3, cachedShare: 0.3 },
  // A self-hosted fine-tune behind an OpenAI-compatible endpoint: no price in the book.
  { team: 'data', feature: 'classify', provider: 'mistral', model: 'mistral-7b-ft-acme-internal', weight: 2, input: 700, output: 20, sigma: 0.4 },
  // Nobody labelled this key: no team, no feature.
  { team: null, feature: null, provider: 'openai', model: 'gpt-4o-mini', weight: 4, input: 1500, output: 300, sigma: 0.8 },
];

const CUSTOMERS = ['acme', 'globex', 'initech', 'umbrella', 'hooli', 'stark', 'wayne', 'wonka', 'tyrell', 'cyberdyne', 'soylent', 'oscorp'];
const API: Record<Provider, string> = { openai: 'chat.completions', anthropic: 'messages', gemini: 'generateContent', mistral: 'chat.completions' };
const HOUR = 3_600_000;


function gaussian(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

function logNormal(r: () => number, median: number, sigma: number): number {
  return Math.max(1, Math.round(median * Math.exp(sigma * gaussian(r))));
}

/** Afternoon peak (UTC), quiet nights; weekends at ~45%. */
function seasonality(at: number): number {
  const d = new Date(at);
  const hour = d.getUTCHours();
  const daily = 0.25 + 0.75 * Math.max(0, Math.cos(((hour - 14) / 24) * 2 * Math.PI)) ** 1.5;
  const dow = d.getUTCDay();
  return daily * (dow === 0 || dow === 6 ? 0.45 : 1);
}

function startOf(opts: TrafficModelOptions): number {
  if (opts.start) {
    const t = Date.parse(opts.start.length === 10 ? `${opts.start}T00:00:00Z` : opts.start);
    if (Number.isNaN(t)) throw new RangeError(`start must be a date (YYYY-MM-DD), not "${opts.start}"`);
    return Math.floor(t / (24 * HOUR)) * 24 * HOUR;
  }
  const today = Math.floor(Date.now() / (24 * HOUR)) * 24 * HOUR;
  return today - opts.days * 24 * HOUR;
}

export function planTraffic(opts: TrafficModelOptions): TrafficPlan {
  if (!Number.isInteger(opts.days) || opts.days < 1) throw new RangeError('days must be a positive integer');
  if (!Number.isInteger(opts.requests) || opts.requests < 1) throw new RangeError('requests must be a positive integer');
  const seed = opts.seed ?? 1;
  const start = startOf(opts);
  const hours = opts.days * 24;
  const launchAt = start + Math.floor(opts.days * 0.6) * 24 * HOUR + 9 * HOUR;
  const spikeEnd = launchAt + 48 * HOUR;
  const stormAt = start + Math.floor(opts.days * 0.35) * 24 * HOUR + 15 * HOUR;
  const stormEnd = stormAt + 90 * 60_000;
  const stormCalls = opts.requests >= 200 ? Math.max(40, Math.round(opts.requests * 0.02)) : 0;
  const stormTrace = `storm-${seed.toString(16)}-trace`;
  const incidents: Incident[] = [
    { kind: 'launch_spike', from: iso(launchAt), to: iso(spikeEnd), scope: { team: 'growth', feature: 'smart-compose' }, description: 'smart-compose launched: ~4x its steady traffic for 48 hours, then settles' },
  ];
  if (stormCalls > 0) {
    incidents.push({ kind: 'retry_storm', from: iso(stormAt), to: iso(stormEnd), scope: { team: 'platform', agent: 'triage-bot', trace_id: stormTrace, key_id: 'key-platform-bot' }, description: `an agent retries one trace ${stormCalls} times in 90 minutes: mostly 429/500 errors, some full-context retries` });
  }

  // Hour weights: seasonality x the workload mix of that hour (the launch adds its own traffic).
  const baseWeight = WORKLOADS.filter((w) => !w.launch).reduce((a, w) => a + w.weight, 0);
  const launchWeight = (at: number): number => {
    const w = WORKLOADS.find((x) => x.launch)?.weight ?? 0;
    if (at < launchAt) return 0;
    return at < spikeEnd ? w * 4 : w;
  };
  const hourWeights = Array.from({ length: hours }, (_, h) => seasonality(start + h * HOUR) * (baseWeight + launchWeight(start + h * HOUR)));
  const totalWeight = hourWeights.reduce((a, b) => a + b, 0);
  // Largest-remainder split of the regular calls over hours: the total is exactly `requests`.
  const regular = opts.requests - stormCalls;
  const exact = hourWeights.map((w) => (w / totalWeight) * regular);
  const perHour = exact.map(Math.floor);
  let left = regular - perHour.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0]);
  for (const [, i] of order) {
    if (left-- <= 0) break;
    perHour[i] = (perHour[i] ?? 0) + 1;
  }

  function* calls(): Generator<SyntheticCall> {
    const r = rng(seed);
    let index = 0;
    for (let h = 0; h < hours; h++) {
      const hourStart = start + h * HOUR;
      const mix = WORKLOADS.map((w) => (w.launch ? launchWeight(hourStart) : w.weight));
      const mixTotal = mix.reduce((a, b) => a + b, 0);
      const slots: { at: number; w: Workload | 'storm' }[] = [];
      for (let i = 0; i < (perHour[h] ?? 0); i++) {
        let x = r() * mixTotal;
        let k = 0;
        while (k < mix.length - 1 && (x -= mix[k] ?? 0) > 0) k++;
        slots.push({ at: hourStart + Math.floor(r() * HOUR), w: WORKLOADS[k] as Workload });
      }
      for (let i = 0; i < stormCalls; i++) {
        const at = stormAt + Math.floor((i / stormCalls) * (stormEnd - stormAt));
        if (at >= hourStart && at < hourStart + HOUR) slots.push({ at, w: 'storm' });
      }
      slots.sort((a, b) => a.at - b.at);
      for (const s of slots) {
        const id = `sim-${seed}-${String(index++).padStart(9, '0')}`;
        if (s.w === 'storm') {
          yield { record: stormRecord(id, s.at, r, opts.book, stormTrace), incident: 'retry_storm' };
        } else {
          const record = workloadRecord(id, s.at, s.w, r, opts.book);
          yield { record, incident: s.w.launch && s.at < spikeEnd ? 'launch_spike' : null };
        }
      }
    }
  }

  return { from: iso(start), to: iso(start + hours * HOUR), incidents, calls };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function usageFor(w: Workload, r: () => number): Usage {
  const u = emptyUsage();
  const input = logNormal(r, w.input, w.sigma);
  if (w.embedding) {
    u.input_tokens = input;
    return u;
  }
  const cached = w.cacheHit && r() < w.cacheHit ? Math.floor(input * (w.cachedShare ?? 0.5)) : 0;
  u.cache_read_tokens = cached;
  u.input_tokens = input - cached;
  // Anthropic writes the cache on a miss of a cacheable prompt.
  if (w.provider === 'anthropic' && w.cacheHit && cached === 0 && r() < 0.5) {
    u.cache_write_tokens = Math.floor(u.input_tokens * (w.cachedShare ?? 0.5));
    u.input_tokens -= u.cache_write_tokens;
  }
  u.output_tokens = logNormal(r, w.output, w.sigma);
  if (w.reasoning) u.reasoning_tokens = logNormal(r, w.output * w.reasoning, w.sigma);
  return u;
}

function base(id: string, at: number, provider: Provider, model: string, r: () => number): LedgerRecord {
  const stream = r() < 0.5;
  return {
    id,
    source: 'simulator',
    started_at: iso(at),
    ended_at: null,
    duration_ms: null,
    ttft_ms: null,
    provider,
    api: API[provider],
    model_requested: model,
    model,
    status: 'ok',
    http_status: 200,
    stream,
    usage: null,
    usage_source: null,
    cost: null,
    priced: false,
    price_version: null,
    attribution: emptyAttribution(),
    tags: {},
    key_id: null,
    trace_id: Math.floor(r() * 2 ** 52).toString(16).padStart(16, '0'),
    span_id: null,
    error: null,
    usage_version: USAGE_VERSION,
    unpriced_reason: null,
  };
}

function price(rec: LedgerRecord, book: PriceBook): void {
  if (!rec.usage || !rec.model) return;
  const p = priceUsage(book, { provider: rec.provider, model: rec.model, usage: rec.usage, at: new Date(rec.started_at) });
  rec.cost = p.cost;
  rec.priced = p.priced;
  rec.price_version = p.price_version;
  rec.unpriced_reason = p.reason ?? null;
}

function timing(rec: LedgerRecord, at: number, outTokens: number, r: () => number): void {
  const ttft = Math.round(150 + r() * 600);
  const duration = ttft + Math.round(outTokens * (8 + r() * 20));
  rec.ttft_ms = ttft;
  rec.duration_ms = duration;
  rec.ended_at = iso(at + duration);
}

function workloadRecord(id: string, at: number, w: Workload, r: () => number, book: PriceBook): LedgerRecord {
  const rec = base(id, at, w.provider, w.model, r);
  const usage = usageFor(w, r);
  rec.usage = usage;
  rec.usage_source = 'provider';
  if (w.team) {
    const customer = CUSTOMERS[Math.min(CUSTOMERS.length - 1, Math.floor(CUSTOMERS.length * r() ** 2))] as string;
    rec.attribution = {
      ...emptyAttribution(),
      team: w.team,
      feature: w.feature,
      project: `${w.team}-app`,
      customer,
      user: `u-${1 + Math.floor(r() * 400)}`,
      env: r() < 0.92 ? 'prod' : 'staging',
      prompt_version: r() < 0.7 ? 'v3' : 'v2',
      priority: w.team === 'research' ? 'background' : 'normal',
    };
    rec.key_id = `key-${w.team}`;
    if (r() < 0.3) rec.tags = { experiment: r() < 0.5 ? 'a' : 'b' };
  } else {
    rec.key_id = 'key-passthrough-7f3a';
  }
  // ~1.5% of ordinary calls fail upstream and bill nothing.
  if (r() < 0.015) {
    rec.status = 'error';
    rec.http_status = r() < 0.5 ? 429 : 503;
    rec.usage = null;
    rec.usage_source = null;
    rec.error = { type: rec.http_status === 429 ? 'rate_limited' : 'upstream_error', message: `upstream answered HTTP ${rec.http_status}` };
  }
  timing(rec, at, usage.output_tokens + usage.reasoning_tokens, r);
  price(rec, book);
  return rec;
}

function stormRecord(id: string, at: number, r: () => number, book: PriceBook, trace: string): LedgerRecord {
  const rec = base(id, at, 'openai', 'gpt-4.1', r);
  rec.attribution = { ...emptyAttribution(), team: 'platform', feature: 'agent-triage', project: 'platform-app', agent: 'triage-bot', env: 'prod', priority: 'normal' };
  rec.key_id = 'key-platform-bot';
  rec.trace_id = trace;
  if (r() < 0.7) {
    rec.status = 'error';
    rec.http_status = r() < 0.7 ? 429 : 500;
    rec.error = { type: rec.http_status === 429 ? 'rate_limited' : 'upstream_error', message: `upstream answered HTTP ${rec.http_status}` };
    timing(rec, at, 0, r);
    return rec;
  }
  // The retries that get through re-send the whole, growing agent context.
  const usage = emptyUsage();
  usage.input_tokens = logNormal(r, 60000, 0.3);
  usage.output_tokens = logNormal(r, 300, 0.5);
  rec.usage = usage;
  rec.usage_source = 'provider';
  timing(rec, at, usage.output_tokens, r);
  price(rec, book);
  return rec;
}
