/**
 * Recent gateway calls by the W3C trace context they carried, so that a GenAI span describing a
 * call that went through this gateway is not recorded a second time.
 *
 * The rule (docs/otel.md "No double counting"): a gateway record whose `trace_id`/`span_id` (from
 * the request's `traceparent`) equal a GenAI span's trace id and either the span's own id or the
 * id of one of its direct children in the same export (the HTTP client span an HTTP
 * instrumentation puts under it) is the same call. The span's record then takes the gateway
 * record's call key (provider and response id), so the store folds its attribution into the
 * gateway's record (src/ledger/call-merge.ts) even when the span itself carries no response id;
 * a gateway record without a response id (a failed call) keeps the span out entirely. Spans
 * normally arrive after the gateway has recorded the call (a span ends after the response), so an
 * in-process index of recent calls suffices; it is bounded (oldest forgotten). Spans that carry
 * `gen_ai.response.id` need no index: the store matches them on any replica.
 */
import type { LedgerRecord } from '../ledger/ledger-record.js';

const DEFAULT_CAPACITY = 100_000;

/** A gateway call as the index remembers it. */
export interface GatewayCall {
  id: string;
  provider: string;
  response_id: string | null;
  started_at: string;
}

export class GatewayCallIndex {
  private readonly calls = new Map<string, GatewayCall>();

  constructor(private readonly capacity = DEFAULT_CAPACITY) {}

  /** Called with every record the gateway writes; keeps only those with a trace context. */
  note(record: Pick<LedgerRecord, 'id' | 'source' | 'trace_id' | 'span_id' | 'provider' | 'response_id' | 'started_at'>): void {
    if (record.source !== 'gateway' || !record.trace_id || !record.span_id) return;
    const key = `${record.trace_id.toLowerCase()}:${record.span_id.toLowerCase()}`;
    this.calls.delete(key);
    this.calls.set(key, { id: record.id, provider: record.provider, response_id: record.response_id ?? null, started_at: record.started_at });
    if (this.calls.size > this.capacity) {
      const oldest = this.calls.keys().next().value;
      if (oldest !== undefined) this.calls.delete(oldest);
    }
  }

  /** The gateway call made under any of `spanIds` in `traceId`, if one is known. */
  match(traceId: string, spanIds: readonly string[]): GatewayCall | undefined {
    for (const s of spanIds) {
      const call = this.calls.get(`${traceId}:${s}`);
      if (call !== undefined) return call;
    }
    return undefined;
  }
}
