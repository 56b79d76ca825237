/**
 * The gateway through the official SDKs: each client points its base URL at Costrail, which
 * forwards to the project's simulated provider on loopback. Every call must leave exactly one
 * ledger record with the provider's usage, the exact cost and the attribution sent.
 */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import { Gateway } from '../../src/gateway/gateway.js';
import { createCostrailServer } from '../../src/server/http-server.js';
import { loadPriceBook } from '../../src/pricing/catalog-loader.js';
import { priceUsage } from '../../src/pricing/cost.js';
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import { startSimulator } from '../../src/simulator/index.js';

const records: LedgerRecord[] = [];
const book = loadPriceBook();
let sim: Awaited<ReturnType<typeof startSimulator>>;
let server: Server;
let gateway: Gateway;
let base: string;

before(async () => {
  sim = await startSimulator();
  gateway = new Gateway({
    upstreams: { openai: `${sim.url}/v1`, anthropic: sim.url, gemini: sim.url, mistral: 'http://127.0.0.1:9/v1' },
    book,
    sink: { write: (r) => records.push(r) },
  });
  server = createCostrailServer({ gateway });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await gateway.close();
  await sim.close();
});

beforeEach(() => {
  records.length = 0;
});

/** Records are written when the response completes; streams may finish a tick after the client. */
async function onlyRecord(): Promise<LedgerRecord> {
  for (let i = 0; i < 50 && records.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(records.length, 1, `expected exactly one ledger record, got ${records.length}`);
  return records[0] as LedgerRecord;
}

function expectedCost(r: LedgerRecord): string | undefined {
  assert.ok(r.usage && r.model);
  return priceUsage(book, { provider: r.provider, model: r.model, usage: r.usage, at: new Date(r.started_at) }).cost?.total;
}

const openai = () =>
  new OpenAI({
    apiKey: 'sk-test-passthrough',
    baseURL: `${base}/v1`,
    defaultHeaders: { 'x-costrail-team': 'search', 'x-costrail-feature': 'answer', 'x-costrail-customer': 'acme', 'x-costrail-tags': 'experiment=b; tier=gold' },
  });

test('OpenAI chat, non-streaming: usage, cost header, attribution, key hashed', async () => {
  const { data, response } = await openai()
    .chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello to the FinOps team' }] })
    .withResponse();
  const r = await onlyRecord();
  assert.equal(r.status, 'ok');
  assert.equal(r.usage_source, 'provider');
  assert.equal(r.usage?.input_tokens, (data.usage?.prompt_tokens ?? 0) - (data.usage?.prompt_tokens_details?.cached_tokens ?? 0));
  assert.equal((r.usage?.output_tokens ?? 0) + (r.usage?.reasoning_tokens ?? 0), data.usage?.completion_tokens);
  assert.equal(r.priced, true);
  assert.equal(r.cost?.total, expectedCost(r));
  assert.equal(response.headers.get('x-costrail-cost'), r.cost?.total);
  assert.equal(response.headers.get('x-costrail-request-id'), r.id);
  assert.deepEqual([r.attribution.team, r.attribution.feature, r.attribution.customer], ['search', 'answer', 'acme']);
  assert.deepEqual(r.tags, { experiment: 'b', tier: 'gold' });
  assert.match(r.key_id ?? '', /^pt_[0-9a-f]{16}$/);
  assert.ok(!JSON.stringify(r).includes('sk-test-passthrough'));
  const fwd = sim.lastRequests().at(-1);
  assert.ok(fwd);
  assert.equal(fwd.headers['authorization'], 'Bearer sk-test-passthrough');
  assert.ok(!Object.keys(fwd.headers).some((h) => h.startsWith('x-costrail-')), 'x-costrail-* headers must not be forwarded');
});

test('OpenAI chat stream without include_usage: metered, and the client sees no usage chunk', async () => {
  const stream = await openai().chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'Stream me a story' }] });
  let text = '';
  let sawUsage = false;
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta?.content ?? '';
    if (chunk.usage) sawUsage = true;
  }
  assert.equal(sawUsage, false);
  assert.ok(text.length > 0);
  const r = await onlyRecord();
  assert.equal(r.status, 'ok');
  assert.equal(r.stream, true);
  assert.equal(r.usage_source, 'provider');
  assert.ok((r.usage?.output_tokens ?? 0) > 0);
  assert.ok(r.ttft_ms !== null && r.ttft_ms >= 0);
  assert.equal(r.cost?.total, expectedCost(r));
  const fwd = sim.lastRequests().at(-1);
  assert.deepEqual((fwd?.body as { stream_options?: unknown }).stream_options, { include_usage: true });
});

test('OpenAI chat stream with include_usage: the client keeps its usage chunk', async () => {
  const stream = await openai().chat.completions.create({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] });
  let usage: OpenAI.CompletionUsage | undefined;
  for await (const chunk of stream) if (chunk.usage) usage = chunk.usage;
  assert.ok(usage);
  const r = await onlyRecord();
  assert.equal((r.usage?.input_tokens ?? 0) + (r.usage?.cache_read_tokens ?? 0), usage.prompt_tokens);
});

test('Anthropic messages, non-streaming and streaming', async () => {
  const client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: base, defaultHeaders: { 'x-costrail-team': 'support' } });
  const msg = await client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'Summarise the invoice' }] });
  let r = await onlyRecord();
  assert.equal(r.provider, 'anthropic');
  assert.equal(r.usage?.input_tokens, msg.usage.input_tokens);
  assert.equal(r.usage?.output_tokens, msg.usage.output_tokens);
  assert.equal(r.cost?.total, expectedCost(r));
  assert.equal(r.attribution.team, 'support');
  records.length = 0;

  const stream = client.messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'Stream the summary' }] });
  const final = await stream.finalMessage();
  r = await onlyRecord();
  assert.equal(r.stream, true);
  assert.equal(r.usage?.output_tokens, final.usage.output_tokens);
  assert.equal(r.usage?.input_tokens, final.usage.input_tokens);
  assert.equal(r.cost?.total, expectedCost(r));
});

test('Gemini generateContent and streamGenerateContent', async () => {
  const ai = new GoogleGenAI({ apiKey: 'g-test', httpOptions: { baseUrl: base, headers: { 'x-costrail-team': 'growth' } } });
  const res = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Classify this ticket' });
  let r = await onlyRecord();
  assert.equal(r.provider, 'gemini');
  assert.equal(r.model_requested, 'gemini-2.5-flash');
  assert.equal(r.usage?.input_tokens, (res.usageMetadata?.promptTokenCount ?? 0) - (res.usageMetadata?.cachedContentTokenCount ?? 0));
  assert.equal(r.attribution.team, 'growth');
  assert.equal(r.cost?.total, expectedCost(r));
  records.length = 0;

  let last: number | undefined;
  for await (const chunk of await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'Stream a classification' })) last = chunk.usageMetadata?.candidatesTokenCount ?? last;
  r = await onlyRecord();
  assert.equal(r.stream, true);
  assert.equal(r.usage?.output_tokens, last);
});

test('upstream 429 reaches the SDK as a 429 and is recorded as an error', async () => {
  const client = new OpenAI({ apiKey: 'sk-x', baseURL: `${base}/v1`, maxRetries: 0, defaultHeaders: { 'x-sim-status': '429' } });
  await assert.rejects(client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }), (e: unknown) => (e as { status?: number }).status === 429);
  const r = await onlyRecord();
  assert.equal(r.status, 'error');
  assert.equal(r.http_status, 429);
  assert.equal(r.cost, null);
});

test('connection refused: a 502 in the OpenAI error format, one error record', async () => {
  const res = await fetch(`${base}/mistral/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'mistral-large-latest', messages: [] }) });
  assert.equal(res.status, 502);
  const body = (await res.json()) as { error: { type: string } };
  assert.equal(body.error.type, 'upstream_unreachable');
  const r = await onlyRecord();
  assert.equal(r.status, 'error');
  assert.equal(r.provider, 'mistral');
});

test('bad request JSON: a 400 in the caller format, recorded, nothing forwarded', async () => {
  const before = sim.lastRequests().length;
  const res = await fetch(`${base}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model": ' });
  assert.equal(res.status, 400);
  const body = (await res.json()) as { type: string; error: { type: string } };
  assert.equal(body.type, 'error');
  assert.equal(body.error.type, 'invalid_request_error');
  assert.equal(sim.lastRequests().length, before);
  assert.equal((await onlyRecord()).http_status, 400);
});

test('client hang-up mid-stream: one aborted record with estimated usage', async () => {
  const ac = new AbortController();
  const res = await fetch(`${base}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-x', 'x-sim-chunk-delay-ms': '20', 'x-sim-chunks': '40' },
    body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'a long answer please' }] }),
    signal: ac.signal,
  });
  const reader = res.body?.getReader();
  assert.ok(reader);
  await reader.read();
  await reader.read();
  ac.abort();
  const r = await onlyRecord();
  assert.equal(r.status, 'aborted');
  assert.equal(r.usage_source, 'estimated');
  assert.ok((r.usage?.input_tokens ?? 0) > 0);
});

test('an unknown model is recorded unpriced, never at $0', async () => {
  await openai().chat.completions.create({ model: 'my-private-finetune', messages: [{ role: 'user', content: 'x' }] });
  const r = await onlyRecord();
  assert.equal(r.priced, false);
  assert.equal(r.cost, null);
  assert.ok(r.unpriced_reason);
});
