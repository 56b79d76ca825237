/**
 * The OTLP ExportTraceServiceRequest as Costrail reads it, after either wire form (JSON or
 * protobuf) has been decoded: spans with their attributes flattened into plain values. The JSON
 * form (opentelemetry-proto docs/specification.md) has lowerCamelCase keys, hex trace/span ids,
 * 64-bit integers as decimal strings (numbers accepted too) and enums as integers.
 *
 * The envelope is checked once; each span is checked on its own, so one malformed span is
 * rejected (and counted in the partial-success answer) without losing its neighbours.
 */
import { z } from 'zod';

/** An attribute's value, flattened: kvlists become objects, bytes a base64 string. */
export type SpanAttributeValue = string | number | boolean | null | SpanAttributeValue[] | { [key: string]: SpanAttributeValue };
export type SpanAttributes = ReadonlyMap<string, SpanAttributeValue>;

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  /** Nanoseconds since the epoch, exact. */
  startNs: bigint;
  endNs: bigint | null;
  attributes: SpanAttributes;
  /** 0 unset, 1 ok, 2 error. */
  statusCode: number;
  statusMessage: string | null;
}

export interface OtlpSpanGroup {
  resource: SpanAttributes;
  scopeName: string | null;
  /** Spans that passed their check, in order. */
  spans: OtlpSpan[];
  /** Why each rejected span was rejected. */
  rejected: string[];
}

const u64 = z.union([z.string().regex(/^\d{1,20}$/), z.number().int().nonnegative()]);
const KeyValue = z.object({ key: z.string().max(1024), value: z.unknown().optional() });
const SpanSchema = z.object({
  traceId: z.string().regex(/^[0-9a-fA-F]{32}$/, 'traceId must be 32 hex digits'),
  spanId: z.string().regex(/^[0-9a-fA-F]{16}$/, 'spanId must be 16 hex digits'),
  parentSpanId: z.string().regex(/^([0-9a-fA-F]{16})?$/).optional().nullable(),
  name: z.string().max(4096).optional().default(''),
  startTimeUnixNano: u64,
  endTimeUnixNano: u64.optional().nullable(),
  attributes: z.array(KeyValue).max(4096).optional().default([]),
  status: z.object({ code: z.union([z.number().int(), z.string()]).optional(), message: z.string().optional() }).optional().nullable(),
});

const EnvelopeSchema = z.object({
  resourceSpans: z
    .array(
      z.object({
        resource: z.object({ attributes: z.array(KeyValue).optional() }).optional().nullable(),
        scopeSpans: z.array(z.object({ scope: z.object({ name: z.string().optional() }).optional().nullable(), spans: z.array(z.unknown()).optional() })).optional(),
      }),
    )
    .optional()
    .default([]),
});

export class OtlpPayloadError extends Error {}

/** Reads an already JSON-parsed (or protobuf-decoded and hex-converted) request. Throws OtlpPayloadError when the envelope itself is unusable. */
export function readTraceRequest(body: unknown): OtlpSpanGroup[] {
  const env = EnvelopeSchema.safeParse(body);
  if (!env.success) {
    const issue = env.error.issues[0];
    throw new OtlpPayloadError(`not an ExportTraceServiceRequest: ${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
  }
  const groups: OtlpSpanGroup[] = [];
  for (const rs of env.data.resourceSpans) {
    const resource = flattenAttributes(rs.resource?.attributes ?? []);
    for (const ss of rs.scopeSpans ?? []) {
      const group: OtlpSpanGroup = { resource, scopeName: ss.scope?.name ?? null, spans: [], rejected: [] };
      for (const raw of ss.spans ?? []) {
        const s = SpanSchema.safeParse(raw);
        if (!s.success) {
          const issue = s.error.issues[0];
          group.rejected.push(`span ${issue?.path.join('.') || ''}: ${issue?.message ?? 'invalid'}`);
          continue;
        }
        const d = s.data;
        const statusCode = typeof d.status?.code === 'string' ? (d.status.code === 'STATUS_CODE_ERROR' ? 2 : d.status.code === 'STATUS_CODE_OK' ? 1 : 0) : (d.status?.code ?? 0);
        group.spans.push({
          traceId: d.traceId.toLowerCase(),
          spanId: d.spanId.toLowerCase(),
          parentSpanId: d.parentSpanId ? d.parentSpanId.toLowerCase() : null,
          name: d.name,
          startNs: BigInt(d.startTimeUnixNano),
          endNs: d.endTimeUnixNano === undefined || d.endTimeUnixNano === null ? null : BigInt(d.endTimeUnixNano),
          attributes: flattenAttributes(d.attributes),
          statusCode,
          statusMessage: d.status?.message || null,
        });
      }
      groups.push(group);
    }
  }
  return groups;
}

function flattenAttributes(list: readonly { key: string; value?: unknown }[]): Map<string, SpanAttributeValue> {
  const out = new Map<string, SpanAttributeValue>();
  for (const kv of list) out.set(kv.key, anyValue(kv.value, 0));
  return out;
}

/** An OTLP AnyValue as a plain value; unknown shapes read as null (never thrown: one odd attribute must not reject a span). */
function anyValue(v: unknown, depth: number): SpanAttributeValue {
  if (v === null || typeof v !== 'object' || depth > 8) return null;
  const o = v as Record<string, unknown>;
  if (typeof o['stringValue'] === 'string') return o['stringValue'];
  if (typeof o['boolValue'] === 'boolean') return o['boolValue'];
  if (o['intValue'] !== undefined && o['intValue'] !== null) {
    const n = typeof o['intValue'] === 'string' && /^-?\d{1,40}$/.test(o['intValue']) ? Number(o['intValue']) : o['intValue'];
    return typeof n === 'number' && Number.isFinite(n) ? n : null;
  }
  if (o['doubleValue'] !== undefined && o['doubleValue'] !== null) {
    const n = Number(o['doubleValue']);
    return Number.isFinite(n) ? n : null;
  }
  if (o['arrayValue'] && typeof o['arrayValue'] === 'object') {
    const values = (o['arrayValue'] as { values?: unknown }).values;
    return Array.isArray(values) ? values.slice(0, 1024).map((x) => anyValue(x, depth + 1)) : [];
  }
  if (o['kvlistValue'] && typeof o['kvlistValue'] === 'object') {
    const values = (o['kvlistValue'] as { values?: unknown }).values;
    const out: Record<string, SpanAttributeValue> = {};
    if (Array.isArray(values)) for (const kv of values.slice(0, 1024)) if (kv && typeof (kv as { key?: unknown }).key === 'string') out[(kv as { key: string }).key] = anyValue((kv as { value?: unknown }).value, depth + 1);
    return out;
  }
  if (typeof o['bytesValue'] === 'string') return o['bytesValue'];
  return null;
}
