/**
 * Costrail's own request spans: with the export on, each gateway call arrives at an OTLP/HTTP
 * receiver as one span in the caller's trace, carrying the call's exact cost and its GenAI usage;
 * the same spans fed back to Costrail's receiver add no record.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { startCostrail, type CostrailRuntime } from '../../src/server/costrail-runtime.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import { requestSpanSettings } from '../../src/config/otel-export-settings.js';
import { tempDir } from '../helpers/temp-dir.js';

interface KeyValue { key: string; value: { stringValue?: string; intValue?: string | number; boolValue?: boolean } }
interface ExportedSpan { traceId: string; spanId: string; parentSpanId?: string; name: string; attributes: KeyValue[] }
interface Exported { resourceSpans: { resource: { attributes: KeyValue[] }; scopeSpans: { spans: ExportedSpan[] }[] }[] }

let sim: Simulator;
let rt: CostrailRuntime;
let collector: Server;
const received: { headers: Record<string, unknown>; body: Exported; raw: string }[] = [];

before(async () => {
  sim = await startSimulator();
  collector = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      received.push({ headers: req.headers, body: JSON.parse(raw) as Exported, raw });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => collector.listen(0, '127.0.0.1', () => r()));
  const endpoint = `http://127.0.0.1:${(collector.address() as { port: number }).port}/v1/traces`;
  rt = await startCostrail({ port: 0, dataDir: tempDir('costrail-spans-'), quiet: true, upstreams: { openai: `${sim.url}/v1` }, requestSpans: { endpoint, headers: { 'x-collector-key': 'k1' }, intervalMs: 20 } });
});
after(async () => {
  await rt.close();
  await sim.close();
  await new Promise((r) => collector.close(r));
});

const attr = (s: ExportedSpan, k: string) => {
  const v = s.attributes.find((a) => a.key === k)?.value;
  return v?.stringValue ?? (v?.intValue !== undefined ? Number(v.intValue) : v?.boolValue);
};

test('a gateway call becomes one span in the caller\'s trace with costrail.cost_usd and gen_ai usage', async () => {
  const traceId = 'd'.repeat(31) + '2';
  const parent = 'aaaabbbbccccdddd';
  const client = new OpenAI({ apiKey: 'sk-test', baseURL: `${rt.url}/v1`, maxRetries: 0, defaultHeaders: { traceparent: `00-${traceId}-${parent}-01`, 'x-costrail-team': 'tracing' } });
  await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'trace me' }] }, { headers: { 'x-sim-cached-tokens': '1024' } });
  for (let i = 0; i < 200 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
  assert.equal(received.length, 1);
  assert.equal(received[0]!.headers['x-collector-key'], 'k1');
  assert.equal(received[0]!.headers['content-type'], 'application/json');
  const rs = received[0]!.body.resourceSpans[0]!;
  assert.deepEqual(rs.resource.attributes.find((a) => a.key === 'service.name')?.value, { stringValue: 'costrail' });
  const spans = rs.scopeSpans.flatMap((s) => s.spans);
  assert.equal(spans.length, 1);
  const span = spans[0]!;

  await rt.writer.flush();
  const res = await fetch(`${rt.url}/api/events?trace_id=${traceId}`, { headers: { authorization: `Bearer ${rt.adminToken}` } });
  const [record] = ((await res.json()) as { events: LedgerRecord[] }).events;
  assert.ok(record?.cost && record.usage);
  assert.equal(span.traceId, traceId);
  assert.equal(span.parentSpanId, parent);
  assert.equal(span.name, 'chat gpt-4o-mini');
  assert.equal(attr(span, 'costrail.cost_usd'), record.cost.total);
  assert.equal(attr(span, 'costrail.record_id'), record.id);
  assert.equal(attr(span, 'costrail.team'), 'tracing');
  assert.equal(attr(span, 'gen_ai.provider.name'), 'openai');
  assert.equal(attr(span, 'gen_ai.request.model'), 'gpt-4o-mini');
  assert.equal(attr(span, 'gen_ai.response.model'), record.model);
  const u = record.usage;
  assert.ok(u.cache_read_tokens > 0);
  assert.equal(attr(span, 'gen_ai.usage.input_tokens'), u.input_tokens + u.cache_read_tokens + u.cache_write_tokens + u.cache_write_1h_tokens);
  assert.equal(attr(span, 'gen_ai.usage.cache_read.input_tokens'), u.cache_read_tokens);
  assert.equal(attr(span, 'gen_ai.usage.output_tokens'), u.output_tokens + u.reasoning_tokens);

  // A collector that forwards Costrail's spans back to Costrail: no second record.
  const back = await fetch(`${rt.url}/v1/traces`, { method: 'POST', headers: { authorization: `Bearer ${rt.adminToken}`, 'content-type': 'application/json' }, body: received[0]!.raw });
  assert.equal(back.status, 200);
  await back.arrayBuffer();
  await rt.writer.flush();
  const again = await fetch(`${rt.url}/api/events?trace_id=${traceId}`, { headers: { authorization: `Bearer ${rt.adminToken}` } });
  assert.equal(((await again.json()) as { events: LedgerRecord[] }).events.length, 1);
});

test('the export is off unless asked for, and a bad endpoint is refused with the variable named', () => {
  assert.equal(requestSpanSettings({}), undefined);
  assert.deepEqual(requestSpanSettings({ COSTRAIL_OTEL_EXPORT_ENDPOINT: 'http://c:4318/v1/traces', COSTRAIL_OTEL_EXPORT_HEADERS: 'api-key=a%3Db, x-team = t' }), { endpoint: 'http://c:4318/v1/traces', headers: { 'api-key': 'a=b', 'x-team': 't' } });
  assert.throws(() => requestSpanSettings({ COSTRAIL_OTEL_EXPORT_ENDPOINT: 'collector:4318' }), /COSTRAIL_OTEL_EXPORT_ENDPOINT/);
  assert.throws(() => requestSpanSettings({ COSTRAIL_OTEL_EXPORT_ENDPOINT: 'http://c/v1/traces', COSTRAIL_OTEL_EXPORT_HEADERS: 'novalue' }), /COSTRAIL_OTEL_EXPORT_HEADERS/);
});
