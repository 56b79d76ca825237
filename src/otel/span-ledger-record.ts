/**
 * One GenAI span → one ledger record (source `otel`), priced by the price book like a gateway
 * call: an unknown model is `priced: false` with its reason, never $0. The record id is derived
 * from the trace and span ids, so a span received twice (exporter retry, a backfill over data
 * already sent live) is one record: the ledger writer and `import` are idempotent by id.
 */
import { priceUsage } from '../pricing/cost.js';
import type { PriceBook } from '../pricing/price-book.js';
import { USAGE_VERSION } from '../providers/spec.js';
import type { LedgerRecord } from '../ledger/ledger-record.js';
import type { Scope } from '../attribution/scope.js';
import { readGenAiSpan } from './genai-span.js';
import { RECORD_ID_ATTRIBUTE } from './request-span-exporter.js';
import type { GatewayCallIndex } from './gateway-call-index.js';
import type { OtlpSpanGroup } from './otlp-trace-request.js';
import { spanAttribution, type AttributeNameMap } from './span-attribution.js';

export interface SpanConversion {
  records: LedgerRecord[];
  /** Spans refused (malformed, or absurd usage), with the first reasons. */
  rejected: number;
  errors: string[];
  /** Spans that were not model calls (skipped, not an error). */
  ignored: number;
  /** GenAI spans whose call the gateway already recorded and that carry nothing to merge into it (no record; gateway-call-index.ts). */
  seenByGateway: number;
}

export interface SpanConversionOptions {
  book: PriceBook;
  names: AttributeNameMap;
  /** A scoped token's scope: its fields override whatever the spans say. */
  scope?: Scope;
  /** Recent gateway calls: a span describing one of them adds no record. */
  gatewayCalls?: GatewayCallIndex;
}

/** The ledger id of the call a span describes. */
export function otelRecordId(traceId: string, spanId: string): string {
  return `otel-${traceId}-${spanId}`;
}

export function spanGroupsToRecords(groups: readonly OtlpSpanGroup[], opts: SpanConversionOptions): SpanConversion {
  const out: SpanConversion = { records: [], rejected: 0, errors: [], ignored: 0, seenByGateway: 0 };
  const children = opts.gatewayCalls ? childrenOf(groups) : undefined;
  for (const g of groups) {
    out.rejected += g.rejected.length;
    for (const e of g.rejected) if (out.errors.length < 5) out.errors.push(e);
    for (const span of g.spans) {
      // Costrail's own request span (request-span-exporter.ts) describes a call already in the ledger.
      if (span.attributes.has(RECORD_ID_ATTRIBUTE)) {
        out.seenByGateway++;
        continue;
      }
      const call = readGenAiSpan(span);
      if (!call) {
        out.ignored++;
        continue;
      }
      if (call.refused.length > 0) {
        out.rejected++;
        if (out.errors.length < 5) out.errors.push(`span ${span.spanId}: ${call.refused[0]}`);
        continue;
      }
      const gatewayCall = opts.gatewayCalls?.match(span.traceId, [span.spanId, ...(children?.get(span.spanId) ?? [])]);
      if (gatewayCall) {
        // The gateway's call key makes the store fold this span into its record (call-merge.ts);
        // without one (a failed call) there is nothing to key a merge on, and the span adds nothing.
        if (gatewayCall.response_id === null) {
          out.seenByGateway++;
          continue;
        }
        call.provider = gatewayCall.provider;
        call.responseId = gatewayCall.response_id;
      }
      // Matched to a gateway call, the span is filed at the gateway's start: the merge keeps the
      // gateway's times anyway, and the embedded store looks for a call near its own start.
      const spanStartMs = Number(span.startNs / 1_000_000n);
      const shiftMs = gatewayCall ? Date.parse(gatewayCall.started_at) - spanStartMs : 0;
      const startedMs = spanStartMs + shiftMs;
      const endedMs = span.endNs !== null && span.endNs >= span.startNs ? Number(span.endNs / 1_000_000n) + shiftMs : null;
      const started = new Date(startedMs);
      if (!Number.isFinite(started.getTime()) || startedMs <= 0) {
        out.rejected++;
        if (out.errors.length < 5) out.errors.push(`span ${span.spanId}: startTimeUnixNano is not a usable time`);
        continue;
      }
      let cost: LedgerRecord['cost'] = null;
      let priced = false;
      let priceVersion: string | null = null;
      let unpriced: string | null = null;
      let model = call.model;
      if (call.usage && call.model) {
        const p = priceUsage(opts.book, { provider: call.provider, model: call.model, usage: call.usage, at: started });
        cost = p.cost;
        priced = p.priced;
        priceVersion = p.price_version;
        unpriced = p.reason ?? null;
        model = p.resolved_model ?? call.model;
      } else unpriced = call.usage ? 'model unknown' : 'the span carries no token counts';
      const attribution = spanAttribution(span.attributes, g.resource, opts.names);
      if (opts.scope) Object.assign(attribution, opts.scope);
      const tags: Record<string, string> = {};
      if (g.scopeName) tags['otel.scope'] = g.scopeName.slice(0, 256);
      out.records.push({
        id: otelRecordId(span.traceId, span.spanId),
        source: 'otel',
        started_at: started.toISOString(),
        ended_at: endedMs === null ? null : new Date(endedMs).toISOString(),
        duration_ms: endedMs === null ? null : endedMs - startedMs,
        ttft_ms: null,
        provider: call.provider,
        api: null,
        model_requested: call.modelRequested,
        model,
        status: span.statusCode === 2 ? 'error' : 'ok',
        http_status: null,
        stream: call.stream,
        usage: call.usage,
        usage_source: call.usage ? 'provider' : null,
        cost,
        priced,
        price_version: priceVersion,
        attribution,
        tags,
        key_id: null,
        trace_id: span.traceId,
        span_id: span.spanId,
        error: span.statusCode === 2 ? { type: 'span_error', message: (span.statusMessage ?? 'the span reports an error').slice(0, 512) } : null,
        raw_usage: Object.keys(call.rawUsage).length ? call.rawUsage : null,
        usage_version: USAGE_VERSION,
        unpriced_reason: priced ? null : unpriced,
        response_id: call.responseId,
      });
    }
  }
  return out;
}

/** Direct children of each span in one export (parent span id → child span ids). */
function childrenOf(groups: readonly OtlpSpanGroup[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const g of groups)
    for (const s of g.spans) {
      if (s.parentSpanId === null) continue;
      const list = out.get(s.parentSpanId);
      if (list) list.push(s.spanId);
      else out.set(s.parentSpanId, [s.spanId]);
    }
  return out;
}
