/**
 * Issue 11, the gateway's request path against a hostile client: request targets that are not a
 * path (absolute, authority, asterisk form), mistyped provider prefixes, and requests Node's
 * parser refuses. Nothing may leave for a foreign origin: every outbound request undici creates is
 * recorded (diagnostics channel `undici:request:create`) and DNS answers only loopback names, so a
 * request that tried would be seen twice over. Each refused call leaves exactly one ledger record.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import dns from 'node:dns';
import diagnostics from 'node:diagnostics_channel';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import { Gateway } from '../../src/gateway/gateway.js';
import { ProviderRouter } from '../../src/gateway/provider-router.js';
import type { Route } from '../../src/gateway/route.js';
import { createCostrailServer } from '../../src/server/http-server.js';
import { loadPriceBook } from '../../src/pricing/catalog-loader.js';
import { startCostrail, type CostrailRuntime } from '../../src/server/costrail-runtime.js';
import { startSimulator } from '../../src/simulator/index.js';
import { api, recordOf } from '../keys/keys-kit.js';

type Sim = Awaited<ReturnType<typeof startSimulator>>;

const HELD_ANTHROPIC = 'sk-ant-held-by-costrail-0000000000';
let sim: Sim;
let rt: CostrailRuntime;
let dataDir: string;
let virtualKey: string;

/** Every request undici creates anywhere in this process, as `origin path`. */
const outbound: string[] = [];
const onCreate = (msg: unknown): void => {
  const r = (msg as { request: { origin: string; path: string } }).request;
  outbound.push(`${r.origin} ${r.path}`);
};
/** Host names something tried to resolve beyond loopback (refused, loudly). */
const lookups: string[] = [];
const realLookup = dns.lookup;

function foreign(): string[] {
  // The SDKs and fetch() in this test go through undici too: only Costrail's own upstream calls count.
  return outbound.filter((o) => !o.startsWith(sim.url) && !o.startsWith(rt.url));
}

before(async () => {
  diagnostics.subscribe('undici:request:create', onCreate);
  // DNS beyond localhost is refused: a request for a foreign host fails at once and is counted.
  (dns as { lookup: unknown }).lookup = (host: string, ...rest: unknown[]) => {
    if (host === 'localhost' || net.isIP(host) !== 0) return (realLookup as (...a: unknown[]) => void)(host, ...rest);
    lookups.push(host);
    const cb = rest.find((r) => typeof r === 'function') as (e: Error) => void;
    process.nextTick(() => cb(Object.assign(new Error(`test: DNS refused for ${host}`), { code: 'ENOTFOUND' })));
  };
  sim = await startSimulator();
  dataDir = mkdtempSync(join(tmpdir(), 'costrail-h11-path-'));
  // Anthropic and Gemini keep their public base URLs: exactly the setting the reported attack needs.
  rt = await startCostrail({ port: 0, dataDir, quiet: true, upstreams: { openai: `${sim.url}/v1`, anthropic: 'https://api.anthropic.com', gemini: 'https://generativelanguage.googleapis.com' } });
  assert.equal((await api(rt, 'PUT', '/api/provider-credentials', { provider: 'anthropic', secret: HELD_ANTHROPIC })).status, 200);
  assert.equal((await api(rt, 'PUT', '/api/provider-credentials', { provider: 'gemini', secret: 'gemini-held-000' })).status, 200);
  assert.equal((await api(rt, 'PUT', '/api/provider-credentials', { provider: 'openai', secret: 'sk-openai-held-000' })).status, 200);
  const created = await api<{ secret: string }>(rt, 'POST', '/api/keys', { name: 'attacker holds this', team: 'growth', end_pass_through: true });
  virtualKey = created.body.secret;
});

after(async () => {
  diagnostics.unsubscribe('undici:request:create', onCreate);
  (dns as { lookup: unknown }).lookup = realLookup;
  await rt.close();
  await sim.close();
  rmSync(dataDir, { recursive: true, force: true });
});

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Sends bytes exactly as given (no client library would write these request lines) and reads the answer. */
function raw(bytes: string): Promise<RawResponse> {
  const { port } = new URL(rt.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', ...rest] = text.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const l of lines) {
        const i = l.indexOf(':');
        if (i > 0) headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
    });
    socket.end(bytes);
  });
}

function request(line: string, body: string, headers: Record<string, string>): string {
  const all = { host: 'costrail.test', 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), connection: 'close', ...headers };
  return `${line}\r\n${Object.entries(all).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n${body}`;
}

const messagesBody = JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] });
const geminiBody = JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] });
const chatBody = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });

async function recordOfResponse(res: RawResponse): Promise<LedgerRecord> {
  return recordOf(rt, res.headers['x-costrail-request-id']);
}

test('absolute-form request line with a virtual key: 400 in Anthropic format, nothing leaves, the held key goes nowhere, one record', async () => {
  const simBefore = sim.stats.requests;
  outbound.length = 0;
  lookups.length = 0;
  const res = await raw(request('POST munity://x/v1/messages HTTP/1.1', messagesBody, { 'x-api-key': virtualKey, 'anthropic-version': '2023-06-01' }));
  assert.equal(res.status, 400);
  const body = JSON.parse(res.body) as { type: string; error: { type: string } };
  assert.equal(body.type, 'error', 'Anthropic error shape');
  assert.equal(body.error.type, 'invalid_request_target');
  const r = await recordOfResponse(res);
  assert.equal(r.status, 'blocked');
  assert.equal(r.http_status, 400);
  assert.equal(r.provider, 'unknown');
  assert.match(r.key_id ?? '', /^vk_/, 'the record names the key that tried');
  assert.deepEqual(foreign(), [], 'no outbound request was created for any origin');
  assert.deepEqual(lookups, [], 'no host name was resolved');
  assert.equal(sim.stats.requests, simBefore);
});

test('absolute-form http:// and Gemini targets, asterisk and CONNECT: refused in the caller format, never forwarded', async () => {
  outbound.length = 0;
  lookups.length = 0;
  const gem = await raw(request('POST company://x/v1beta/models/gemini-2.5-flash:generateContent HTTP/1.1', geminiBody, { 'x-goog-api-key': virtualKey }));
  assert.equal(gem.status, 400);
  assert.equal((JSON.parse(gem.body) as { error: { status: string } }).error.status, 'INVALID_ARGUMENT', 'Google error shape');
  assert.equal((await recordOfResponse(gem)).status, 'blocked');

  const evil = await raw(request('POST http://evil.example/v1/chat/completions HTTP/1.1', chatBody, { authorization: `Bearer ${virtualKey}` }));
  assert.equal(evil.status, 400);
  assert.equal((JSON.parse(evil.body) as { error: { type: string } }).error.type, 'invalid_request_target', 'OpenAI error shape');
  assert.equal((await recordOfResponse(evil)).http_status, 400);

  const star = await raw(request('OPTIONS * HTTP/1.1', '', {}));
  assert.equal(star.status, 400);
  assert.equal((JSON.parse(star.body) as { error: { type: string } }).error.type, 'invalid_request_target');

  const connect = await raw('CONNECT api.anthropic.com:443 HTTP/1.1\r\nhost: api.anthropic.com:443\r\n\r\n');
  assert.equal(connect.status, 400);
  assert.equal((JSON.parse(connect.body) as { error: { type: string } }).error.type, 'invalid_request_target');

  assert.deepEqual(foreign(), []);
  assert.deepEqual(lookups, []);
});

test('dot segments are resolved before routing: what is checked is what would be sent', async () => {
  outbound.length = 0;
  // /openai/%2e%2e/nosuch/… is /nosuch/…: an unknown prefix, whatever the raw text started with.
  const res = await raw(request('POST /openai/%2e%2e/nosuch/v1/chat/completions HTTP/1.1', chatBody, { authorization: `Bearer ${virtualKey}` }));
  assert.equal(res.status, 404);
  assert.deepEqual(foreign(), []);
});

test('unknown provider prefix (OpenAI SDK): 404 NotFoundError in OpenAI format, nothing forwarded, one blocked record', async () => {
  for (const prefix of ['nosuch', 'mistrl']) {
    const before = sim.stats.requests;
    const client = new OpenAI({ apiKey: virtualKey, baseURL: `${rt.url}/${prefix}/v1`, maxRetries: 0 });
    let requestId: string | null | undefined;
    await assert.rejects(client.chat.completions.create({ model: 'mistral-small-latest', messages: [{ role: 'user', content: 'hi' }] }), (e: unknown) => {
      assert.ok(e instanceof OpenAI.NotFoundError, String(e));
      assert.equal((e.error as { type?: string }).type, 'not_found');
      assert.match(e.message, new RegExp(`/${prefix}/`));
      requestId = e.headers?.get('x-costrail-request-id');
      return true;
    });
    assert.equal(sim.stats.requests, before, 'nothing reached any provider');
    const r = await recordOf(rt, requestId);
    assert.equal(r.status, 'blocked');
    assert.equal(r.http_status, 404);
    assert.equal(r.provider, 'unknown');
    assert.equal(r.error?.type, 'not_found');
  }
  // A GET on a mistyped prefix is the gateway's too (a JSON 404), not the dashboard's HTML.
  const page = await fetch(`${rt.url}/mistrl/v1/models`, { headers: { authorization: `Bearer ${virtualKey}` } });
  assert.equal(page.status, 404);
  assert.match(page.headers.get('content-type') ?? '', /json/);
  assert.deepEqual(foreign(), []);
});

test('un-prefixed and prefixed routes keep working after the unknown-prefix change', async () => {
  const client = new OpenAI({ apiKey: virtualKey, baseURL: `${rt.url}/v1`, maxRetries: 0 });
  const done = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
  assert.ok(done.choices.length > 0);
  const prefixed = new OpenAI({ apiKey: virtualKey, baseURL: `${rt.url}/openai/v1`, maxRetries: 0 });
  assert.ok((await prefixed.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })).choices.length > 0);
  assert.equal(sim.lastRequests().at(-1)?.headers['authorization'], 'Bearer sk-openai-held-000');
});

test("Node's own 400/431 (bad header bytes, oversized headers, malformed request line) come back in the caller's format", async () => {
  const badHeader = await raw(`POST /v1/messages HTTP/1.1\r\nhost: x\r\nx-bad\u0001name: 1\r\ncontent-length: 2\r\n\r\n{}`);
  assert.equal(badHeader.status, 400);
  const anthropic = JSON.parse(badHeader.body) as { type: string; error: { type: string } };
  assert.equal(anthropic.type, 'error', 'Anthropic shape for /v1/messages');
  assert.equal(badHeader.headers['content-type'], 'application/json');

  const big = await raw(`POST /v1beta/models/gemini-2.5-flash:generateContent HTTP/1.1\r\nhost: x\r\nx-pad: ${'a'.repeat(20_000)}\r\n\r\n`);
  assert.equal(big.status, 431);
  const google = JSON.parse(big.body) as { error: { code: number; status: string } };
  assert.equal(google.error.code, 431, 'Google shape for /v1beta/…');

  const gemPrefixed = await raw(`POST /gemini/v1beta/models/x:generateContent HTTP/1.1\r\nhost: x\r\nbad header: 1\r\n\r\n`);
  assert.equal(gemPrefixed.status, 400);
  assert.ok((JSON.parse(gemPrefixed.body) as { error: { status?: string } }).error.status, 'Google shape for /gemini/…');

  const line = await raw(`POST /v1/chat/completions HTTP/1.1 trailing-garbage\r\nhost: x\r\n\r\n`);
  assert.equal(line.status, 400);
  assert.equal(typeof (JSON.parse(line.body) as { error: { message: string } }).error.message, 'string', 'OpenAI shape otherwise');
});

test('last guard: a route whose upstream origin is not the configured one is refused before any credential is attached', async () => {
  const records: LedgerRecord[] = [];
  // A router that misroutes (a stand-in for any future routing bug): the guard must not trust it.
  class Misrouting extends ProviderRouter {
    override route(path: string): Route | undefined {
      const r = super.route(path);
      return r ? { ...r, base: 'http://192.0.2.1/latest' } : r; // TEST-NET-1: documentation-only, never routed
    }
  }
  const upstreams = { openai: `${sim.url}/v1` };
  const gateway = new Gateway({ upstreams, book: loadPriceBook(), sink: { write: (r) => records.push(r) }, router: new Misrouting({ upstreams }) });
  const server = createCostrailServer({ gateway });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  outbound.length = 0;
  try {
    const res = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, { method: 'POST', headers: { authorization: 'Bearer sk-client-own', 'content-type': 'application/json' }, body: chatBody });
    assert.equal(res.status, 502);
    assert.equal(((await res.json()) as { error: { type: string } }).error.type, 'upstream_origin_mismatch');
    assert.deepEqual(outbound.filter((o) => !o.startsWith(`http://127.0.0.1:${port}`)), [], 'nothing was sent to the foreign origin');
    assert.equal(records.length, 1);
    assert.equal(records[0]?.status, 'blocked');
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await gateway.close();
  }
});
