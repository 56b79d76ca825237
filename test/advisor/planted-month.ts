/**
 * The Done-when month: 30 days of realistic traffic with four planted opportunities, every
 * record carrying the request-shape fields the gateway records (docs/ledger-record.md). Round
 * per-MTok rates keep the hand computations in planted-month.test.ts checkable on paper:
 *
 *   openai gpt-4o:               input 10, output 40, cache_read 1,   cache_write 12.5, batch x0.5
 *   openai gpt-4o-mini:          input 1,  output 4,  cache_read 0.1, cache_write 1.25, batch x0.5
 *   anthropic claude-sonnet-4-5: input 3,  output 15, cache_read 0.3, cache_write 3.75, batch x0.5
 *
 * Per day (d = 0..29, from 2026-11-01):
 * - classify: 100 background, non-streamed classifications on gpt-4o, 400 in / 5 out, every 7
 *   minutes from 08:00 (an oversized model; background, so batchable too);
 * - support: 200 streamed calls on claude-sonnet-4-5 with the same 3,000-token system prompt
 *   (prompt_prefix_hash) and 200 tokens of question, 350 out, every 2 minutes from 09:00, no
 *   caching;
 * - nightly-report: 50 streamed calls at normal priority on gpt-4o, 2,000 in / 800 out, one a
 *   minute from 02:00 (a nightly job sent interactively);
 * - summarize: 100 calls on gpt-4o-mini asking max_tokens 4,096 and using 200, every 14 minutes
 *   from 00:00; calls k = 7 and 57 of each day run away to the 4,096 limit (finish_reason length).
 */
import { createHash } from 'node:crypto';
import { emptyAttribution, type LedgerRecord, type Priority } from '../../src/ledger/ledger-record.js';
import { priceUsage } from '../../src/pricing/cost.js';
import { PriceBook } from '../../src/pricing/price-book.js';
import { emptyUsage } from '../../src/providers/spec.js';
import { ADVISOR_MODELS } from './advisor-fixtures.js';

export const MONTH_FROM = '2026-11-01T00:00:00.000Z';
export const MONTH_TO = '2026-12-01T00:00:00.000Z';

export const PLANTED_MODELS = [
  ...ADVISOR_MODELS,
  { provider: 'anthropic', model: 'claude-sonnet-4-5', prices: [{ effective_from: '2026-01-01', source: 'test', rates: { input: '3', output: '15', cache_read: '0.3', cache_write: '3.75' }, batch: { multiplier: '0.5' } }] },
];

export function plantedBook(): PriceBook {
  return PriceBook.fromJson([{ version: 'planted-month', models: PLANTED_MODELS }]);
}

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

interface Shape {
  feature: string;
  provider: string;
  model: string;
  input: number;
  output: number;
  stream: boolean;
  priority: Priority | null;
  prefix: { hash: string; tokens: number } | null;
  maxOutput: number;
  finish: string;
}

function record(id: string, at: Date, s: Shape, book: PriceBook): LedgerRecord {
  const usage = { ...emptyUsage(), input_tokens: s.input, output_tokens: s.output };
  const priced = priceUsage(book, { provider: s.provider, model: s.model, usage, at });
  return {
    id,
    source: 'gateway',
    started_at: at.toISOString(),
    ended_at: new Date(at.getTime() + 1500).toISOString(),
    duration_ms: 1500,
    ttft_ms: s.stream ? 300 : null,
    provider: s.provider,
    api: s.provider === 'anthropic' ? 'messages' : 'chat.completions',
    model_requested: s.model,
    model: s.model,
    status: 'ok',
    http_status: 200,
    stream: s.stream,
    usage,
    usage_source: 'provider',
    cost: priced.cost,
    priced: priced.priced,
    price_version: priced.price_version,
    unpriced_reason: null,
    attribution: { ...emptyAttribution(), team: 'product', feature: s.feature, priority: s.priority },
    tags: {},
    key_id: null,
    trace_id: null,
    span_id: null,
    // Every request differs (its user message does), so no two share a request hash.
    request_hash: sha(`request ${id}`),
    prompt_prefix_hash: s.prefix?.hash ?? null,
    prompt_prefix_tokens: s.prefix?.tokens ?? null,
    message_count: s.prefix ? 2 : 1,
    tool_count: 0,
    max_output_tokens: s.maxOutput,
    finish_reason: s.finish,
  };
}

const SUPPORT_PREFIX = { hash: sha('support system prompt v1'), tokens: 3000 };
const CLASSIFY_PREFIX = { hash: sha('classify system prompt'), tokens: 300 };

export function plantedMonth(): LedgerRecord[] {
  const book = plantedBook();
  const out: LedgerRecord[] = [];
  const at = (d: number, minutes: number): Date => new Date(Date.parse(MONTH_FROM) + d * 86_400_000 + minutes * 60_000);
  for (let d = 0; d < 30; d++) {
    const day = String(d).padStart(2, '0');
    for (let k = 0; k < 100; k++) {
      out.push(record(`classify-${day}-${k}`, at(d, 8 * 60 + 7 * k), { feature: 'classify', provider: 'openai', model: 'gpt-4o', input: 400, output: 5, stream: false, priority: 'background', prefix: CLASSIFY_PREFIX, maxOutput: 10, finish: 'stop' }, book));
    }
    for (let k = 0; k < 200; k++) {
      out.push(record(`support-${day}-${k}`, at(d, 9 * 60 + 2 * k), { feature: 'support', provider: 'anthropic', model: 'claude-sonnet-4-5', input: 3200, output: 350, stream: true, priority: 'normal', prefix: SUPPORT_PREFIX, maxOutput: 1024, finish: 'end_turn' }, book));
    }
    for (let k = 0; k < 50; k++) {
      out.push(record(`nightly-${day}-${k}`, at(d, 2 * 60 + k), { feature: 'nightly-report', provider: 'openai', model: 'gpt-4o', input: 2000, output: 800, stream: true, priority: 'normal', prefix: null, maxOutput: 2000, finish: 'stop' }, book));
    }
    for (let k = 0; k < 100; k++) {
      const runaway = k % 50 === 7;
      out.push(record(`summarize-${day}-${k}`, at(d, 14 * k), { feature: 'summarize', provider: 'openai', model: 'gpt-4o-mini', input: 1000, output: runaway ? 4096 : 200, stream: false, priority: 'normal', prefix: null, maxOutput: 4096, finish: runaway ? 'length' : 'stop' }, book));
    }
  }
  return out;
}
