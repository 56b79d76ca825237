/**
 * Virtual keys end to end through the official SDKs: Costrail → simulator. The client holds only a
 * `cr_` key; the provider must receive the credential Costrail holds, never the virtual key; the
 * ledger names the key and takes its attribution defaults (request headers win, tags merge).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import type { CostrailRuntime } from '../../src/server/costrail-runtime.js';
import { MASTER_KEY_FILE } from '../../src/keys/master-key.js';
import { api, newestRecord, recordOf, startStack, type Sim } from './keys-kit.js';

const HELD = { openai: 'sk-held-openai-7f3a9c', anthropic: 'sk-ant-held-2b8e41', gemini: 'AIza-held-gemini-c0ffee' };

let sim: Sim;
let rt: CostrailRuntime;
let dataDir: string;
let key: { id: string; secret: string };

interface KeyJson {
  id: string;
  status: string;
  team?: string;
  tags: Record<string, string>;
  last_used_at: string | null;
  revoked_at: string | null;
}

before(async () => {
  ({ sim, rt, dataDir } = await startStack());
});

after(async () => {
  await rt.close();
  await sim.close();
});

const lastForwarded = () => {
  const f = sim.lastRequests().at(-1);
  assert.ok(f, 'the simulator received the call');
  return f;
};

function assertNoVirtualKey(f: ReturnType<typeof lastForwarded>, secret: string): void {
  const everything = JSON.stringify({ path: f.path, headers: f.headers });
  assert.ok(!everything.includes(secret), 'the virtual key must not reach the provider');
  assert.ok(!everything.includes('cr_'), 'no cr_ credential upstream');
}

async function createKey(body: Record<string, unknown>): Promise<{ id: string; secret: string }> {
  // The first key ends pass-through and must say so (test/keys/key-mode.test.ts); later ones need no flag.
  const res = await api<{ key: KeyJson; secret: string }>(rt, 'POST', '/api/keys', { ...body, end_pass_through: true });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  assert.equal(res.headers.get('cache-control'), 'no-store');
  assert.match(res.body.secret, /^cr_[A-Za-z0-9_-]{43}$/);
  return { id: res.body.key.id, secret: res.body.secret };
}

test('before any virtual key exists, provider keys pass through (only their hash is kept)', async () => {
  const { data, response } = await new OpenAI({ apiKey: 'sk-client-own', baseURL: `${rt.url}/v1` }).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
  assert.ok(data.choices.length > 0);
  assert.equal(lastForwarded().headers['authorization'], 'Bearer sk-client-own');
  assert.match((await recordOf(rt, response.headers.get('x-costrail-request-id'))).key_id ?? '', /^pt_[0-9a-f]{16}$/);
});

test('provider credentials: set through the API, listed without their secrets', async () => {
  for (const [provider, secret] of Object.entries(HELD)) {
    const res = await api(rt, 'PUT', '/api/provider-credentials', { provider, secret });
    assert.equal(res.status, 200, JSON.stringify(res.body));
  }
  const bad = await api(rt, 'PUT', '/api/provider-credentials', { provider: 'Not A Provider!', secret: 'x' });
  assert.equal(bad.status, 400);
  const list = await api<{ credentials: { provider: string; fingerprint: string; source: string }[] }>(rt, 'GET', '/api/provider-credentials');
  assert.deepEqual(list.body.credentials.map((c) => c.provider), ['anthropic', 'gemini', 'openai']);
  assert.ok(list.body.credentials.every((c) => c.source === 'store' && /^[0-9a-f]{16}$/.test(c.fingerprint)));
  for (const s of Object.values(HELD)) assert.ok(!JSON.stringify(list.body).includes(s));
});

test('create a virtual key: secret shown once, listed with its defaults', async () => {
  key = await createKey({ name: 'search service', team: 'search', feature: 'answer', env: 'prod', tags: { tier: 'gold', experiment: 'a' } });
  const list = await api<{ keys: (KeyJson & { prefix: string })[] }>(rt, 'GET', '/api/keys');
  const k = list.body.keys.find((x) => x.id === key.id);
  assert.ok(k);
  assert.equal(k.status, 'active');
  assert.equal(k.team, 'search');
  assert.deepEqual(k.tags, { tier: 'gold', experiment: 'a' });
  assert.ok(key.secret.startsWith(k.prefix.replace('…', '')));
  assert.ok(!JSON.stringify(list.body).includes(key.secret), 'the list never shows the secret');
  assert.equal((statSync(join(dataDir, MASTER_KEY_FILE)).mode & 0o777).toString(8), '600');
});

test('OpenAI SDK with a cr_ key: the provider gets the held key; the record names the key and its team', async () => {
  const client = new OpenAI({ apiKey: key.secret, baseURL: `${rt.url}/v1` });
  const { response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }] }).withResponse();
  const f = lastForwarded();
  assert.equal(f.headers['authorization'], `Bearer ${HELD.openai}`);
  assertNoVirtualKey(f, key.secret);
  const r = await recordOf(rt, response.headers.get('x-costrail-request-id'));
  assert.equal(r.status, 'ok');
  assert.equal(r.key_id, key.id);
  assert.deepEqual([r.attribution.team, r.attribution.feature, r.attribution.env], ['search', 'answer', 'prod']);
  assert.deepEqual(r.tags, { tier: 'gold', experiment: 'a' });
  assert.ok(r.priced);

  // Streaming too.
  let text = '';
  for await (const c of await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'Stream' }] })) text += c.choices[0]?.delta?.content ?? '';
  assert.ok(text.length > 0);
  assert.equal(lastForwarded().headers['authorization'], `Bearer ${HELD.openai}`);
  const s = await newestRecord(rt);
  assert.equal(s.stream, true);
  assert.equal(s.key_id, key.id);
});

test('Anthropic SDK with a cr_ key: x-api-key replaced by the held key, anthropic-version kept', async () => {
  const client = new Anthropic({ apiKey: key.secret, baseURL: rt.url });
  const { response } = await client.messages.create({ model: 'claude-3-5-haiku-20241022', max_tokens: 64, messages: [{ role: 'user', content: 'hello' }] }).withResponse();
  const f = lastForwarded();
  assert.equal(f.headers['x-api-key'], HELD.anthropic);
  assert.ok(f.headers['anthropic-version']);
  assertNoVirtualKey(f, key.secret);
  const r = await recordOf(rt, response.headers.get('x-costrail-request-id'));
  assert.equal(r.provider, 'anthropic');
  assert.equal(r.key_id, key.id);
  assert.equal(r.attribution.team, 'search');
});

test('Gemini SDK (x-goog-api-key) and ?key= in the URL: the held key goes upstream, the cr_ key never does', async () => {
  const ai = new GoogleGenAI({ apiKey: key.secret, httpOptions: { baseUrl: rt.url } });
  await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Classify' });
  let f = lastForwarded();
  assert.equal(f.headers['x-goog-api-key'], HELD.gemini);
  assertNoVirtualKey(f, key.secret);
  assert.equal((await newestRecord(rt)).key_id, key.id);

  const res = await fetch(`${rt.url}/v1beta/models/gemini-2.5-flash:generateContent?alt=json&key=${key.secret}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
  });
  assert.equal(res.status, 200);
  f = lastForwarded();
  assert.equal(f.headers['x-goog-api-key'], HELD.gemini);
  assert.ok(f.path.includes('alt=json') && !f.path.includes('key='), f.path);
  assertNoVirtualKey(f, key.secret);
});

test('Azure-style api-key header: recognised as the virtual key and stripped', async () => {
  const res = await fetch(`${rt.url}/openai/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'api-key': key.secret },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
  });
  assert.equal(res.status, 200);
  const f = lastForwarded();
  assert.equal(f.headers['authorization'], `Bearer ${HELD.openai}`);
  assert.equal(f.headers['api-key'], undefined);
  assertNoVirtualKey(f, key.secret);
  assert.equal((await recordOf(rt, res.headers.get('x-costrail-request-id'))).key_id, key.id);
});

test('a provider with no held credential: 403 provider_credential_missing, recorded blocked', async () => {
  const res = await fetch(`${rt.url}/groq/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key.secret}` }, body: JSON.stringify({ model: 'llama-3.1-8b-instant', messages: [] }) });
  assert.equal(res.status, 403);
  assert.equal(((await res.json()) as { error: { type: string } }).error.type, 'provider_credential_missing');
  const r = await recordOf(rt, res.headers.get('x-costrail-request-id'));
  assert.equal(r.status, 'blocked');
});

test('request headers win over key defaults the key does not bind (feature, env, …); tags merge (the request wins on the same tag)', async () => {
  // The key binds team "search" (a header repeating it is fine); feature and env are only defaults.
  const client = new OpenAI({ apiKey: key.secret, baseURL: `${rt.url}/v1`, defaultHeaders: { 'x-costrail-team': 'search', 'x-costrail-feature': 'ranking', 'x-costrail-customer': 'acme', 'x-costrail-tags': 'experiment=b; region=eu' } });
  const { response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }).withResponse();
  const r = await recordOf(rt, response.headers.get('x-costrail-request-id'));
  assert.deepEqual([r.attribution.team, r.attribution.feature, r.attribution.customer, r.attribution.env], ['search', 'ranking', 'acme', 'prod']);
  assert.deepEqual(r.tags, { tier: 'gold', experiment: 'b', region: 'eu' });
});

test('once virtual keys exist, provider keys and unknown cr_ keys are refused with 401 invalid_api_key', async () => {
  const before = sim.lastRequests().length;
  const pt = new OpenAI({ apiKey: 'sk-client-own', baseURL: `${rt.url}/v1`, maxRetries: 0 });
  await assert.rejects(pt.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }), OpenAI.AuthenticationError);
  const forged = new Anthropic({ apiKey: 'cr_thisKeyWasNeverIssued000000000000000000000', baseURL: rt.url, maxRetries: 0 });
  await assert.rejects(forged.messages.create({ model: 'claude-3-5-haiku-20241022', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] }), (e: unknown) => {
    assert.ok(e instanceof Anthropic.AuthenticationError);
    assert.equal((e.error as { error?: { type?: string } }).error?.type, 'invalid_api_key');
    return true;
  });
  assert.equal(sim.lastRequests().length, before, 'refused calls never reach the provider');
  const r = await newestRecord(rt);
  assert.equal(r.status, 'blocked');
  assert.equal(r.http_status, 401);
  assert.equal(r.error?.type, 'invalid_api_key');
});

test('model allow-list: a model outside it is refused 403 model_not_allowed and recorded blocked', async () => {
  const limited = await createKey({ team: 'support', models: ['gpt-4o-mini', 'claude-*'] });
  const client = new OpenAI({ apiKey: limited.secret, baseURL: `${rt.url}/v1`, maxRetries: 0 });
  await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'allowed' }] });
  assert.equal((await newestRecord(rt)).status, 'ok');
  await assert.rejects(client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'not allowed' }] }), (e: unknown) => {
    assert.ok(e instanceof OpenAI.PermissionDeniedError);
    assert.equal((e.error as { type?: string }).type, 'model_not_allowed');
    return true;
  });
  const r = await newestRecord(rt);
  assert.equal(r.status, 'blocked');
  assert.equal(r.http_status, 403);
  assert.equal(r.error?.type, 'model_not_allowed');
  assert.equal(r.model_requested, 'gpt-4o');
  assert.equal(r.attribution.team, 'support');
  await new Anthropic({ apiKey: limited.secret, baseURL: rt.url }).messages.create({ model: 'claude-3-5-haiku-20241022', max_tokens: 8, messages: [{ role: 'user', content: 'pattern' }] });
  assert.equal((await newestRecord(rt)).status, 'ok');
});

test('an expired key is refused', async () => {
  // The dashboard's shape: defaults grouped; GET returns them both grouped and flat.
  const grouped = await api<{ key: KeyJson & { defaults: Record<string, string>; feature?: string } }>(rt, 'POST', '/api/keys', { name: 'from the dashboard', defaults: { team: 'growth', feature: 'onboarding' } });
  assert.equal(grouped.status, 201);
  assert.deepEqual([grouped.body.key.defaults, grouped.body.key.team, grouped.body.key.feature], [{ team: 'growth', feature: 'onboarding' }, 'growth', 'onboarding']);
  assert.equal((await api(rt, 'POST', '/api/keys', { defaults: { colour: 'red' } })).status, 400);
  const bad = await api(rt, 'POST', '/api/keys', { team: 'x', expires: '2001-01-01' });
  assert.equal(bad.status, 400);
  // The API refuses past expiries, so age a key by creating it already expired.
  const expired = await rt.context.keys.keys.create({ defaults: { team: 'old' }, expires_at: Date.now() - 1000 });
  await assert.rejects(new OpenAI({ apiKey: expired.secret, baseURL: `${rt.url}/v1`, maxRetries: 0 }).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }), OpenAI.AuthenticationError);
  const r = await newestRecord(rt);
  assert.equal(r.status, 'blocked');
  assert.match(r.error?.message ?? '', /expired/);
  assert.deepEqual(r.error?.scope, { key_id: expired.key.id });
  const listed = (await api<{ keys: KeyJson[] }>(rt, 'GET', '/api/keys')).body.keys.find((k) => k.id === expired.key.id);
  assert.equal(listed?.status, 'expired');
});

test('last use is tracked, and keys and credentials survive a restart (hashed and sealed in the store)', async () => {
  await rt.context.keys.sync();
  const k = (await api<{ keys: KeyJson[] }>(rt, 'GET', '/api/keys')).body.keys.find((x) => x.id === key.id);
  assert.ok(k?.last_used_at);
  await rt.close();
  ({ rt } = await startStack(dataDir, {}, sim));
  const { response } = await new OpenAI({ apiKey: key.secret, baseURL: `${rt.url}/v1` }).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'again' }] }).withResponse();
  assert.equal(lastForwarded().headers['authorization'], `Bearer ${HELD.openai}`);
  assert.equal((await recordOf(rt, response.headers.get('x-costrail-request-id'))).key_id, key.id);
  const again = (await api<{ keys: KeyJson[] }>(rt, 'GET', '/api/keys')).body.keys.find((x) => x.id === key.id);
  assert.equal(again?.last_used_at !== null, true);
});

test('revoke: the next call is a 401 the SDKs surface as AuthenticationError', async () => {
  const res = await api<{ key: KeyJson }>(rt, 'DELETE', `/api/keys/${key.id}`);
  assert.equal(res.status, 200);
  assert.equal(res.body.key.status, 'revoked');
  await assert.rejects(new OpenAI({ apiKey: key.secret, baseURL: `${rt.url}/v1`, maxRetries: 0 }).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }), OpenAI.AuthenticationError);
  await assert.rejects(new Anthropic({ apiKey: key.secret, baseURL: rt.url, maxRetries: 0 }).messages.create({ model: 'claude-3-5-haiku-20241022', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] }), Anthropic.AuthenticationError);
  const r = await newestRecord(rt);
  assert.equal(r.status, 'blocked');
  assert.equal(r.error?.type, 'invalid_api_key');
  assert.equal((await api(rt, 'DELETE', '/api/keys/vk_nope')).status, 404);
});

test('scoped API tokens: hashed, see only their scope on /api/whoami, cannot administer, revocable', async () => {
  const created = await api<{ token: { id: string }; secret: string }>(rt, 'POST', '/api/tokens', { name: 'search dashboard', scope: { team: 'search' } });
  assert.equal(created.status, 201);
  assert.match(created.body.secret, /^crt_/);
  const who = await api<{ kind: string; scope: Record<string, string>; token_id: string }>(rt, 'GET', '/api/whoami', undefined, created.body.secret);
  assert.equal(who.status, 200);
  assert.deepEqual([who.body.kind, who.body.scope, who.body.token_id], ['scoped', { team: 'search' }, created.body.token.id]);
  assert.equal((await api(rt, 'GET', '/api/keys', undefined, created.body.secret)).status, 403);
  // Reads through the token are held to its scope: earlier calls here were attributed to search, ads and support.
  const events = await api<{ events: { attribution: { team: string | null } }[] }>(rt, 'GET', '/api/events?limit=1000', undefined, created.body.secret);
  assert.equal(events.status, 200);
  assert.ok(events.body.events.length > 0);
  assert.ok(events.body.events.every((e) => e.attribution.team === 'search'));
  const all = await api<{ events: { attribution: { team: string | null } }[] }>(rt, 'GET', '/api/events?limit=1000');
  assert.ok(all.body.events.some((e) => e.attribution.team !== 'search'), 'the admin sees other teams');
  assert.equal((await api(rt, 'POST', '/api/tokens', { name: 'x', scope: { colour: 'red' } })).status, 400);
  const listed = await api<{ tokens: { id: string }[] }>(rt, 'GET', '/api/tokens');
  assert.ok(!JSON.stringify(listed.body).includes(created.body.secret));
  assert.equal((await api(rt, 'DELETE', `/api/tokens/${created.body.token.id}`)).status, 200);
  assert.equal((await api(rt, 'GET', '/api/whoami', undefined, created.body.secret)).status, 401);
});
