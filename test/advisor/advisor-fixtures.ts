/**
 * A synthetic month with planted opportunities whose savings are computed by hand (see
 * docs/advisor.md): round per-MTok rates so every figure below is checkable on paper.
 *
 *   gpt-4o:      input 10, output 40, cache_read 1,   cache_write 12.5,  batch x0.5
 *   gpt-4o-mini: input 1,  output 4,  cache_read 0.1, cache_write 1.25,  batch x0.5
 */
import { emptyAttribution, type LedgerRecord } from '../../src/ledger/ledger-record.js';
import { emptyUsage } from '../../src/providers/spec.js';
import { priceUsage } from '../../src/pricing/cost.js';
import { PriceBook } from '../../src/pricing/price-book.js';

export const ADVISOR_FROM = '2026-11-01T00:00:00.000Z';
/** 30 days: monthly savings equal the period's. */
export const ADVISOR_TO = '2026-12-01T00:00:00.000Z';

const period = (input: string, output: string, read: string, write: string) => ({ effective_from: '2026-01-01', source: 'test', rates: { input, output, cache_read: read, cache_write: write }, batch: { multiplier: '0.5' } });

/** The two test models, as a catalog's (or price-overrides.json's) `models`. */
export const ADVISOR_MODELS = [
  { provider: 'openai', model: 'gpt-4o', prices: [period('10', '40', '1', '12.5')] },
  { provider: 'openai', model: 'gpt-4o-mini', prices: [period('1', '4', '0.1', '1.25')] },
];

export function advisorBook(): PriceBook {
  return PriceBook.fromJson([{ version: 'advisor-test', models: ADVISOR_MODELS }]);
}

const BOOK = advisorBook();
let seq = 0;
export function call(at: string, feature: string | null, input: number, output: number, opts: { model?: string; stream?: boolean; priority?: 'background' | 'normal' | 'critical' | null; prompt_version?: string } = {}): LedgerRecord {
  seq++;
  const usage = { ...emptyUsage(), input_tokens: input, output_tokens: output };
  // Priced as the gateway would have (the advisor re-prices anyway); an unknown model stays unpriced.
  const priced = priceUsage(BOOK, { provider: 'openai', model: opts.model ?? 'gpt-4o', usage, at: new Date(at) });
  return {
    id: `adv-${String(seq).padStart(5, '0')}`,
    source: 'gateway',
    started_at: at,
    ended_at: null,
    duration_ms: null,
    ttft_ms: null,
    provider: 'openai',
    api: 'chat.completions',
    model_requested: opts.model ?? 'gpt-4o',
    model: opts.model ?? 'gpt-4o',
    status: 'ok',
    http_status: 200,
    stream: opts.stream ?? false,
    usage,
    usage_source: 'provider',
    cost: priced.cost,
    priced: priced.priced,
    price_version: priced.price_version,
    unpriced_reason: priced.reason ?? null,
    attribution: { ...emptyAttribution(), team: 'core', feature, prompt_version: opts.prompt_version ?? null, priority: opts.priority ?? null },
    tags: {},
    key_id: null,
    trace_id: null,
    span_id: null,
  };
}

const at = (day: number, minutes: number): string => new Date(Date.parse(ADVISOR_FROM) + day * 86_400_000 + minutes * 60_000).toISOString();

/**
 * - triage: 10 background, non-streamed classifications on gpt-4o (500 in, 20 out), an hour apart;
 * - support: 10 streamed calls with a 3,000-token prompt and no caching, a minute apart (400 out);
 * - summaries: 20 streamed calls (100 in), 19 with 500 out and one runaway of 4,000;
 * - one call to a model the price book does not know.
 */
export function advisorLedger(): LedgerRecord[] {
  const out: LedgerRecord[] = [];
  for (let i = 0; i < 10; i++) out.push(call(at(1, i * 60), 'triage', 500, 20, { priority: 'background' }));
  for (let i = 0; i < 10; i++) out.push(call(at(2, i), 'support', 3000, 400, { stream: true, prompt_version: 'v3' }));
  for (let i = 0; i < 20; i++) out.push(call(at(3 + (i % 2), i * 30), 'summaries', 100, i === 7 ? 4000 : 500, { stream: true }));
  out.push(call(at(5, 0), 'triage', 500, 20, { model: 'mystery-model-9' }));
  return out;
}
