/**
 * The gateway under upstream faults (x-sim-* headers on the simulated provider), its route
 * table's edges, and the usage-chunk filter's byte-exactness. Every call must leave exactly one
 * ledger record (or, for a path that is not a gateway route, none) and the client must get its
 * answer in its own API's error format.
 */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import fc from 'fast-check';
import { Gateway, type GatewayOptions } from '../../src/gateway/gateway.js';
import { UsageChunkFilter } from '../../src/gateway/usage-chunk-filter.js';
import { createCostrailServer } from '../../src/server/http-server.js';
import { loadPriceBook } from '../../src/pricing/catalog-loader.js';
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import { startSimulator } from '../../src/simulator/index.js';

const book = loadPriceBook();
let sim: Awaited<ReturnType<typeof startSimulator>>;

interface Running {
  base: string;
  records: LedgerRecord[];
  /** Resolves once every call the gateway has taken has returned from handle(), i.e. has written all its records. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

/** Counts calls inside handle(): an explicit "all records written" signal instead of waiting on the clock. */
class SettledGateway extends Gateway {
  private inFlight = 0;
  private readonly waiters: (() => void)[] = [];

  override async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.inFlight++;
    try {
      await super.handle(req, res);
    } finally {
      if (--this.inFlight === 0) for (const w of this.waiters.splice(0)) w();
    }
  }

  settled(): Promise<void> {
    return this.inFlight === 0 ? Promise.resolve() : new Promise((r) => this.waiters.push(r));
  }
}

async function startGateway(extra: Partial<GatewayOptions> = {}): Promise<Running> {
  const records: LedgerRecord[] = [];
  const gateway = new SettledGateway({
    upstreams: { openai: `${sim.url}/v1`, anthropic: sim.url, gemini: sim.url },
    book,
    sink: { write: (r) => records.push(r) },
    ...extra,
  });
  const server: Server = createCostrailServer({ gateway });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    records,
    settled: () => gateway.settled(),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await gateway.close();
    },
  };
}

let gw: Running;

before(async () => {
  sim = await startSimulator();
  gw = await startGateway();
});

after(async () => {
  await gw.close();
  await sim.close();
});

beforeEach(() => {
  gw.records.length = 0;
});

/** Records are written when the response completes; streams may finish a tick after the client, so wait for handle() to return. */
async function onlyRecord(records: LedgerRecord[] = gw.records, running: Running = gw): Promise<LedgerRecord> {
  await running.settled();
  assert.equal(records.length, 1, `expected exactly one ledger record, got ${records.length}`);
  return records[0] as LedgerRecord;
}

const json = (o: unknown): string => JSON.stringify(o);
const anthropicBody = (stream = false): string => json({ model: 'claude-sonnet-4-5', max_tokens: 64, stream, messages: [{ role: 'user', content: 'Summarise the invoice' }] });
const chatBody = (stream = false): string => json({ model: 'gpt-4o-mini', stream, messages: [{ role: 'user', content: 'Tell me a story about budgets' }] });

function post(path: string, body: string, headers: Record<string, string> = {}, base = gw.base): Promise<Response> {
  return fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
}

/** Reads a body to the end; `error` is set when the connection was cut rather than ended. */
async function readAll(res: Response): Promise<{ text: string; error?: unknown }> {
  const reader = res.body?.getReader();
  assert.ok(reader);
  const dec = new TextDecoder();
  let text = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += dec.decode(value, { stream: true });
    }
  } catch (error) {
    return { text, error };
  }
  return { text };
}

// ---------------------------------------------------------------------------------------------
// Upstream faults
// ---------------------------------------------------------------------------------------------

test('upstream 500 on /v1/messages: the Anthropic error body reaches the client, one error record', async () => {
  const res = await post('/v1/messages', anthropicBody(), { 'x-api-key': 'sk-ant-x', 'x-sim-status': '500' });
  assert.equal(res.status, 500);
  const body = (await res.json()) as { type: string; error: { type: string; message: string } };
  assert.equal(body.type, 'error');
  assert.equal(body.error.type, 'api_error');
  const r = await onlyRecord();
  assert.equal(r.provider, 'anthropic');
  assert.equal(r.api, 'messages');
  assert.equal(r.status, 'error');
  assert.equal(r.http_status, 500);
  assert.equal(r.usage, null);
  assert.equal(r.usage_source, null);
  assert.equal(r.cost, null);
  assert.equal(r.error?.type, 'upstream_error');
  assert.equal(res.headers.get('x-costrail-request-id'), r.id);
});

test('upstream timeout: 504 upstream_timeout in the caller format, one error record', async () => {
  const slow = await startGateway({ upstreamTimeoutMs: 200 });
  try {
    // Anthropic caller.
    let res = await post('/v1/messages', anthropicBody(), { 'x-api-key': 'sk-ant-x', 'x-sim-latency-ms': '5000' }, slow.base);
    assert.equal(res.status, 504);
    const a = (await res.json()) as { type: string; error: { type: string } };
    assert.equal(a.type, 'error');
    assert.equal(a.error.type, 'upstream_timeout');
    let r = await onlyRecord(slow.records, slow);
    assert.equal(r.status, 'error');
    assert.equal(r.http_status, 504);
    assert.equal(r.usage_source, null);
    assert.equal(r.error?.type, 'upstream_timeout');
    slow.records.length = 0;

    // OpenAI caller.
    res = await post('/v1/chat/completions', chatBody(), { authorization: 'Bearer sk-x', 'x-sim-latency-ms': '5000' }, slow.base);
    assert.equal(res.status, 504);
    const o = (await res.json()) as { error: { type: string; code: string } };
    assert.equal(o.error.type, 'upstream_timeout');
    assert.equal(o.error.code, 'upstream_timeout');
    r = await onlyRecord(slow.records, slow);
    assert.equal(r.status, 'error');
    assert.equal(r.http_status, 504);
    slow.records.length = 0;

    // Gemini caller.
    res = await post('/v1beta/models/gemini-2.5-flash:generateContent', json({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }), { 'x-goog-api-key': 'g', 'x-sim-latency-ms': '5000' }, slow.base);
    assert.equal(res.status, 504);
    const g = (await res.json()) as { error: { code: number; status: string; details: { reason: string }[] } };
    assert.equal(g.error.code, 504);
    assert.equal(g.error.status, 'DEADLINE_EXCEEDED');
    assert.equal(g.error.details[0]?.reason, 'upstream_timeout');
    r = await onlyRecord(slow.records, slow);
    assert.equal(r.status, 'error');
    assert.equal(r.http_status, 504);
  } finally {
    await slow.close();
  }
});

test('malformed upstream JSON (non-stream): client gets the bytes and status, record is upstream_malformed', async () => {
  const res = await post('/v1/chat/completions', chatBody(), { authorization: 'Bearer sk-x', 'x-sim-malformed': '1' });
  assert.equal(res.status, 200);
  const text = await res.text();
  assert.equal(text.length, 40, 'the simulator cuts the body at 40 characters; the gateway must relay it as is');
  assert.throws(() => JSON.parse(text) as unknown);
  const r = await onlyRecord();
  assert.equal(r.status, 'error');
  assert.equal(r.http_status, 200);
  assert.equal(r.error?.type, 'upstream_malformed');
  // A 2xx was answered, so the call is metered from the prompt, never left at "no usage".
  assert.equal(r.usage_source, 'estimated');
  assert.ok((r.usage?.input_tokens ?? 0) > 0);
  assert.equal(r.usage?.output_tokens, 0);
});

test('mid-stream upstream failure (OpenAI chat): one error record, usage estimated from the streamed text', async () => {
  const res = await post('/v1/chat/completions', chatBody(true), { authorization: 'Bearer sk-x', 'x-sim-fail-after-chunks': '3' });
  assert.equal(res.status, 200);
  const { text } = await readAll(res);
  assert.ok(text.includes('"content"'), 'the deltas written before the failure reach the client');
  assert.ok(!text.includes('[DONE]'));
  const r = await onlyRecord();
  assert.equal(r.status, 'error');
  assert.equal(r.http_status, 200);
  assert.equal(r.stream, true);
  assert.equal(r.error?.type, 'upstream_stream_error');
  assert.equal(r.usage_source, 'estimated');
  assert.ok((r.usage?.output_tokens ?? 0) > 0, 'the three deltas streamed count as output');
  assert.ok((r.usage?.input_tokens ?? 0) > 0);
});

test(
  'mid-stream upstream failure: the client connection is cut, not ended cleanly',
  async () => {
    const res = await post('/v1/messages', anthropicBody(true), { 'x-api-key': 'sk-ant-x', 'x-sim-fail-after-chunks': '3' });
    const { text, error } = await readAll(res);
    assert.ok(!text.includes('message_stop'));
    assert.ok(error !== undefined, 'the client must see the truncation as a network error, as it would talking to the provider directly');
    await onlyRecord();
  },
);

test('Anthropic stream without usage: recorded ok with estimated usage', async () => {
  const res = await post('/v1/messages', anthropicBody(true), { 'x-api-key': 'sk-ant-x', 'x-sim-no-usage': '1' });
  assert.equal(res.status, 200);
  const { text, error } = await readAll(res);
  assert.equal(error, undefined);
  assert.ok(text.includes('message_stop'));
  const r = await onlyRecord();
  assert.equal(r.status, 'ok');
  assert.equal(r.stream, true);
  assert.equal(r.usage_source, 'estimated');
  assert.ok((r.usage?.output_tokens ?? 0) > 0);
  assert.ok((r.usage?.input_tokens ?? 0) > 0);
});

test('Gemini stream without usage: recorded ok with estimated usage', async () => {
  const res = await post('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse', json({ contents: [{ role: 'user', parts: [{ text: 'Stream a classification' }] }] }), { 'x-goog-api-key': 'g', 'x-sim-no-usage': '1' });
  assert.equal(res.status, 200);
  await readAll(res);
  const r = await onlyRecord();
  assert.equal(r.status, 'ok');
  assert.equal(r.provider, 'gemini');
  assert.equal(r.stream, true);
  assert.equal(r.usage_source, 'estimated');
  assert.ok((r.usage?.output_tokens ?? 0) > 0);
});

// ---------------------------------------------------------------------------------------------
// Routes
// ---------------------------------------------------------------------------------------------

test('explicit provider prefix /openai/v1/chat/completions reaches OpenAI /v1/chat/completions', async () => {
  const res = await post('/openai/v1/chat/completions', chatBody(), { authorization: 'Bearer sk-x' });
  assert.equal(res.status, 200);
  const body = (await res.json()) as { object: string };
  assert.equal(body.object, 'chat.completion');
  assert.equal(sim.lastRequests().at(-1)?.path, '/v1/chat/completions');
  const r = await onlyRecord();
  assert.equal(r.provider, 'openai');
  assert.equal(r.api, 'chat.completions');
  assert.equal(r.status, 'ok');
  assert.equal(r.usage_source, 'provider');
});

test('unknown path: 404 in the OpenAI error format, no ledger record, nothing forwarded', async () => {
  const before = sim.stats.requests;
  const res = await post('/no/such/route', '{}');
  assert.equal(res.status, 404);
  const body = (await res.json()) as { error: { type: string } };
  assert.equal(body.error.type, 'not_found');
  assert.equal(res.headers.get('x-costrail-request-id'), null);
  await gw.settled();
  assert.equal(gw.records.length, 0);
  assert.equal(sim.stats.requests, before);
});

test('GET /v1/models passes through and is recorded with no usage and no cost', async () => {
  const res = await fetch(`${gw.base}/v1/models`, { headers: { authorization: 'Bearer sk-x' } });
  assert.equal(res.status, 200);
  const body = (await res.json()) as { object: string; data: unknown[] };
  assert.equal(body.object, 'list');
  assert.ok(body.data.length > 0);
  const fwd = sim.lastRequests().at(-1);
  assert.equal(fwd?.method, 'GET');
  assert.equal(fwd?.path, '/v1/models');
  const r = await onlyRecord();
  assert.equal(r.api, 'models');
  assert.equal(r.status, 'ok');
  assert.equal(r.http_status, 200);
  assert.equal(r.usage, null);
  assert.equal(r.usage_source, null);
  assert.equal(r.cost, null);
  assert.equal(r.priced, false);
  assert.equal(res.headers.get('x-costrail-cost'), null);
});

// ---------------------------------------------------------------------------------------------
// UsageChunkFilter
// ---------------------------------------------------------------------------------------------

function chunkDelta(i: number, content: string, withNullUsage: boolean): unknown {
  return { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta: { content }, logprobs: null, finish_reason: null }], ...(withNullUsage ? { usage: null } : {}), n: i };
}
const USAGE_EVENT = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [], usage: { prompt_tokens: 9, completion_tokens: 12, total_tokens: 21 } };

/** An OpenAI chat SSE stream, as events (each with its separator) so the expected output is exact. */
function sseEvents(contents: string[], opts: { crlf: boolean; usage: boolean; nullUsage: boolean; comment: boolean }): { events: string[]; usageIndex: number } {
  const nl = opts.crlf ? '\r\n' : '\n';
  const ev = (data: string): string => `data: ${data}${nl}${nl}`;
  const events: string[] = [];
  if (opts.comment) events.push(`: keep-alive${nl}${nl}`);
  contents.forEach((c, i) => events.push(ev(json(chunkDelta(i, c, opts.nullUsage)))));
  let usageIndex = -1;
  if (opts.usage) {
    usageIndex = events.length;
    events.push(ev(json(USAGE_EVENT)));
  }
  events.push(ev('[DONE]'));
  return { events, usageIndex };
}

function runFilter(bytes: Buffer, cuts: number[]): Buffer {
  const f = new UsageChunkFilter();
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of [...points, bytes.length]) {
    out.push(Buffer.from(f.push(bytes.subarray(prev, p))));
    prev = p;
  }
  out.push(f.end());
  return Buffer.concat(out);
}

const streamArb = fc.record({
  contents: fc.array(fc.string({ unit: 'grapheme', maxLength: 12 }), { minLength: 0, maxLength: 8 }),
  crlf: fc.boolean(),
  nullUsage: fc.boolean(),
  comment: fc.boolean(),
  cuts: fc.array(fc.nat(), { maxLength: 12 }),
});

test('UsageChunkFilter: any chunking yields the original bytes minus the usage-only event', () => {
  fc.assert(
    fc.property(streamArb, ({ contents, crlf, nullUsage, comment, cuts }) => {
      const { events, usageIndex } = sseEvents(contents, { crlf, usage: true, nullUsage, comment });
      const input = Buffer.from(events.join(''));
      const expected = Buffer.from(events.filter((_, i) => i !== usageIndex).join(''));
      assert.deepEqual(runFilter(input, cuts), expected);
    }),
    { numRuns: 300 },
  );
});

test('UsageChunkFilter: a stream without a usage chunk passes byte-for-byte, however chunked', () => {
  fc.assert(
    fc.property(streamArb, ({ contents, crlf, nullUsage, comment, cuts }) => {
      const input = Buffer.from(sseEvents(contents, { crlf, usage: false, nullUsage, comment }).events.join(''));
      assert.deepEqual(runFilter(input, cuts), input);
    }),
    { numRuns: 300 },
  );
});

test('UsageChunkFilter: a final usage event without its trailing blank line is still dropped, other tails kept', () => {
  const usage = `data: ${json(USAGE_EVENT)}`;
  const head = `data: ${json(chunkDelta(0, 'hi', false))}\n\n`;
  for (const cuts of [[], [3], [head.length], [head.length + 5]]) {
    assert.equal(runFilter(Buffer.from(head + usage), cuts).toString(), head);
    assert.equal(runFilter(Buffer.from(head + 'data: [DONE]'), cuts).toString(), head + 'data: [DONE]');
  }
});

test('UsageChunkFilter on the simulator stream: any chunking drops exactly the one usage-only event', async () => {
  // A real simulator stream with include_usage (usage: null on every chunk, one usage-only chunk).
  const res = await fetch(`${sim.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: json({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hello' }] }),
  });
  const raw = Buffer.from(await res.arrayBuffer());
  const events = raw.toString('utf8').split(/(?<=\n\n)/);
  const usageOnly = events.filter((e) => e.includes('"choices":[]'));
  assert.equal(usageOnly.length, 1);
  const expected = Buffer.from(events.filter((e) => !e.includes('"choices":[]')).join(''));
  fc.assert(
    fc.property(fc.array(fc.nat(), { maxLength: 20 }), (cuts) => {
      assert.deepEqual(runFilter(raw, cuts), expected);
    }),
    { numRuns: 200 },
  );
});
