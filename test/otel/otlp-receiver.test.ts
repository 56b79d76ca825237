/**
 * POST /v1/traces on a running Costrail: JSON, gzip and protobuf bodies land in the ledger; spans
 * produced by the real OpenTelemetry Node SDK and sent by its OTLP/HTTP exporters (protobuf and
 * JSON, gzip) land priced and attributed; bad payloads get OTLP answers and change nothing.
 */
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { SpanKind } from '@opentelemetry/api';
import { NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { startCostrail, type CostrailRuntime } from '../../src/server/costrail-runtime.js';
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import { tempDir } from '../helpers/temp-dir.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { otelExamples, requestWithAttributes } from './otel-fixtures.js';

let rt: CostrailRuntime;
let sim: Simulator;
before(async () => {
  sim = await startSimulator();
  rt = await startCostrail({ port: 0, dataDir: tempDir('costrail-otlp-'), quiet: true, upstreams: { openai: `${sim.url}/v1` } });
});
after(async () => {
  await rt.close();
  await sim.close();
});

const post = (body: Uint8Array | string, headers: Record<string, string>, token: string | null = rt.adminToken) =>
  fetch(`${rt.url}/v1/traces`, { method: 'POST', headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers }, body });

async function ledger(): Promise<LedgerRecord[]> {
  await rt.writer.flush();
  const res = await fetch(`${rt.url}/api/events?limit=1000`, { headers: { authorization: `Bearer ${rt.adminToken}` } });
  assert.equal(res.status, 200);
  return ((await res.json()) as { events: LedgerRecord[] }).events;
}
const byId = async (id: string) => (await ledger()).filter((r) => r.id === id);

interface ProtoType {
  fromObject(o: unknown): unknown;
  encode(m: unknown): { finish(): Uint8Array };
  decode(b: Uint8Array): unknown;
  toObject(m: unknown, o: unknown): unknown;
}
const generated = (createRequire(import.meta.url)('@opentelemetry/otlp-transformer/build/src/generated/root.js') as { opentelemetry: { proto: { collector: { trace: { v1: Record<string, ProtoType> } } } } }).opentelemetry.proto.collector.trace.v1;

/** The JSON form → protobuf bytes (hex ids become bytes), with the official generated code. */
function toProtobuf(body: { resourceSpans: unknown[] }): Uint8Array {
  const hexToBytes = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(hexToBytes);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, (k === 'traceId' || k === 'spanId') && typeof x === 'string' ? Buffer.from(x, 'hex') : hexToBytes(x)]));
    return v;
  };
  const t = generated['ExportTraceServiceRequest']!;
  return t.encode(t.fromObject(hexToBytes(body))).finish();
}

test('fixture A as JSON: one priced record with ids, attribution and an empty OTLP success body; a resend is still one record', async () => {
  const body = JSON.stringify(otelExamples().A_otel_genai_semconv);
  for (let i = 0; i < 2; i++) {
    const res = await post(body, { 'content-type': 'application/json' });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {});
  }
  const rows = await byId('otel-5b8efff798038103d269b633813fc60c-eee19b7ec3c1b174');
  assert.equal(rows.length, 1);
  const r = rows[0]!;
  assert.equal(r.source, 'otel');
  assert.equal(r.cost?.total, '0.0043452');
  assert.equal(r.attribution.customer, 'acme');
  assert.equal(r.usage?.cache_read_tokens, 1024);
});

test('fixtures B (gzip JSON) and C (protobuf) land priced', async () => {
  const ex = otelExamples();
  const b = requestWithAttributes(ex.B_legacy_and_openllmetry_names.attributes, { traceId: '1'.repeat(32), spanId: '2'.repeat(16) });
  const resB = await post(gzipSync(JSON.stringify(b)), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
  assert.equal(resB.status, 200);
  await resB.arrayBuffer();
  const c = requestWithAttributes(ex.C_openinference.attributes, { traceId: '3'.repeat(32), spanId: '4'.repeat(16) });
  const resC = await post(toProtobuf(c), { 'content-type': 'application/x-protobuf' });
  assert.equal(resC.status, 200);
  assert.equal(resC.headers.get('content-type'), 'application/x-protobuf');
  const decoded = generated['ExportTraceServiceResponse']!.toObject(generated['ExportTraceServiceResponse']!.decode(new Uint8Array(await resC.arrayBuffer())), { longs: String }) as { partialSuccess?: unknown };
  assert.equal(decoded.partialSuccess, undefined);
  const [rb] = await byId(`otel-${'1'.repeat(32)}-${'2'.repeat(16)}`);
  const [rc] = await byId(`otel-${'3'.repeat(32)}-${'4'.repeat(16)}`);
  assert.equal(rb?.provider, 'openai');
  assert.equal(rb?.cost?.total, '0.00322');
  assert.equal(rb?.attribution.feature, 'ticket_triage');
  assert.equal(rc?.provider, 'azure');
  assert.equal(rc?.cost?.total, '0.00322');
  assert.equal(rc?.attribution.feature, 'ticket_triage');
});

test('bad payloads: partial success for a bad span, 400 for a non-request, 401 without a token, 415 for other types; nothing written', async () => {
  const before = (await ledger()).length;
  const partial = requestWithAttributes({ 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.prompt_tokens': 2 ** 60 }, { traceId: '5'.repeat(32), spanId: '6'.repeat(16) });
  const res = await post(JSON.stringify(partial), { 'content-type': 'application/json' });
  assert.equal(res.status, 200);
  const body = (await res.json()) as { partialSuccess: { rejectedSpans: string; errorMessage: string } };
  assert.equal(body.partialSuccess.rejectedSpans, '1');
  assert.match(body.partialSuccess.errorMessage, /prompt_tokens/);

  const protoPartial = await post(toProtobuf(partial as { resourceSpans: unknown[] }), { 'content-type': 'application/x-protobuf' });
  assert.equal(protoPartial.status, 200);
  const decodedPartial = generated['ExportTraceServiceResponse']!.toObject(generated['ExportTraceServiceResponse']!.decode(new Uint8Array(await protoPartial.arrayBuffer())), { longs: String }) as { partialSuccess?: { rejectedSpans: string; errorMessage: string } };
  assert.equal(decodedPartial.partialSuccess?.rejectedSpans, '1');
  assert.match(decodedPartial.partialSuccess?.errorMessage ?? '', /prompt_tokens/);

  const notJson = await post('{"resourceSpans": [', { 'content-type': 'application/json' });
  assert.equal(notJson.status, 400);
  assert.match(((await notJson.json()) as { message: string }).message, /JSON/);
  const notProto = await post(new Uint8Array([0xff, 0xff, 0xff, 0x01]), { 'content-type': 'application/x-protobuf' });
  assert.equal(notProto.status, 400);
  await notProto.arrayBuffer();
  const wrongShape = await post(JSON.stringify({ resourceSpans: 'x' }), { 'content-type': 'application/json' });
  assert.equal(wrongShape.status, 400);
  await wrongShape.arrayBuffer();
  const anonymous = await post(JSON.stringify(otelExamples().A_otel_genai_semconv), { 'content-type': 'application/json' }, null);
  assert.equal(anonymous.status, 401);
  await anonymous.arrayBuffer();
  const wrongToken = await post(JSON.stringify(otelExamples().A_otel_genai_semconv), { 'content-type': 'application/json' }, 'nope');
  assert.equal(wrongToken.status, 401);
  await wrongToken.arrayBuffer();
  const text = await post('hello', { 'content-type': 'text/plain' });
  assert.equal(text.status, 415);
  await text.arrayBuffer();
  assert.equal((await ledger()).length, before);
});

test('a scoped token\'s scope is stamped on the records it sends', async () => {
  const scoped = await rt.context.keys.tokens.create('otel-search', { team: 'search' });
  const body = requestWithAttributes({ 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 2, 'costrail.team': 'ads' }, { traceId: '7'.repeat(32), spanId: '8'.repeat(16) });
  const res = await post(JSON.stringify(body), { 'content-type': 'application/json' }, scoped.secret);
  assert.equal(res.status, 200);
  await res.arrayBuffer();
  const [r] = await byId(`otel-${'7'.repeat(32)}-${'8'.repeat(16)}`);
  assert.equal(r?.attribution.team, 'search');
});

for (const [label, Exporter] of [
  ['protobuf', ProtoExporter],
  ['JSON', JsonExporter],
] as const) {
  test(`spans from the real @opentelemetry/sdk-trace-node, sent by its OTLP/HTTP ${label} exporter (gzip), land priced and attributed; plain spans are skipped`, async () => {
    const exporter = new Exporter({ url: `${rt.url}/v1/traces`, headers: { authorization: `Bearer ${rt.adminToken}` }, compression: 'gzip' as never });
    const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const tracer = provider.getTracer('openllmetry-style-test');
    // What an OpenLLMetry instrumentation of the OpenAI client records (its attribute names, 0.5.x).
    const span = tracer.startSpan('openai.chat', {
      kind: SpanKind.CLIENT,
      attributes: {
        'gen_ai.system': 'openai',
        'llm.request.type': 'chat',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
        'gen_ai.usage.prompt_tokens': 2000,
        'gen_ai.usage.completion_tokens': 300,
        'gen_ai.usage.cache_read_input_tokens': 1000,
        'traceloop.association.properties.customer_id': `cust-${label}`,
        'traceloop.workflow.name': 'summarize',
      },
    });
    span.end();
    const plain = tracer.startSpan('GET /health');
    plain.end();
    await provider.forceFlush();
    await provider.shutdown();
    const ctx = span.spanContext();
    const rows = await byId(`otel-${ctx.traceId}-${ctx.spanId}`);
    assert.equal(rows.length, 1);
    const r = rows[0]!;
    assert.deepEqual([r.provider, r.model, r.model_requested], ['openai', 'gpt-4o-mini-2024-07-18', 'gpt-4o-mini']);
    assert.deepEqual([r.usage?.input_tokens, r.usage?.cache_read_tokens, r.usage?.output_tokens], [1000, 1000, 300]);
    assert.equal(r.priced, true);
    // 1000 x $0.15/M + 1000 x $0.075/M + 300 x $0.60/M
    assert.equal(r.cost?.total, '0.000405');
    assert.equal(r.attribution.customer, `cust-${label}`);
    assert.equal(r.attribution.feature, 'summarize');
    assert.equal((await byId(`otel-${plain.spanContext().traceId}-${plain.spanContext().spanId}`)).length, 0);
  });
}

test('no double counting: a span of a call the gateway recorded (same traceparent, on the span or its HTTP child) adds no record, only its attribution', async () => {
  const traceId = '9'.repeat(31) + 'a';
  const genAiSpan = 'abcdef0123456789';
  const httpChild = '0123456789abcdef';
  const res = await fetch(`${rt.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test', traceparent: `00-${traceId}-${httpChild}-01` },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
  });
  assert.equal(res.status, 200);
  await res.arrayBuffer();
  const gatewayRecords = (await ledger()).filter((r) => r.trace_id === traceId);
  assert.equal(gatewayRecords.length, 1);
  assert.equal(gatewayRecords[0]!.source, 'gateway');

  // No gen_ai.response.id on this span: the traceparent alone ties it to the gateway's call.
  const body = requestWithAttributes({ 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 5, 'enduser.id': 'u-span' }, { traceId, spanId: genAiSpan }) as { resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[] };
  const spans = body.resourceSpans[0]!.scopeSpans[0]!.spans;
  spans.push({ traceId, spanId: httpChild, parentSpanId: genAiSpan, name: 'POST', kind: 3, startTimeUnixNano: '1754006400100000000', attributes: [{ key: 'http.request.method', value: { stringValue: 'POST' } }] });
  const sent = await post(JSON.stringify(body), { 'content-type': 'application/json' });
  assert.equal(sent.status, 200);
  await sent.arrayBuffer();
  const after = (await ledger()).filter((r) => r.trace_id === traceId);
  assert.deepEqual(after.map((r) => r.source), ['gateway']);
  assert.equal(after[0]!.id, gatewayRecords[0]!.id);
  assert.equal(after[0]!.attribution.user, 'u-span', "the span's attribution reached the gateway's record");
  assert.deepEqual(after[0]!.usage, gatewayRecords[0]!.usage, "the gateway's usage stands");

  // The same span in another trace is a call the gateway never saw: it is recorded.
  const other = requestWithAttributes({ 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 5 }, { traceId: 'b'.repeat(32), spanId: genAiSpan });
  const sentOther = await post(JSON.stringify(other), { 'content-type': 'application/json' });
  await sentOther.arrayBuffer();
  assert.equal((await byId(`otel-${'b'.repeat(32)}-${genAiSpan}`)).length, 1);
});
