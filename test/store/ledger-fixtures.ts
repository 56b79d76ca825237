// Ledger records for store and writer tests: gateway-shaped (every optional key present).
import { emptyAttribution, type LedgerRecord } from '../../src/ledger/ledger-record.js';

export function makeRecord(i: number, overrides: Partial<LedgerRecord> = {}): LedgerRecord {
  const started = new Date(Date.UTC(2026, 10, 22, 8, 0, 0) + i * 1000);
  return {
    id: `rec-${String(i).padStart(6, '0')}`,
    source: 'gateway',
    started_at: started.toISOString(),
    ended_at: new Date(started.getTime() + 1250).toISOString(),
    duration_ms: 1250,
    ttft_ms: 310,
    provider: 'openai',
    api: 'chat.completions',
    model_requested: 'gpt-4o-mini',
    model: 'gpt-4o-mini-2024-07-18',
    status: 'ok',
    http_status: 200,
    stream: true,
    usage: {
      input_tokens: 176,
      cache_read_tokens: 1024,
      cache_write_tokens: 0,
      cache_write_1h_tokens: 0,
      output_tokens: 85,
      reasoning_tokens: 0,
      audio_input_tokens: 0,
      audio_cache_read_tokens: 0,
      audio_output_tokens: 0,
      image_input_tokens: 0,
      web_search_calls: 0,
    },
    usage_source: 'provider',
    cost: {
      total: '0.0001542',
      input: '0.0000264',
      cache_read: '0.0000768',
      cache_write: '0',
      output: '0.000051',
      reasoning: '0',
      audio: '0',
      image: '0',
      tools: '0',
      other: '0',
      currency: 'USD',
      source: 'price_book',
    },
    priced: true,
    price_version: 'pv-abc123',
    attribution: { ...emptyAttribution(), team: 'search', feature: 'answer', customer: 'acme', user: 'u-17', env: 'prod', prompt_version: 'v3', priority: 'normal' },
    tags: { experiment: 'b' },
    key_id: 'key-1',
    trace_id: `trace-${i % 3}`,
    span_id: `span-${i}`,
    error: null,
    raw_usage: { prompt_tokens: 1200, completion_tokens: 85, prompt_tokens_details: { cached_tokens: 1024 } },
    usage_version: 1,
    unpriced_reason: null,
    ...overrides,
  };
}

/** A call that used tokens of a model the price book does not know: unpriced, never $0. */
export function makeUnpricedRecord(i: number): LedgerRecord {
  return makeRecord(i, { model: 'acme-private-llm', cost: null, priced: false, price_version: null, unpriced_reason: 'no price for model acme-private-llm' });
}

/** A call refused before any token moved: no usage, no cost, and nothing to price. */
export function makeRefusedRecord(i: number): LedgerRecord {
  return makeRecord(i, {
    status: 'blocked',
    http_status: 429,
    stream: false,
    usage: null,
    usage_source: null,
    cost: null,
    priced: false,
    price_version: null,
    ended_at: null,
    duration_ms: null,
    ttft_ms: null,
    model: null,
    error: { type: 'budget_exceeded', message: 'team budget reached', scope: { team: 'search' } },
    raw_usage: null,
    unpriced_reason: 'blocked before any token moved',
    tags: {},
  });
}
