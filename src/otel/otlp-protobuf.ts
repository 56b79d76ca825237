/**
 * The protobuf wire form of OTLP traces, decoded and encoded by the code OpenTelemetry generates
 * from the official opentelemetry-proto definitions (shipped by `@opentelemetry/otlp-transformer`
 * as `build/src/generated/root.js`, protobufjs static code). No hand-written decoder: the
 * decoded message is turned into the JSON form's shape (hex ids, 64-bit integers as decimal
 * strings) and read by the same code as a JSON body.
 */
import { createRequire } from 'node:module';

interface ProtoType {
  decode(buf: Uint8Array): unknown;
  encode(msg: unknown): { finish(): Uint8Array };
  fromObject(o: unknown): unknown;
  toObject(msg: unknown, opts: { longs: StringConstructor; defaults?: boolean }): unknown;
}
interface GeneratedRoot {
  opentelemetry: { proto: { collector: { trace: { v1: { ExportTraceServiceRequest: ProtoType; ExportTraceServiceResponse: ProtoType } } } } };
}

const require = createRequire(import.meta.url);
let root: GeneratedRoot['opentelemetry']['proto']['collector']['trace']['v1'] | undefined;
function messages(): NonNullable<typeof root> {
  // Loaded on first protobuf request: JSON-only deployments never pay for it.
  root ??= (require('@opentelemetry/otlp-transformer/build/src/generated/root.js') as GeneratedRoot).opentelemetry.proto.collector.trace.v1;
  return root;
}

/** Decodes an ExportTraceServiceRequest into its JSON-form shape. Throws on bytes that are not one. */
export function decodeTraceRequest(bytes: Uint8Array): unknown {
  const t = messages().ExportTraceServiceRequest;
  return hexIds(t.toObject(t.decode(bytes), { longs: String }));
}

/** The protobuf ExportTraceServiceResponse (with partial_success when spans were rejected). */
export function encodeTraceResponse(rejectedSpans: number, errorMessage: string): Uint8Array {
  const t = messages().ExportTraceServiceResponse;
  const msg = rejectedSpans > 0 || errorMessage ? t.fromObject({ partialSuccess: { rejectedSpans: String(rejectedSpans), errorMessage } }) : t.fromObject({});
  return t.encode(msg).finish();
}

const ID_FIELDS = new Set(['traceId', 'spanId', 'parentSpanId']);

/** Byte fields that are ids become lowercase hex, as the JSON form carries them; other bytes base64. */
function hexIds(v: unknown): unknown {
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (Array.isArray(v)) return v.map(hexIds);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = ID_FIELDS.has(k) && x instanceof Uint8Array ? Buffer.from(x).toString('hex') : hexIds(x);
    return out;
  }
  return v;
}
