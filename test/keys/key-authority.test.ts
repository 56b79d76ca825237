/**
 * VirtualKeys.identify on routes the router builds: the credential is chosen by the provider as
 * recorded (a named provider, Anthropic's OpenAI-compatible endpoint) and presented in the
 * convention of the API the call speaks; a route that signs for itself needs no held credential.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isGatewayError, type CallIdentity } from '../../src/gateway/call-policy.js';
import type { Route } from '../../src/gateway/route.js';
import type { KeyRepository } from '../../src/keys/key-repository.js';
import { SecretBox } from '../../src/keys/master-key.js';
import { ProviderVault } from '../../src/keys/provider-vault.js';
import { VirtualKeys } from '../../src/keys/virtual-keys.js';

const repo = { loadCredentials: async () => [], loadKeys: async () => [], insertKey: async () => undefined, revokeKey: async () => undefined } as unknown as KeyRepository;

async function setup(): Promise<{ keys: VirtualKeys; secret: string }> {
  const vault = new ProviderVault(repo, new SecretBox(randomBytes(32)), { anthropic: 'sk-ant-held', 'local-llm': 'sk-local-held', azure: 'azure-held' });
  await vault.load();
  const keys = new VirtualKeys(repo, vault);
  const { secret } = await keys.create({ defaults: { team: 't' } });
  return { keys, secret };
}

const req = (headers: Record<string, string>, url = '/v1/chat/completions') => ({ headers, url }) as unknown as IncomingMessage;
const route = (r: Partial<Route>): Route => ({ provider: 'openai', api: 'chat.completions', upstreamPath: '/chat/completions', urlStream: false, ...r }) as Route;

function identity(v: ReturnType<VirtualKeys['identify']>): CallIdentity {
  assert.ok(!isGatewayError(v), JSON.stringify(v));
  return v;
}

test("Anthropic's OpenAI-compatible endpoint: the anthropic credential as a bearer token", async () => {
  const { keys, secret } = await setup();
  const id = identity(keys.identify(req({ authorization: `Bearer ${secret}` }), route({ provider: 'openai-compatible', name: 'anthropic' })));
  assert.deepEqual(id.upstreamAuth, { authorization: 'Bearer sk-ant-held' });
  const native = identity(keys.identify(req({ 'x-api-key': secret }, '/v1/messages'), route({ provider: 'anthropic', api: 'messages', upstreamPath: '/v1/messages' })));
  assert.deepEqual(native.upstreamAuth, { 'x-api-key': 'sk-ant-held' });
});

test('a provider named in the config, and Azure', async () => {
  const { keys, secret } = await setup();
  assert.deepEqual(identity(keys.identify(req({ authorization: `Bearer ${secret}` }), route({ provider: 'openai-compatible', name: 'local-llm' }))).upstreamAuth, { authorization: 'Bearer sk-local-held' });
  assert.deepEqual(identity(keys.identify(req({ 'api-key': secret }), route({ provider: 'azure' }))).upstreamAuth, { 'api-key': 'azure-held' });
});

test('a route that signs for itself (Bedrock SigV4) needs no held credential; others are refused', async () => {
  const { keys, secret } = await setup();
  const signed = identity(keys.identify(req({ authorization: `Bearer ${secret}` }), route({ provider: 'bedrock', api: 'converse', sign: () => undefined })));
  assert.equal(signed.upstreamAuth, undefined);
  assert.ok(signed.stripHeaders?.includes('authorization'), 'the virtual key is still stripped');
  const refused = keys.identify(req({ authorization: `Bearer ${secret}` }), route({ provider: 'groq' }));
  assert.ok(isGatewayError(refused));
  assert.deepEqual([refused.status, refused.type], [403, 'provider_credential_missing']);
});

test('pass-through: open until the first key, then closed unless configured; keep-alongside mode', async () => {
  const vault = new ProviderVault(repo, new SecretBox(randomBytes(32)));
  await vault.load();
  const auto = new VirtualKeys(repo, vault);
  const own = req({ authorization: 'Bearer sk-own' });
  assert.match(identity(auto.identify(own, route({}))).key_id ?? '', /^pt_/);
  const k = await auto.create({});
  const closed = auto.identify(own, route({}));
  assert.ok(isGatewayError(closed) && closed.status === 401);
  await auto.revoke(k.key.id);
  assert.ok(isGatewayError(auto.identify(own, route({}))), 'revoking every key does not reopen pass-through');
  const both = new VirtualKeys(repo, vault, true);
  await both.create({});
  assert.match(identity(both.identify(own, route({}))).key_id ?? '', /^pt_/);
  const never = new VirtualKeys(repo, vault, false);
  assert.ok(isGatewayError(never.identify(own, route({}))));
});
