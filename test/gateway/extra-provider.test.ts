/**
 * "A new OpenAI-compatible provider is one folder plus one registry line" (docs/architecture.md,
 * "Adding a provider"), proven end to end: an adapter composed from the OpenAI-compatible base,
 * registered the way a registry line registers it, serves `/acme/v1/…` through the gateway to the
 * simulator with the official `openai` client, and each call leaves one priced, attributed record.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import OpenAI from 'openai';
import { Gateway } from '../../src/gateway/gateway.js';
import { ProviderRouter } from '../../src/gateway/provider-router.js';
import { resolveUpstreams } from '../../src/gateway/upstreams.js';
import { createCostrailServer } from '../../src/server/http-server.js';
import { loadBuiltinCatalog } from '../../src/pricing/catalog-loader.js';
import { OverridesSchema } from '../../src/pricing/overrides.js';
import { PriceBook } from '../../src/pricing/price-book.js';
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import { createChatUsageParser, openAiCompatibleAdapter } from '../../src/providers/openai-compatible/index.js';
import { adapterFor, isProviderId, registerProviderAdapter } from '../../src/providers/registry.js';
import { startSimulator } from '../../src/simulator/index.js';
import { gatewayError } from '../../src/errors/error-catalogue.js';

// The whole provider folder: a parser from the shared chat reader, an adapter from the shared base.
const acmeAdapter = openAiCompatibleAdapter(createChatUsageParser('acme'), { upstream: { defaultBaseUrl: 'https://api.acme.invalid/v1' } });

const records: LedgerRecord[] = [];
const book = new PriceBook(
  [loadBuiltinCatalog()],
  OverridesSchema.parse({ models: [{ provider: 'acme', model: 'acme-chat-1', prices: [{ effective_from: '2024-01-01', source: 'test: acme list price', rates: { input: '1.00', output: '2.00' } }] }] }),
);
let sim: Awaited<ReturnType<typeof startSimulator>>;
let server: Server;
let gateway: Gateway;
let base: string;

before(async () => {
  registerProviderAdapter(acmeAdapter); // the registry line
  sim = await startSimulator();
  // The base URL comes from COSTRAIL_ACME_BASE_URL, as for every built-in provider.
  const upstreams = resolveUpstreams({ COSTRAIL_ACME_BASE_URL: `${sim.url}/v1` });
  gateway = new Gateway({ upstreams, book, sink: { write: (r) => records.push(r) }, router: new ProviderRouter({ upstreams }) });
  server = createCostrailServer({ gateway });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await gateway.close();
  await sim.close();
});

async function waitFor(n: number): Promise<void> {
  for (let i = 0; i < 200 && records.length < n; i++) await new Promise((r) => setTimeout(r, 10));
}

test('the registered provider is a provider like the built-in ones: id, prefix, default base URL', () => {
  const id: string = acmeAdapter.id;
  if (!isProviderId(id)) return assert.fail('registered ids are provider ids');
  assert.equal(adapterFor(id).upstream.defaultBaseUrl, 'https://api.acme.invalid/v1');
  assert.equal(resolveUpstreams({})[id], 'https://api.acme.invalid/v1');
  assert.throws(() => registerProviderAdapter(acmeAdapter), /already registered/);
  assert.throws(() => new ProviderRouter({ upstreams: {}, named: { acme: { baseUrl: 'http://x/v1' } } }), /built-in provider or a reserved path/);
});

test('a chat call through /acme/v1 with the openai client leaves one priced, attributed record', async () => {
  records.length = 0;
  const client = new OpenAI({ baseURL: `${base}/acme/v1`, apiKey: 'acme-key', defaultHeaders: { 'x-costrail-team': 'search', 'x-costrail-feature': 'answer' } });
  const data = await client.chat.completions.create({ model: 'acme-chat-1', messages: [{ role: 'user', content: 'Hello there' }] });
  assert.ok(data.usage && data.usage.prompt_tokens > 0);
  await waitFor(1);
  assert.equal(records.length, 1);
  const r = records[0] as LedgerRecord;
  assert.equal(r.provider, 'acme');
  assert.equal(r.api, 'chat.completions');
  assert.equal(r.status, 'ok');
  assert.equal(r.usage_source, 'provider');
  assert.equal(r.priced, true, r.unpriced_reason ?? '');
  assert.deepEqual({ team: r.attribution.team, feature: r.attribution.feature }, { team: 'search', feature: 'answer' });
  // 1.00 / 2.00 USD per million tokens, exactly.
  const usage = r.usage;
  assert.ok(usage);
  const expected = (usage.input_tokens * 1 + usage.output_tokens * 2) / 1e6;
  assert.equal(Number(r.cost?.total), expected);
});

test('a streamed call gets usage asked for (stream_options) by the shared base, hidden from the client, and priced', async () => {
  records.length = 0;
  const client = new OpenAI({ baseURL: `${base}/acme/v1`, apiKey: 'acme-key' });
  const stream = await client.chat.completions.create({ model: 'acme-chat-1', stream: true, messages: [{ role: 'user', content: 'Stream please' }] });
  let usageChunks = 0;
  for await (const chunk of stream) if (chunk.usage) usageChunks++;
  assert.equal(usageChunks, 0, 'the client did not ask for the usage chunk, so it does not see it');
  await waitFor(1);
  assert.equal(records.length, 1);
  const r = records[0] as LedgerRecord;
  assert.equal(r.provider, 'acme');
  assert.equal(r.stream, true);
  assert.equal(r.usage_source, 'provider');
  assert.equal(r.priced, true, r.unpriced_reason ?? '');
});

test('a signer may answer asynchronously (an async signing library): its refusal is awaited and recorded', async () => {
  records.length = 0;
  class AsyncSigning extends ProviderRouter {
    override route(path: string): ReturnType<ProviderRouter['route']> {
      const r = super.route(path);
      return r ? { ...r, sign: async () => Promise.resolve(gatewayError('upstream_not_configured', 'no credentials for the async signer')) } : r;
    }
  }
  const upstreams = resolveUpstreams({ COSTRAIL_ACME_BASE_URL: `${sim.url}/v1` });
  const gw = new Gateway({ upstreams, book, sink: { write: (r) => records.push(r) }, router: new AsyncSigning({ upstreams }) });
  const srv = createCostrailServer({ gateway: gw });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  try {
    const res = await fetch(`http://127.0.0.1:${(srv.address() as AddressInfo).port}/acme/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer acme-key' },
      body: JSON.stringify({ model: 'acme-chat-1', messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(res.status, 502);
    assert.equal(((await res.json()) as { error: { type: string } }).error.type, 'upstream_not_configured');
    await waitFor(1);
    assert.equal(records.length, 1);
    assert.equal(records[0]?.status, 'blocked');
  } finally {
    await new Promise<void>((r) => srv.close(() => r()));
    await gw.close();
  }
});
