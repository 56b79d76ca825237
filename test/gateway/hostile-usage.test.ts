/**
 * A hostile provider on loopback claims absurd usage (negative, string, 1e30, 2^53+1), in JSON
 * bodies and in streams. Every such call must be one `error` record (`upstream_malformed`),
 * unpriced with the reason, never a price; the client still gets the provider's bytes.
 * Also: while the spool cannot be written, calls are refused 503 in the caller's own format and
 * nothing reaches the provider.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Gateway, type LedgerSink } from '../../src/gateway/gateway.js';
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import type { SpoolWrite } from '../../src/ledger/ledger-spool.js';
import { LedgerWriter } from '../../src/ledger/ledger-writer.js';
import { loadPriceBook } from '../../src/pricing/catalog-loader.js';
import { createCostrailServer } from '../../src/server/http-server.js';

const book = loadPriceBook();

/** What the hostile provider answers, set per test. */
let reply: { contentType: string; body: string } = { contentType: 'application/json', body: '{}' };
let upstreamHits = 0;
let upstream: Server;
let upstreamUrl: string;

before(async () => {
  upstream = createServer((req, res) => {
    upstreamHits++;
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': reply.contentType });
      res.end(reply.body);
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});
after(async () => {
  upstream.closeAllConnections();
  await new Promise<void>((r) => upstream.close(() => r()));
});
beforeEach(() => {
  upstreamHits = 0;
});

async function withGateway(sink: LedgerSink, fn: (base: string) => Promise<void>): Promise<void> {
  const gateway = new Gateway({ upstreams: { openai: `${upstreamUrl}/v1`, anthropic: upstreamUrl, gemini: upstreamUrl }, book, sink });
  const server = createCostrailServer({ gateway });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await gateway.close();
  }
}

const sse = (events: unknown[]): string => events.map((e) => `data: ${typeof e === 'string' ? e : JSON.stringify(e)}\n\n`).join('');
const chatChunk = (extra: Record<string, unknown>): Record<string, unknown> => ({ id: 'c1', object: 'chat.completion.chunk', model: 'gpt-4o-mini-2024-07-18', choices: [], ...extra });
const anthropicStream = (outputTokens: unknown): string =>
  [
    `event: message_start\ndata: ${JSON.stringify({ type: 'message_start', message: { id: 'm', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [], usage: { input_tokens: 12, output_tokens: 1 } } })}\n\n`,
    `event: content_block_delta\ndata: ${JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'hello' } })}\n\n`,
    `event: message_delta\ndata: ${JSON.stringify({ type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: outputTokens } })}\n\n`,
    `event: message_stop\ndata: {"type":"message_stop"}\n\n`,
  ].join('');

interface Case {
  name: string;
  path: string;
  request: Record<string, unknown>;
  reply: { contentType: string; body: string };
  problem: RegExp;
}

const chatReq = (stream: boolean): Record<string, unknown> => ({ model: 'gpt-4o-mini', stream, messages: [{ role: 'user', content: 'Tell me a story about budgets' }] });
const CASES: Case[] = [
  {
    name: 'OpenAI chat stream with negative prompt_tokens',
    path: '/v1/chat/completions',
    request: chatReq(true),
    reply: { contentType: 'text/event-stream', body: sse([chatChunk({ choices: [{ index: 0, delta: { content: 'hi' } }] }), chatChunk({ usage: { prompt_tokens: -5, completion_tokens: 3, total_tokens: -2 } }), '[DONE]']) },
    problem: /negative/,
  },
  {
    name: 'OpenAI chat stream with string completion_tokens',
    path: '/v1/chat/completions',
    request: chatReq(true),
    reply: { contentType: 'text/event-stream', body: sse([chatChunk({ usage: { prompt_tokens: 5, completion_tokens: '12', total_tokens: 17 } }), '[DONE]']) },
    problem: /string/,
  },
  {
    name: 'Anthropic stream with string output_tokens in message_delta',
    path: '/v1/messages',
    request: { model: 'claude-sonnet-4-5', max_tokens: 64, stream: true, messages: [{ role: 'user', content: 'hi' }] },
    reply: { contentType: 'text/event-stream', body: anthropicStream('12') },
    problem: /string/,
  },
  {
    name: 'Anthropic stream with 1e20 output_tokens',
    path: '/v1/messages',
    request: { model: 'claude-sonnet-4-5', max_tokens: 64, stream: true, messages: [{ role: 'user', content: 'hi' }] },
    reply: { contentType: 'text/event-stream', body: anthropicStream(1e20) },
    problem: /bound|2\^53/,
  },
  {
    name: 'Gemini stream with negative candidatesTokenCount',
    path: '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
    request: { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] },
    reply: { contentType: 'text/event-stream', body: sse([{ candidates: [{ content: { parts: [{ text: 'hi' }] } }], usageMetadata: { promptTokenCount: 4, candidatesTokenCount: -9, totalTokenCount: -5 }, modelVersion: 'gemini-2.5-flash' }]) },
    problem: /negative/,
  },
  {
    name: 'OpenAI JSON body with 1e30 prompt_tokens',
    path: '/v1/chat/completions',
    request: chatReq(false),
    reply: { contentType: 'application/json', body: JSON.stringify({ id: 'c', object: 'chat.completion', model: 'gpt-4o-mini-2024-07-18', choices: [], usage: { prompt_tokens: 1e30, completion_tokens: 3, total_tokens: 1e30 } }) },
    problem: /bound|2\^53/,
  },
  {
    name: 'OpenAI JSON body with 2^53+1 completion_tokens (JSON.parse rounds it)',
    path: '/v1/chat/completions',
    request: chatReq(false),
    reply: { contentType: 'application/json', body: '{"id":"c","object":"chat.completion","model":"gpt-4o-mini-2024-07-18","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":9007199254740993,"total_tokens":9007199254740998}}' },
    problem: /2\^53|bound/,
  },
];

describe('hostile usage figures', () => {
  for (const c of CASES) {
    it(`${c.name}: one error record, upstream_malformed, unpriced with the reason`, async () => {
      reply = c.reply;
      const records: LedgerRecord[] = [];
      await withGateway({ write: (r) => records.push(r) }, async (base) => {
        const res = await fetch(`${base}${c.path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-x', 'x-api-key': 'k', 'x-goog-api-key': 'k' }, body: JSON.stringify(c.request) });
        assert.equal(res.status, 200, 'the client still gets what the provider sent');
        await res.text();
        for (let i = 0; i < 50 && records.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      });
      assert.equal(records.length, 1);
      const r = records[0]!;
      assert.equal(r.status, 'error');
      assert.equal(r.error?.type, 'upstream_malformed');
      assert.match(r.error?.message ?? '', c.problem);
      assert.equal(r.priced, false);
      assert.equal(r.cost, null, 'never a price from a refused figure');
      assert.match(r.unpriced_reason ?? '', /refused/);
      if (r.usage) for (const v of Object.values(r.usage)) assert.ok(Number.isSafeInteger(v) && v >= 0 && v < 1e12);
    });
  }

  it('a sane stream is still recorded ok and priced (control)', async () => {
    reply = { contentType: 'text/event-stream', body: sse([chatChunk({ choices: [{ index: 0, delta: { content: 'hi' } }] }), chatChunk({ usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 } }), '[DONE]']) };
    const records: LedgerRecord[] = [];
    await withGateway({ write: (r) => records.push(r) }, async (base) => {
      const res = await fetch(`${base}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-x' }, body: JSON.stringify(chatReq(true)) });
      await res.text();
      for (let i = 0; i < 50 && records.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    });
    assert.equal(records[0]?.status, 'ok');
    assert.equal(records[0]?.priced, true);
  });
});

describe('spool cannot be written (disk full)', () => {
  it('refuses 503 in the caller format before anything goes upstream, and recovers when writes succeed', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'costrail-diskfull-'));
    let full = false;
    const write: SpoolWrite = (fd, buffer, offset, length) => {
      if (full) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      return fs.writeSync(fd, buffer, offset, length);
    };
    const committed: string[] = [];
    const writer = new LedgerWriter({ dataDir: dir, store: { insertRecords: async (rs) => (rs.forEach((r) => committed.push(r.id)), { inserted: rs.length }) }, spoolWrite: write, probeIntervalMs: 0 });
    reply = { contentType: 'application/json', body: JSON.stringify({ id: 'c', object: 'chat.completion', model: 'gpt-4o-mini-2024-07-18', choices: [], usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 } }) };
    try {
      await withGateway({ write: (r) => writer.write(r), writable: () => writer.writable() }, async (base) => {
        const call = (p: string, body: unknown): Promise<Response> => fetch(`${base}${p}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-x', 'x-api-key': 'k', 'x-goog-api-key': 'k' }, body: JSON.stringify(body) });
        assert.equal((await call('/v1/chat/completions', chatReq(false))).status, 200);
        full = true;
        // The call in flight when the disk fills: the provider answered, the record cannot be kept: 503, OpenAI shape.
        const inFlight = await call('/v1/chat/completions', chatReq(false));
        assert.equal(inFlight.status, 503);
        assert.equal(((await inFlight.json()) as { error: { type: string } }).error.type, 'ledger_unavailable');
        upstreamHits = 0;
        const openai = await call('/v1/chat/completions', chatReq(false));
        assert.equal(openai.status, 503);
        assert.equal(openai.headers.get('retry-after'), '1');
        assert.equal(((await openai.json()) as { error: { type: string } }).error.type, 'ledger_unavailable');
        const anthropic = await call('/v1/messages', { model: 'claude-sonnet-4-5', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] });
        assert.equal(anthropic.status, 503);
        const a = (await anthropic.json()) as { type: string; error: { type: string } };
        assert.equal(a.type, 'error', 'Anthropic error shape on an Anthropic route');
        assert.equal(a.error.type, 'ledger_unavailable');
        const gemini = await call('/v1beta/models/gemini-2.5-flash:generateContent', { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] });
        assert.equal(gemini.status, 503);
        const g = (await gemini.json()) as { error: { status: string; details: { reason: string }[] } };
        assert.equal(g.error.status, 'UNAVAILABLE');
        assert.equal(g.error.details[0]?.reason, 'ledger_unavailable');
        assert.equal(upstreamHits, 0, 'nothing was sent to the provider (nothing paid for) while the spool was unwritable');

        full = false;
        const back = await call('/v1/chat/completions', chatReq(false));
        assert.equal(back.status, 200, 'the probe sees the disk writable again');
        assert.equal(upstreamHits, 1);
      });
      await writer.flush();
      assert.equal(committed.length, 2, 'the calls answered 200 are the calls recorded');
    } finally {
      await writer.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
