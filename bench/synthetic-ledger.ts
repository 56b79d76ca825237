/**
 * Synthetic ledger records straight into a store, for the dashboard's screenshots (weeks of
 * history behind the live demo traffic) and its benchmark (millions of records). Costs are
 * exact decimal strings built from integer micro-dollars; about 1 call in 200 is unpriced and
 * 1 in 25 has no team, so those overview numbers are never empty.
 */
import type { LedgerRecord } from '../src/ledger/ledger-record.js';
import type { Store } from '../src/store/store.js';
import { seededRandom as rng } from '../src/simulator/seeded-random.js';

const TEAMS = ['search', 'support', 'growth', 'platform', 'research', 'billing'];
const FEATURES = ['answer', 'rerank', 'ticket-summary', 'reply-draft', 'email-personalise', 'agent-triage', 'deep-analysis', 'invoice-explain'];
const CUSTOMERS = ['acme', 'globex', 'initech', 'umbrella', 'hooli', 'stark', 'wayne', 'tyrell'];
const MODELS: { provider: string; model: string; inMicros: number; outMicros: number }[] = [
  // USD per million tokens expressed as micro-dollars per 1000 tokens (so integer maths stays exact).
  { provider: 'openai', model: 'gpt-4o-mini', inMicros: 150, outMicros: 600 },
  { provider: 'openai', model: 'gpt-4.1', inMicros: 2000, outMicros: 8000 },
  { provider: 'anthropic', model: 'claude-haiku-4-5', inMicros: 1000, outMicros: 5000 },
  { provider: 'anthropic', model: 'claude-sonnet-4-5', inMicros: 3000, outMicros: 15000 },
  { provider: 'gemini', model: 'gemini-2.5-flash', inMicros: 300, outMicros: 2500 },
  { provider: 'gemini', model: 'gemini-2.5-pro', inMicros: 1250, outMicros: 10000 },
];


/** Nano-dollars (1e-9 USD) as an exact decimal string. */
function usd(nanos: number): string {
  const whole = Math.floor(nanos / 1e9);
  const frac = String(nanos % 1e9).padStart(9, '0').replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : String(whole);
}

export interface SyntheticOptions {
  count: number;
  /** Records spread evenly (with jitter) over this many days before `end`. */
  days: number;
  end?: number;
  seed?: number;
  idPrefix?: string;
}

export function* syntheticRecords(opts: SyntheticOptions): Generator<LedgerRecord> {
  const random = rng(opts.seed ?? 7);
  const end = opts.end ?? Date.now();
  const span = opts.days * 86_400_000;
  for (let i = 0; i < opts.count; i++) {
    const m = MODELS[Math.floor(random() ** 1.6 * MODELS.length)] ?? MODELS[0]!;
    // Daytime-heavy traffic that grows over the period, so charts look like real usage.
    // Four consecutive records form one trace: calls a few seconds apart, as an agent would make them.
    const traceStart = i - (i % 4);
    const t = end - span + Math.floor((traceStart / opts.count) * span) + (i % 4) * 1500 + Math.floor(random() * 1000);
    const input = 200 + Math.floor(random() * 3000);
    const output = 20 + Math.floor(random() * 800);
    const cached = random() < 0.3 ? 512 : 0;
    // Micro-dollars per 1000 tokens is nano-dollars per token.
    const inNanos = input * m.inMicros;
    const outNanos = output * m.outMicros;
    const cacheNanos = Math.floor((cached * m.inMicros) / 10);
    const priced = random() >= 0.005;
    const duration = 200 + Math.floor(random() * 4000);
    const started = new Date(t).toISOString();
    yield {
      id: `${opts.idPrefix ?? 'syn'}-${i.toString(36)}`,
      source: 'import',
      started_at: started,
      ended_at: new Date(t + duration).toISOString(),
      duration_ms: duration,
      ttft_ms: Math.floor(duration / 4),
      provider: m.provider,
      api: m.provider === 'anthropic' ? 'messages' : m.provider === 'gemini' ? 'generateContent' : 'chat.completions',
      model_requested: m.model,
      model: m.model,
      status: random() < 0.02 ? 'error' : 'ok',
      http_status: 200,
      stream: random() < 0.4,
      usage: { input_tokens: input, cache_read_tokens: cached, cache_write_tokens: 0, cache_write_1h_tokens: 0, output_tokens: output, reasoning_tokens: 0, audio_input_tokens: 0, audio_cache_read_tokens: 0, audio_output_tokens: 0, image_input_tokens: 0, web_search_calls: 0 },
      usage_source: 'provider',
      cost: priced ? { total: usd(inNanos + outNanos + cacheNanos), input: usd(inNanos), cache_read: usd(cacheNanos), cache_write: '0', output: usd(outNanos), reasoning: '0', audio: '0', image: '0', tools: '0', other: '0', currency: 'USD', source: 'price_book' } : null,
      priced,
      price_version: priced ? 'synthetic' : null,
      attribution: {
        team: random() < 0.04 ? null : (TEAMS[Math.floor(random() ** 1.4 * TEAMS.length)] ?? null),
        project: null,
        feature: FEATURES[Math.floor(random() * FEATURES.length)] ?? null,
        customer: CUSTOMERS[Math.floor(random() ** 1.3 * CUSTOMERS.length)] ?? null,
        user: `u-${Math.floor(random() * 500)}`,
        env: 'prod',
        agent: null,
        prompt_version: random() < 0.5 ? 'v3' : 'v4',
        priority: 'normal',
      },
      tags: { experiment: random() < 0.5 ? 'a' : 'b' },
      key_id: null,
      trace_id: `trace-${Math.floor(i / 4).toString(36)}`,
      span_id: null,
      ...(priced ? {} : { unpriced_reason: 'no price known for this model (synthetic)' }),
    };
  }
}

/** Inserts in batches; returns how many records were added. */
export async function insertSynthetic(store: Store, opts: SyntheticOptions & { batch?: number; onProgress?: (n: number) => void }): Promise<number> {
  let batch: LedgerRecord[] = [];
  let n = 0;
  for (const r of syntheticRecords(opts)) {
    batch.push(r);
    if (batch.length >= (opts.batch ?? 20_000)) {
      n += (await store.insertRecords(batch)).inserted;
      batch = [];
      opts.onProgress?.(n);
    }
  }
  if (batch.length) n += (await store.insertRecords(batch)).inserted;
  opts.onProgress?.(n);
  return n;
}
