/**
 * Costrail's own request spans (opt-in): one span per gateway call, with the call's cost as an
 * attribute (`costrail.cost_usd`, an exact decimal string) beside the GenAI semantic-convention
 * usage attributes, exported with OTLP/HTTP (JSON) to the configured endpoint, so users see AI cost
 * inside the tracing they already have. A call that carried a `traceparent` gets a span in that
 * trace, under the caller's span.
 *
 * Off the call path: `observe` pushes the finished record onto a bounded queue (overflow dropped
 * and counted); spans are built and sent in batches on a timer. When export is off nothing is
 * constructed and the runtime adds no call at all (costrail-runtime.ts).
 *
 * Spans carry `costrail.record_id`; Costrail's own OTLP receiver ignores spans that do, so a
 * collector that forwards them back to Costrail cannot make a call count twice.
 *
 * Serialised by `@opentelemetry/otlp-transformer`'s JsonTraceSerializer (already a dependency for
 * the receiver), fed span objects shaped as the SDK's ReadableSpan: no tracer SDK is loaded.
 */
import { randomBytes } from 'node:crypto';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { LedgerRecord } from '../ledger/ledger-record.js';

export interface RequestSpanExportOptions {
  /** The OTLP/HTTP traces URL, e.g. `http://collector:4318/v1/traces`. */
  endpoint: string;
  /** Extra headers (authentication for the collector or vendor). */
  headers?: Record<string, string>;
  /** `service.name` of the spans' resource; default `costrail`. */
  serviceName?: string;
  maxQueue?: number;
  batchSize?: number;
  intervalMs?: number;
}

export interface RequestSpanStats {
  exported: number;
  dropped: number;
  failedBatches: number;
}

/** The record attribute Costrail's receiver recognises as its own span. */
export const RECORD_ID_ATTRIBUTE = 'costrail.record_id';

type SerializableSpan = Parameters<typeof JsonTraceSerializer.serializeRequest>[0][number];
type HrTime = [number, number];
type AttributeValue = string | number | boolean;

const OPERATION: Record<string, string> = { 'chat.completions': 'chat', messages: 'chat', generateContent: 'generate_content', responses: 'chat', embeddings: 'embeddings', completions: 'text_completion' };
const SPAN_KIND_CLIENT = 2;

export class RequestSpanExporter {
  private queue: LedgerRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> | undefined;
  private readonly stats_: RequestSpanStats = { exported: 0, dropped: 0, failedBatches: 0 };
  private readonly maxQueue: number;
  private readonly batchSize: number;
  private readonly intervalMs: number;
  private readonly resource: { attributes: Record<string, AttributeValue>; droppedAttributesCount: number };
  private readonly scope = { name: 'costrail-gateway' };

  constructor(private readonly o: RequestSpanExportOptions) {
    this.maxQueue = o.maxQueue ?? 10_000;
    this.batchSize = o.batchSize ?? 512;
    this.intervalMs = o.intervalMs ?? 2_000;
    this.resource = { attributes: { 'service.name': o.serviceName ?? 'costrail' }, droppedAttributesCount: 0 };
  }

  /** A finished gateway call; O(1), no I/O. */
  observe(record: LedgerRecord): void {
    if (this.queue.length >= this.maxQueue) {
      this.stats_.dropped++;
      return;
    }
    this.queue.push(record);
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.intervalMs);
      this.timer.unref();
    }
  }

  stats(): RequestSpanStats {
    return { ...this.stats_ };
  }

  /** Sends what is queued (a failed batch is dropped and counted: tracing is best effort). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.sending) await this.sending;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.batchSize);
      this.sending = this.send(batch).finally(() => (this.sending = undefined));
      await this.sending;
    }
  }

  private async send(batch: LedgerRecord[]): Promise<void> {
    try {
      const body = JsonTraceSerializer.serializeRequest(batch.map((r) => this.spanOf(r)));
      if (!body) throw new Error('the spans could not be serialised');
      const res = await fetch(this.o.endpoint, { method: 'POST', headers: { 'content-type': 'application/json', ...this.o.headers }, body: Buffer.from(body), signal: AbortSignal.timeout(10_000) });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      this.stats_.exported += batch.length;
    } catch {
      this.stats_.failedBatches++;
      this.stats_.dropped += batch.length;
    }
  }

  private spanOf(r: LedgerRecord): SerializableSpan {
    const start = Date.parse(r.started_at);
    const end = r.ended_at ? Date.parse(r.ended_at) : start + (r.duration_ms ?? 0);
    const traceId = r.trace_id ?? randomBytes(16).toString('hex');
    const operation = (r.api && OPERATION[r.api]) ?? r.api ?? 'call';
    const failed = r.status === 'error' || r.status === 'blocked';
    const span = {
      name: `${operation} ${r.model_requested ?? r.model ?? ''}`.trim(),
      kind: SPAN_KIND_CLIENT,
      spanContext: () => ({ traceId, spanId: randomBytes(8).toString('hex'), traceFlags: 1 }),
      parentSpanContext: r.trace_id && r.span_id ? { traceId: r.trace_id, spanId: r.span_id, traceFlags: 1, isRemote: true } : undefined,
      startTime: hrTime(start),
      endTime: hrTime(end),
      duration: hrTime(end - start),
      ended: true,
      status: failed ? { code: 2, message: r.error?.message ?? r.status } : { code: 0 },
      attributes: attributesOf(r, operation),
      links: [],
      events: [],
      resource: this.resource,
      instrumentationScope: this.scope,
      droppedAttributesCount: 0,
      droppedEventsCount: 0,
      droppedLinksCount: 0,
    };
    // Shaped as the SDK's ReadableSpan, which the serializer reads (see the module comment).
    return span as unknown as SerializableSpan;
  }
}

function hrTime(ms: number): HrTime {
  const whole = Math.floor(ms / 1000);
  return [whole, Math.round((ms - whole * 1000) * 1_000_000)];
}

function attributesOf(r: LedgerRecord, operation: string): Record<string, AttributeValue> {
  const a: Record<string, AttributeValue> = {
    [RECORD_ID_ATTRIBUTE]: r.id,
    'costrail.status': r.status,
    'costrail.priced': r.priced,
    'gen_ai.operation.name': operation,
    'gen_ai.provider.name': r.provider,
  };
  if (r.cost) a['costrail.cost_usd'] = r.cost.total;
  if (r.model_requested) a['gen_ai.request.model'] = r.model_requested;
  if (r.model) a['gen_ai.response.model'] = r.model;
  if (r.http_status !== null) a['http.response.status_code'] = r.http_status;
  if (r.error) a['error.type'] = r.error.type;
  const u = r.usage;
  if (u) {
    // Semantic-convention totals (input includes cached input; output includes reasoning) and the parts.
    a['gen_ai.usage.input_tokens'] = u.input_tokens + u.cache_read_tokens + u.cache_write_tokens + u.cache_write_1h_tokens + u.audio_input_tokens + u.image_input_tokens;
    a['gen_ai.usage.output_tokens'] = u.output_tokens + u.reasoning_tokens + u.audio_output_tokens;
    if (u.cache_read_tokens > 0) a['gen_ai.usage.cache_read.input_tokens'] = u.cache_read_tokens;
    if (u.cache_write_tokens + u.cache_write_1h_tokens > 0) a['gen_ai.usage.cache_creation.input_tokens'] = u.cache_write_tokens + u.cache_write_1h_tokens;
    if (u.reasoning_tokens > 0) a['costrail.usage.reasoning_tokens'] = u.reasoning_tokens;
    if (r.usage_source) a['costrail.usage_source'] = r.usage_source;
  }
  for (const [k, v] of Object.entries(r.attribution)) if (v !== null) a[`costrail.${k}`] = v;
  if (r.key_id) a['costrail.key_id'] = r.key_id;
  return a;
}
