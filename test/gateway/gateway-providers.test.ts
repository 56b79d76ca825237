/**
 * Provider routing through the gateway: Azure OpenAI deployment and v1 paths (the official
 * `AzureOpenAI` client), Bedrock Converse / ConverseStream / InvokeModel signed with held
 * credentials (the simulator verifies every SigV4 signature), Mistral by prefix, a provider named
 * in config, and config routes by model name. Each call must leave one record with the exact
 * usage, cost, provider and model.
 */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createHash } from 'node:crypto';
import OpenAI, { AzureOpenAI } from 'openai';
import { request } from 'undici';
import { Gateway } from '../../src/gateway/gateway.js';
import { ProviderRouter, type RouterOptions } from '../../src/gateway/provider-router.js';
import { createCostrailServer } from '../../src/server/http-server.js';
import { loadBuiltinCatalog } from '../../src/pricing/catalog-loader.js';
import { PriceBook } from '../../src/pricing/price-book.js';
import { OverridesSchema } from '../../src/pricing/overrides.js';
import { priceUsage } from '../../src/pricing/cost.js';
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import { SIM_AWS_CREDENTIALS, startSimulator } from '../../src/simulator/index.js';
import { decodeEventStream, headerString } from '../../src/providers/bedrock/index.js';
import { signSigV4 } from '../../src/providers/bedrock/sigv4.js';

const records: LedgerRecord[] = [];
const book = new PriceBook(
  [loadBuiltinCatalog()],
  OverridesSchema.parse({
    deployments: { azure: { 'prod-chat': 'gpt-4o-mini', 'prod-embed': 'text-embedding-3-small' } },
    models: [{ provider: 'myllm', model: 'llama-3.1-8b-instruct', prices: [{ effective_from: '2024-01-01', source: 'test: negotiated self-hosted rate', rates: { input: '0.10', output: '0.20' } }] }],
  }),
);
let sim: Awaited<ReturnType<typeof startSimulator>>;
const servers: { server: Server; gateway: Gateway }[] = [];
let base: string;

async function startGateway(router: (sim: string) => RouterOptions): Promise<string> {
  const opts = router(sim.url);
  const gateway = new Gateway({ upstreams: opts.upstreams, book, sink: { write: (r) => records.push(r) }, router: new ProviderRouter(opts) });
  const server = createCostrailServer({ gateway });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push({ server, gateway });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const routing = (s: string): RouterOptions => ({
  upstreams: { openai: `${s}/v1`, azure: s, mistral: `${s}/v1`, anthropic: s, bedrock: s },
  named: { myllm: { baseUrl: `${s}/v1`, apiKey: 'held-myllm-key' }, selfhost: { baseUrl: `${s}/v1` } },
  routes: [
    { match: 'mistral-*', provider: 'mistral' },
    { match: 'llama-*', provider: 'myllm' },
    { match: 'claude-*', provider: 'anthropic' },
  ],
  bedrock: { region: 'us-east-1', credentials: SIM_AWS_CREDENTIALS },
});

before(async () => {
  sim = await startSimulator();
  base = await startGateway(routing);
});

after(async () => {
  for (const { server, gateway } of servers) {
    await new Promise<void>((r) => server.close(() => r()));
    await gateway.close();
  }
  await sim.close();
});

beforeEach(() => {
  records.length = 0;
});

async function onlyRecord(): Promise<LedgerRecord> {
  for (let i = 0; i < 50 && records.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(records.length, 1, `expected exactly one ledger record, got ${records.length}`);
  return records[0] as LedgerRecord;
}

function expectedCost(r: LedgerRecord): string | undefined {
  assert.ok(r.usage && r.model);
  const p = priceUsage(book, { provider: r.provider, model: r.model, usage: r.usage, at: new Date(r.started_at) });
  assert.equal(p.priced, true, `the book prices ${r.provider}/${r.model}`);
  return p.cost?.total;
}

const keyId = (k: string) => `pt_${createHash('sha256').update(k).digest('hex').slice(0, 16)}`;
const azure = (deployment?: string) => new AzureOpenAI({ endpoint: `${base}/azure`, apiKey: 'azure-key-1', apiVersion: '2024-10-21', ...(deployment ? { deployment } : {}) });

test('Azure deployment chat (AzureOpenAI client): the deployment name is priced through the price book mapping', async () => {
  const { data, response } = await azure('prod-chat').chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Summarise the cloud bill' }] }).withResponse();
  const r = await onlyRecord();
  assert.equal(r.provider, 'azure');
  assert.equal(r.api, 'chat.completions');
  assert.equal(r.model_requested, 'prod-chat', 'the deployment in the path is what Azure serves');
  assert.equal(r.model, 'gpt-4o-mini');
  assert.equal(data.model, 'prod-chat');
  assert.equal(r.usage?.input_tokens, data.usage?.prompt_tokens);
  assert.equal(r.usage?.output_tokens, data.usage?.completion_tokens);
  assert.equal(r.cost?.total, expectedCost(r));
  assert.equal(response.headers.get('x-costrail-cost'), r.cost?.total);
  assert.equal(r.key_id, keyId('azure-key-1'));
  const fwd = sim.lastRequests().at(-1);
  assert.equal(fwd?.path, '/openai/deployments/prod-chat/chat/completions?api-version=2024-10-21');
  assert.equal(fwd?.headers['api-key'], 'azure-key-1');
});

test('Azure deployment chat stream: metered from the stream, usage chunk hidden from a client that did not ask', async () => {
  const stream = await azure('prod-chat').chat.completions.create({ model: 'prod-chat', stream: true, messages: [{ role: 'user', content: 'Stream the forecast' }] });
  let text = '';
  let sawUsage = false;
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta?.content ?? '';
    if (chunk.usage) sawUsage = true;
  }
  assert.ok(text.length > 0);
  assert.equal(sawUsage, false);
  const r = await onlyRecord();
  assert.equal(r.stream, true);
  assert.equal(r.usage_source, 'provider');
  assert.equal(r.model, 'gpt-4o-mini');
  assert.ok((r.usage?.output_tokens ?? 0) > 0);
  assert.equal(r.cost?.total, expectedCost(r));
});

test('Azure embeddings and Responses through AzureOpenAI', async () => {
  const emb = await azure('prod-embed').embeddings.create({ model: 'prod-embed', input: ['unit economics', 'showback'] });
  let r = await onlyRecord();
  assert.equal([r.provider, r.api, r.model_requested, r.model].join(' '), 'azure embeddings prod-embed text-embedding-3-small');
  assert.equal(r.usage?.input_tokens, emb.usage.prompt_tokens);
  assert.equal(r.cost?.total, expectedCost(r));

  records.length = 0;
  const resp = await azure().responses.create({ model: 'prod-chat', input: 'What drove spend up?' });
  r = await onlyRecord();
  assert.equal([r.provider, r.api, r.model_requested, r.model].join(' '), 'azure responses prod-chat gpt-4o-mini');
  assert.equal(r.usage?.input_tokens, resp.usage?.input_tokens);
  assert.equal(r.cost?.total, expectedCost(r));
  assert.equal(sim.lastRequests().at(-1)?.path, '/openai/responses?api-version=2024-10-21');
});

test('Azure v1 API (/azure/openai/v1) and an unmapped, unknown deployment is unpriced, never $0', async () => {
  const v1 = new OpenAI({ baseURL: `${base}/azure/openai/v1`, apiKey: 'azure-key-2' });
  await v1.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
  let r = await onlyRecord();
  assert.equal([r.provider, r.model].join(' '), 'azure gpt-4o-mini');
  assert.equal(r.cost?.total, expectedCost(r));
  assert.equal(sim.lastRequests().at(-1)?.path, '/openai/v1/chat/completions');

  records.length = 0;
  await azure('mystery-deployment').chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'hi' }] });
  r = await onlyRecord();
  assert.equal(r.status, 'ok');
  assert.equal(r.priced, false);
  assert.equal(r.cost, null);
  assert.match(r.unpriced_reason ?? '', /mystery-deployment/);
});

const BEDROCK_MODEL = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';
const bedrockPath = (op: string, model = BEDROCK_MODEL) => `/bedrock/model/${encodeURIComponent(model)}/${op}`;
/** A client signature made for Costrail's host with the client's own key: Costrail must replace it. */
function clientSigned(url: string, body: string): Record<string, string> {
  const u = new URL(url);
  const s = signSigV4({ method: 'POST', host: u.host, path: u.pathname, query: '', headers: { 'content-type': 'application/json' }, body }, { accessKeyId: 'AKIACLIENTEXAMPLE', secretAccessKey: 'client-secret' }, { region: 'us-east-1', service: 'bedrock' });
  return { 'content-type': 'application/json', ...s.headers };
}
const converseBody = JSON.stringify({ system: [{ text: 'You are a FinOps analyst.' }], messages: [{ role: 'user', content: [{ text: 'Which team spent the most last week?' }] }], inferenceConfig: { maxTokens: 50 } });

test('Bedrock Converse: re-signed with held credentials (simulator verifies SigV4), exact usage and cost', async () => {
  const url = base + bedrockPath('converse');
  const res = await request(url, { method: 'POST', headers: { ...clientSigned(url, converseBody), 'x-costrail-team': 'finance' }, body: converseBody });
  const json = (await res.body.json()) as { usage: { inputTokens: number; outputTokens: number } };
  assert.equal(res.statusCode, 200, JSON.stringify(json));
  const r = await onlyRecord();
  assert.equal([r.provider, r.api, r.model_requested, r.model, r.status].join(' '), `bedrock converse ${BEDROCK_MODEL} ${BEDROCK_MODEL} ok`);
  assert.equal(r.usage?.input_tokens, json.usage.inputTokens);
  assert.equal(r.usage?.output_tokens, json.usage.outputTokens);
  assert.equal(json.usage.outputTokens, 50);
  assert.equal(r.cost?.total, expectedCost(r));
  assert.equal(res.headers['x-costrail-cost'], r.cost?.total);
  assert.equal(r.attribution.team, 'finance');
  assert.equal(r.key_id, keyId('AKIACLIENTEXAMPLE'), 'the caller is named by its access key id, stable across signatures');
  const fwd = sim.lastRequests().at(-1);
  assert.equal(fwd?.path, `/model/${BEDROCK_MODEL.replace(':', '%3A')}/converse`);
  assert.match(String(fwd?.headers['authorization']), new RegExp(`^AWS4-HMAC-SHA256 Credential=${SIM_AWS_CREDENTIALS.accessKeyId}/\\d{8}/us-east-1/bedrock/aws4_request`));
});

test('Bedrock ConverseStream: event-stream frames pass through intact and the metadata usage is recorded', async () => {
  // The model id unencoded this time (`:` raw): what is sent is what is signed either way.
  const res = await request(`${base}/bedrock/model/${BEDROCK_MODEL}/converse-stream`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: converseBody });
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['content-type']), /vnd\.amazon\.eventstream/);
  const frames = decodeEventStream(new Uint8Array(await res.body.arrayBuffer()));
  const types = frames.map((f) => headerString(f, ':event-type'));
  assert.equal(types[0], 'messageStart');
  assert.equal(types.at(-1), 'metadata');
  const meta = JSON.parse(Buffer.from(frames.at(-1)?.payload ?? []).toString('utf8')) as { usage: { inputTokens: number; outputTokens: number } };
  const r = await onlyRecord();
  assert.equal(r.stream, true);
  assert.equal(r.usage_source, 'provider');
  assert.equal(r.usage?.input_tokens, meta.usage.inputTokens);
  assert.equal(r.usage?.output_tokens, meta.usage.outputTokens);
  assert.equal(r.cost?.total, expectedCost(r));
  assert.ok(r.ttft_ms !== null);
});

test('Bedrock ConverseStream ending in an exception frame: the client gets the frame, the record says error with estimated usage', async () => {
  const res = await request(base + bedrockPath('converse-stream'), { method: 'POST', headers: { 'content-type': 'application/json', 'x-sim-fail-after-chunks': '3' }, body: converseBody });
  assert.equal(res.statusCode, 200);
  const frames = decodeEventStream(new Uint8Array(await res.body.arrayBuffer()));
  assert.equal(headerString(frames.at(-1)!, ':exception-type'), 'internalServerException');
  const r = await onlyRecord();
  assert.equal(r.status, 'error');
  assert.equal(r.error?.type, 'upstream_stream_exception');
  assert.match(r.error?.message ?? '', /internalServerException/);
  assert.equal(r.usage_source, 'estimated');
  assert.ok((r.usage?.output_tokens ?? 0) > 0, 'output counted from the three deltas that streamed');
});

test('Bedrock InvokeModel and InvokeModelWithResponseStream (Anthropic body)', async () => {
  const body = JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 30, messages: [{ role: 'user', content: 'Explain unit cost per customer' }] });
  const res = await request(base + bedrockPath('invoke'), { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const json = (await res.body.json()) as { usage: { input_tokens: number; output_tokens: number } };
  assert.equal(res.statusCode, 200);
  let r = await onlyRecord();
  assert.equal([r.api, r.model].join(' '), `invoke ${BEDROCK_MODEL}`);
  assert.equal(r.usage?.input_tokens, json.usage.input_tokens);
  assert.equal(r.usage?.output_tokens, 30);
  assert.equal(r.cost?.total, expectedCost(r));

  records.length = 0;
  const s = await request(base + bedrockPath('invoke-with-response-stream'), { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  assert.equal(s.statusCode, 200);
  await s.body.arrayBuffer();
  r = await onlyRecord();
  assert.equal([r.api, r.stream, r.usage_source].join(' '), 'invoke true provider');
  assert.equal(r.usage?.input_tokens, json.usage.input_tokens);
  assert.equal(r.usage?.output_tokens, 30);
  assert.equal(r.cost?.total, expectedCost(r));
});

test('Bedrock: wrong held credentials are refused by the verifying simulator; none at all is refused by Costrail in AWS format', async () => {
  const wrong = await startGateway((s) => ({ ...routing(s), bedrock: { region: 'us-east-1', credentials: { ...SIM_AWS_CREDENTIALS, secretAccessKey: 'not-the-secret' } } }));
  const res = await request(wrong + bedrockPath('converse'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: converseBody });
  const err = (await res.body.json()) as { message: string };
  assert.equal(res.statusCode, 403);
  assert.match(err.message, /signature/);
  let r = await onlyRecord();
  assert.equal([r.status, r.http_status].join(' '), 'error 403');

  records.length = 0;
  const none = await startGateway((s) => ({ ...routing(s), bedrock: { region: 'us-east-1' } }));
  const before = sim.stats.requests;
  const res2 = await request(none + bedrockPath('converse'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: converseBody });
  const err2 = (await res2.body.json()) as { __type: string; message: string };
  assert.equal(res2.statusCode, 502);
  assert.equal(err2.__type, 'upstream_not_configured');
  assert.equal(sim.stats.requests, before, 'nothing unsigned went upstream');
  r = await onlyRecord();
  assert.equal(r.status, 'blocked');
  assert.equal(r.provider, 'bedrock');
});

test('Mistral by prefix (/mistral/v1) with the OpenAI client', async () => {
  const m = new OpenAI({ baseURL: `${base}/mistral/v1`, apiKey: 'mistral-key' });
  const data = await m.chat.completions.create({ model: 'mistral-small-2603', messages: [{ role: 'user', content: 'Bonjour' }] });
  const r = await onlyRecord();
  assert.equal([r.provider, r.model].join(' '), 'mistral mistral-small-2603');
  assert.equal(r.usage?.input_tokens, data.usage?.prompt_tokens);
  assert.equal(r.cost?.total, expectedCost(r));
  assert.equal(sim.lastRequests().at(-1)?.headers['authorization'], 'Bearer mistral-key');
});

test('A provider named in config: recorded under its name, its held key sent, priced by custom prices, else unpriced', async () => {
  const c = new OpenAI({ baseURL: `${base}/myllm/v1`, apiKey: 'client-key' });
  const stream = await c.chat.completions.create({ model: 'llama-3.1-8b-instruct', stream: true, messages: [{ role: 'user', content: 'Count my tokens' }] });
  for await (const _ of stream) void _;
  let r = await onlyRecord();
  assert.equal([r.provider, r.model, r.priced].join(' '), 'myllm llama-3.1-8b-instruct true');
  assert.ok((r.usage?.input_tokens ?? 0) > 0 && (r.usage?.output_tokens ?? 0) > 0);
  assert.equal(r.cost?.total, expectedCost(r));
  assert.equal(sim.lastRequests().at(-1)?.headers['authorization'], 'Bearer held-myllm-key');

  records.length = 0;
  const s = new OpenAI({ baseURL: `${base}/selfhost/v1`, apiKey: 'client-key' });
  await s.chat.completions.create({ model: 'qwen-local', messages: [{ role: 'user', content: 'hi' }] });
  r = await onlyRecord();
  assert.equal([r.provider, r.status, r.priced].join(' '), 'selfhost ok false');
  assert.equal(r.cost, null);
  assert.match(r.unpriced_reason ?? '', /qwen-local/);
  assert.equal(sim.lastRequests().at(-1)?.headers['authorization'], 'Bearer client-key', 'no held key: pass-through');
});

test('Un-prefixed /v1 calls are routed by model pattern from config; other models stay with OpenAI', async () => {
  const c = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'sk-any' });
  const cases: [string, string][] = [
    ['mistral-small-2603', 'mistral'],
    ['llama-3.1-8b-instruct', 'myllm'],
    ['claude-haiku-4-5-20251001', 'anthropic'],
    ['gpt-4o-mini', 'openai'],
  ];
  for (const [model, provider] of cases) {
    records.length = 0;
    await c.chat.completions.create({ model, messages: [{ role: 'user', content: 'route me' }] });
    const r = await onlyRecord();
    assert.equal(`${r.provider} ${r.model}`, `${provider} ${model}`);
    assert.equal(r.cost?.total, expectedCost(r));
  }
  // Anthropic's OpenAI-compatible endpoint lives under /v1 of its base URL.
  assert.equal(sim.lastRequests().at(-2)?.path, '/v1/chat/completions');
});

test('An explicit /anthropic prefix on an OpenAI-shaped path reaches Anthropic\'s OpenAI-compatible endpoint', async () => {
  const c = new OpenAI({ baseURL: `${base}/anthropic/v1`, apiKey: 'sk-ant-x' });
  await c.chat.completions.create({ model: 'claude-haiku-4-5-20251001', messages: [{ role: 'user', content: 'hi' }] });
  const r = await onlyRecord();
  assert.equal(`${r.provider} ${r.api} ${r.model}`, 'anthropic chat.completions claude-haiku-4-5-20251001');
  assert.equal(r.cost?.total, expectedCost(r));
  assert.equal(sim.lastRequests().at(-1)?.path, '/v1/chat/completions');
});

test('Router config errors: a non-OpenAI-shaped route target and a reserved provider name', () => {
  assert.throws(() => new ProviderRouter({ upstreams: {}, routes: [{ match: 'x*', provider: 'bedrock' }] }), /does not take OpenAI-shaped requests/);
  assert.throws(() => new ProviderRouter({ upstreams: {}, routes: [{ match: 'x*', provider: 'nobody' }] }), /nobody/);
  assert.throws(() => new ProviderRouter({ upstreams: {}, named: { v1: { baseUrl: 'http://x' } } }), /reserved/);
  assert.throws(() => new ProviderRouter({ upstreams: {}, named: { openai: { baseUrl: 'http://x' } } }), /built-in/);
});
