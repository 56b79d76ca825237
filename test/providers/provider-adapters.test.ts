/**
 * The registry is one list of adapters and what the gateway used to branch on by name now comes
 * from them: path ownership, base URLs, auth conventions, error dialects, stream-usage requests.
 * Routes are values: routing, a model route and a key in the query each give a new route.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adapterFor, bodyApi, billedModel, GENERIC_OPENAI_COMPATIBLE, PROVIDER_IDS, providerAdapters, UNPREFIXED_DEFAULT } from '../../src/providers/registry.js';
import { upstreamAuthHeaders } from '../../src/keys/provider-auth.js';
import { resolveUpstreams } from '../../src/gateway/upstreams.js';
import { dialectOfPath, routeRequest } from '../../src/gateway/route.js';
import { ProviderRouter } from '../../src/gateway/provider-router.js';

test('one adapter per provider id; exactly one takes the remaining un-prefixed calls', () => {
  assert.deepEqual(providerAdapters().map((a) => a.id), PROVIDER_IDS);
  assert.equal(new Set(PROVIDER_IDS).size, PROVIDER_IDS.length);
  assert.equal(providerAdapters().filter((a) => a.paths.unprefixed === 'rest').length, 1);
  assert.equal(UNPREFIXED_DEFAULT.id, 'openai');
  assert.equal(GENERIC_OPENAI_COMPATIBLE.id, 'openai-compatible');
});

test('auth conventions come from the adapters', () => {
  assert.deepEqual(upstreamAuthHeaders('anthropic', 's'), { 'x-api-key': 's' });
  assert.deepEqual(upstreamAuthHeaders('gemini', 's'), { 'x-goog-api-key': 's' });
  assert.deepEqual(upstreamAuthHeaders('vertex', 's'), { 'x-goog-api-key': 's' });
  assert.deepEqual(upstreamAuthHeaders('azure', 's'), { 'api-key': 's' });
  for (const id of ['openai', 'mistral', 'deepseek', 'xai', 'groq', 'together', 'openrouter', 'cohere', 'bedrock', 'openai-compatible', 'my-named-llm']) {
    assert.deepEqual(upstreamAuthHeaders(id, 's'), { authorization: 'Bearer s' }, id);
  }
  assert.ok(adapterFor('bedrock').auth.signer, 'Bedrock signs (SigV4) instead');
});

test('default base URLs and env overrides come from the adapters', () => {
  const u = resolveUpstreams({ COSTRAIL_OPENAI_COMPATIBLE_BASE_URL: 'http://local:8000/v1/', COSTRAIL_VERTEX_BASE_URL: 'https://eu-aiplatform.googleapis.com' });
  assert.equal(u.openai, 'https://api.openai.com/v1');
  assert.equal(u.anthropic, 'https://api.anthropic.com');
  assert.equal(u.groq, 'https://api.groq.com/openai/v1');
  assert.equal(u['openai-compatible'], 'http://local:8000/v1');
  assert.equal(u.vertex, 'https://eu-aiplatform.googleapis.com');
  assert.equal(u.azure, undefined, 'Azure has no public default');
});

test('only OpenAI-shaped adapters ask chat streams for usage', () => {
  const asks = providerAdapters().filter((a) => a.requestStreamUsage).map((a) => a.id).sort();
  assert.deepEqual(asks, ['azure', 'deepseek', 'groq', 'mistral', 'openai', 'openai-compatible', 'openrouter', 'together', 'xai']);
  const body: Record<string, unknown> = { stream: true };
  assert.equal(adapterFor('mistral').requestStreamUsage?.(body), true);
  assert.deepEqual(body['stream_options'], { include_usage: true });
});

test('routing: un-prefixed paths go to the adapter that claims their API; /v1 is dropped where the base includes it', () => {
  assert.deepEqual(pick(routeRequest('/v1/chat/completions')), { provider: 'openai', api: 'chat.completions', upstreamPath: '/chat/completions' });
  assert.deepEqual(pick(routeRequest('/v1/messages')), { provider: 'anthropic', api: 'messages', upstreamPath: '/v1/messages' });
  assert.deepEqual(pick(routeRequest('/v1beta/models/gemini-2.5-flash:generateContent')), { provider: 'gemini', api: 'generateContent', upstreamPath: '/v1beta/models/gemini-2.5-flash:generateContent' });
  assert.deepEqual(pick(routeRequest('/groq/v1/chat/completions')), { provider: 'groq', api: 'chat.completions', upstreamPath: '/chat/completions' });
  assert.deepEqual(pick(routeRequest('/azure/openai/deployments/prod/chat/completions')), { provider: 'azure', api: 'chat.completions', upstreamPath: '/openai/deployments/prod/chat/completions' });
  assert.equal(routeRequest('/azure/openai/deployments/prod/chat/completions')?.urlModel, 'prod');
  assert.equal(routeRequest('/nosuch/v1/chat/completions'), undefined);
  assert.equal(dialectOfPath('/v1beta/nothing'), 'google');
  assert.equal(dialectOfPath('/bedrock/whatever'), 'aws');
  assert.equal(dialectOfPath('/anthropic/v1/other'), 'anthropic');
  assert.equal(dialectOfPath('/favicon.ico'), 'openai');
});

test('routes are values: a model route gives a new route and leaves the first one as it was', () => {
  const router = new ProviderRouter({ upstreams: { openai: 'https://api.openai.com/v1', mistral: 'https://api.mistral.ai/v1', anthropic: 'https://api.anthropic.com' }, routes: [{ match: 'claude-*', provider: 'anthropic' }] });
  const r = router.route('/v1/chat/completions');
  assert.ok(r);
  const before = { ...r };
  const moved = router.byModel(r, 'claude-sonnet-4-5');
  assert.ok(moved);
  assert.notEqual(moved, r);
  assert.deepEqual({ ...r }, before, 'the routed value did not change');
  assert.deepEqual(pick(moved), { provider: 'openai-compatible', api: 'chat.completions', upstreamPath: '/v1/chat/completions' });
  assert.equal(moved.name, 'anthropic');
  assert.equal(moved.base, 'https://api.anthropic.com');
  const bedrock = router.route('/bedrock/model/anthropic.claude-3-haiku/converse');
  assert.equal(bedrock?.base, 'https://bedrock-runtime.us-east-1.amazonaws.com');
  assert.equal(typeof bedrock?.sign, 'function');
  assert.equal(router.configuredOrigin('bedrock'), 'https://bedrock-runtime.us-east-1.amazonaws.com');
});

test('API detection and billed-model rules come from the adapters', () => {
  assert.equal(bodyApi('openai', { object: 'response' }), 'responses');
  assert.equal(bodyApi('azure', { object: 'list' }), 'embeddings');
  assert.equal(bodyApi('mistral', { object: 'response' }), 'chat.completions', 'only the OpenAI family has Responses');
  assert.equal(bodyApi('bedrock', { type: 'message' }), 'invoke');
  assert.equal(bodyApi('cohere', { embeddings: {} }), 'embed');
  assert.equal(billedModel('bedrock', 'claude-3-haiku', 'us.anthropic.claude-3-haiku-v1:0'), 'us.anthropic.claude-3-haiku-v1:0');
  assert.equal(billedModel('openai', 'gpt-4o-2024-08-06', 'gpt-4o'), 'gpt-4o-2024-08-06');
});

function pick(r: { provider: string; api: string; upstreamPath: string } | undefined): { provider: string; api: string; upstreamPath: string } | undefined {
  return r ? { provider: r.provider, api: r.api, upstreamPath: r.upstreamPath } : undefined;
}

test('client key places come from the adapters, read in the former order', async () => {
  const { credentialHeaders, presentedKey } = await import('../../src/keys/provider-auth.js');
  assert.deepEqual(credentialHeaders(), ['authorization', 'x-api-key', 'x-goog-api-key', 'api-key']);
  const req = (headers: Record<string, string>, url = '/v1/chat/completions') => ({ headers, url }) as unknown as import('node:http').IncomingMessage;
  assert.deepEqual(presentedKey(req({ authorization: 'Bearer cr_a' }), 'cr_'), { value: 'cr_a', where: 'authorization' });
  assert.deepEqual(presentedKey(req({ 'api-key': 'cr_b', 'x-api-key': 'cr_c' }), 'cr_'), { value: 'cr_c', where: 'x-api-key' });
  assert.deepEqual(presentedKey(req({}, '/v1beta/models/m:generateContent?alt=sse&key=cr_d'), 'cr_'), { value: 'cr_d', where: 'query', param: 'key' });
  assert.equal(presentedKey(req({ authorization: 'Bearer sk-own' }), 'cr_'), undefined);
});

test('endpoints open to held credentials come from the adapters', async () => {
  const { isOpenByDefault } = await import('../../src/gateway/endpoint-allowance.js');
  assert.equal(isOpenByDefault({ api: 'chat.completions' }, 'POST', '/groq/v1/chat/completions'), true);
  assert.equal(isOpenByDefault({ api: 'chat.completions' }, 'POST', '/azure/openai/deployments/prod/chat/completions'), true);
  assert.equal(isOpenByDefault({ api: 'generateContent' }, 'POST', '/v1beta/models/gemini-2.5-flash:streamGenerateContent'), true);
  assert.equal(isOpenByDefault({ api: 'other' }, 'POST', '/gemini/v1beta/models/g:countTokens'), true);
  assert.equal(isOpenByDefault({ api: 'converse' }, 'POST', '/bedrock/model/m/converse-stream'), true);
  assert.equal(isOpenByDefault({ api: 'converse' }, 'POST', '/openai/model/m/converse'), false, "Bedrock's shapes only under its own prefix");
  assert.equal(isOpenByDefault({ api: 'other' }, 'GET', '/openai/v1/files'), false);
  assert.equal(isOpenByDefault({ api: 'chat.completions' }, 'GET', '/v1/chat/completions'), false);
});

test('a SigV4 caller is named by its access key id (the Bedrock adapter reads it), not by the per-request signature', async () => {
  const { passThroughKeyId } = await import('../../src/gateway/gateway.js');
  const req = (authorization: string) => ({ headers: { authorization }, url: '/bedrock/model/m/converse' }) as unknown as import('node:http').IncomingMessage;
  const sig = (s: string) => `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/bedrock/aws4_request, SignedHeaders=host;x-amz-date, Signature=${s}`;
  const a = passThroughKeyId(req(sig('aaaa')));
  assert.match(a ?? '', /^pt_[0-9a-f]{16}$/);
  assert.equal(passThroughKeyId(req(sig('bbbb'))), a);
  assert.notEqual(passThroughKeyId(req(sig('aaaa').replace('AKIDEXAMPLE', 'AKIDOTHER'))), a);
  assert.equal(passThroughKeyId(req('Bearer AKIDEXAMPLE')), a, 'the same secret name, however presented');
});

test('error dialects: the API shape decides (by the adapters that serve it), else the provider', async () => {
  const { dialectOf } = await import('../../src/gateway/error-format.js');
  assert.equal(dialectOf({ api: 'messages', provider: 'openai' }), 'anthropic');
  assert.equal(dialectOf({ api: 'count_tokens', provider: 'anthropic' }), 'anthropic');
  assert.equal(dialectOf({ api: 'generateContent', provider: 'vertex' }), 'google');
  assert.equal(dialectOf({ api: 'invoke', provider: 'bedrock' }), 'aws');
  assert.equal(dialectOf({ api: 'chat.completions', provider: 'openai-compatible' }), 'openai', "Anthropic's OpenAI-compatible endpoint speaks OpenAI's errors");
  assert.equal(dialectOf({ api: 'embed', provider: 'cohere' }), 'openai');
  assert.equal(dialectOf({ api: 'models', provider: 'gemini' }), 'google');
  assert.equal(dialectOf({ api: 'other', provider: 'bedrock' }), 'aws');
  assert.equal(dialectOf({ api: 'other', provider: 'mistral' }), 'openai');
});
