/**
 * Issue 11, what a virtual-key holder can do: reach only the endpoints Costrail meters (unless
 * the operator allows more, per key or in the config), never move a call to another team, project
 * or customer than the key's, and never blow a record up with unbounded tags. Each refusal is
 * answered in the provider's own error format, forwards nothing, and leaves exactly one record.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type { CostrailRuntime } from '../../src/server/costrail-runtime.js';
import { api, recordOf, startStack, type Sim } from '../keys/keys-kit.js';

let sim: Sim;
let rt: CostrailRuntime;
let dataDir: string;
let growthKey: string;

const HELD = { openai: 'sk-openai-held-111', anthropic: 'sk-ant-held-111' };

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'costrail-h11-keys-'));
  // The config allows one extra endpoint for every held credential.
  ({ sim, rt } = await startStack(dataDir, { keys: { passThrough: 'auto', providerCredentials: {}, allowedEndpoints: ['GET /openai/v1/batches*'] } }));
  for (const [provider, secret] of Object.entries(HELD)) assert.equal((await api(rt, 'PUT', '/api/provider-credentials', { provider, secret })).status, 200);
  growthKey = (await api<{ secret: string }>(rt, 'POST', '/api/keys', { name: 'growth service', team: 'growth', project: 'onboarding', end_pass_through: true })).body.secret;
});

after(async () => {
  await rt.close();
  await sim.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Runs a call expected to be refused; returns the refusal's request id (for its record). */
async function refused<T extends new (...a: never[]) => Error>(call: Promise<unknown>, kind: T, type: string, read: (e: InstanceType<T>) => string | undefined): Promise<string | null | undefined> {
  let id: string | null | undefined;
  await assert.rejects(call, (e: unknown) => {
    assert.ok(e instanceof kind, `expected ${kind.name}, got ${String(e)}`);
    assert.equal(read(e as InstanceType<T>), type);
    id = (e as { headers?: Headers }).headers?.get('x-costrail-request-id');
    return true;
  });
  return id;
}

test('a virtual key cannot reach unmetered endpoints with the held key: 403 in the provider format, nothing forwarded, one record', async () => {
  const openai = new OpenAI({ apiKey: growthKey, baseURL: `${rt.url}/openai/v1`, maxRetries: 0 });
  const anthropic = new Anthropic({ apiKey: growthKey, baseURL: `${rt.url}/anthropic`, maxRetries: 0 });
  const readOpenAI = (e: InstanceType<typeof OpenAI.PermissionDeniedError>) => (e.error as { type?: string }).type;
  const readAnthropic = (e: InstanceType<typeof Anthropic.PermissionDeniedError>) => (e.error as { error?: { type?: string } }).error?.type;
  const before = sim.stats.requests;
  const ids = [
    await refused(openai.files.delete('file-abc'), OpenAI.PermissionDeniedError, 'endpoint_not_allowed', readOpenAI),
    await refused(openai.fineTuning.jobs.create({ model: 'gpt-4o-mini', training_file: 'file-abc' }), OpenAI.PermissionDeniedError, 'endpoint_not_allowed', readOpenAI),
    await refused(openai.batches.create({ input_file_id: 'file-abc', endpoint: '/v1/chat/completions', completion_window: '24h' }), OpenAI.PermissionDeniedError, 'endpoint_not_allowed', readOpenAI),
    // Anthropic's own error shape on an Anthropic path, even one the route table does not know.
    await refused(anthropic.messages.batches.list(), Anthropic.PermissionDeniedError, 'endpoint_not_allowed', readAnthropic),
  ];
  for (const path of ['/openai/v1/organization/admin_api_keys', '/openai/v1/threads/t_1/messages']) {
    const res = await fetch(`${rt.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${growthKey}`, 'content-type': 'application/json' }, body: '{}' });
    assert.equal(res.status, 403, path);
    ids.push(res.headers.get('x-costrail-request-id'));
  }
  assert.equal(sim.stats.requests, before, 'nothing reached the provider');
  for (const id of ids) {
    const r = await recordOf(rt, id);
    assert.equal(r.status, 'blocked');
    assert.equal(r.http_status, 403);
    assert.equal(r.error?.type, 'endpoint_not_allowed');
    assert.match(r.key_id ?? '', /^vk_/);
  }
});

test('metered endpoints stay open to virtual keys', async () => {
  const openai = new OpenAI({ apiKey: growthKey, baseURL: `${rt.url}/v1`, maxRetries: 0 });
  assert.ok((await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })).choices.length > 0);
  const anthropic = new Anthropic({ apiKey: growthKey, baseURL: rt.url, maxRetries: 0 });
  assert.ok((await anthropic.messages.create({ model: 'claude-3-5-haiku-20241022', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] })).content.length > 0);
});

test('allowed per key (allowed_endpoints) or in the config: forwarded with the held key and recorded', async () => {
  const created = await api<{ key: { allowed_endpoints: string[] }; secret: string }>(rt, 'POST', '/api/keys', { team: 'ops', allowed_endpoints: ['DELETE /openai/v1/files/*'] });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.deepEqual(created.body.key.allowed_endpoints, ['DELETE /openai/v1/files/*']);
  assert.equal((await api(rt, 'POST', '/api/keys', { allowed_endpoints: ['files please'] })).status, 400, 'a malformed pattern is refused at the edge');

  for (const [key, method, path] of [
    [created.body.secret, 'DELETE', '/openai/v1/files/file-abc'],
    [growthKey, 'GET', '/openai/v1/batches'],
  ] as const) {
    const before = sim.stats.requests;
    const res = await fetch(`${rt.url}${path}`, { method, headers: { authorization: `Bearer ${key}` } });
    assert.notEqual(res.status, 403, `${method} ${path} is allowed`);
    assert.equal(sim.stats.requests, before + 1, 'forwarded');
    assert.equal(sim.lastRequests().at(-1)?.headers['authorization'], `Bearer ${HELD.openai}`);
    const r = await recordOf(rt, res.headers.get('x-costrail-request-id'));
    assert.equal(r.api, 'other');
    assert.notEqual(r.status, 'blocked');
  }
  // The config's allowance is GET only.
  const del = await fetch(`${rt.url}/openai/v1/batches/b_1/cancel`, { method: 'POST', headers: { authorization: `Bearer ${growthKey}` } });
  assert.equal(del.status, 403);
});

test('a header cannot move a key to another team: 403 attribution_conflict, recorded with the key team; kill switches see the key team', async () => {
  const openai = (headers: Record<string, string>) => new OpenAI({ apiKey: growthKey, baseURL: `${rt.url}/v1`, maxRetries: 0, defaultHeaders: headers });
  const before = sim.stats.requests;
  const id = await refused(openai({ 'x-costrail-team': 'search' }).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }), OpenAI.PermissionDeniedError, 'attribution_conflict', (e) => (e.error as { type?: string }).type);
  const r = await recordOf(rt, id);
  assert.equal(r.status, 'blocked');
  assert.equal(r.attribution.team, 'growth', 'billed and recorded to the key team, never the header');
  assert.equal(sim.stats.requests, before);
  await refused(openai({ 'x-costrail-project': 'other' }).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }), OpenAI.PermissionDeniedError, 'attribution_conflict', (e) => (e.error as { type?: string }).type);

  // The same value as the key, and fields the key leaves unset, are fine.
  const { response } = await openai({ 'x-costrail-team': 'growth', 'x-costrail-customer': 'acme', 'x-costrail-feature': 'signup' }).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
  const ok = await recordOf(rt, response.headers.get('x-costrail-request-id'));
  assert.deepEqual([ok.attribution.team, ok.attribution.project, ok.attribution.customer, ok.attribution.feature], ['growth', 'onboarding', 'acme', 'signup']);

  const ks = await api<{ id: string }>(rt, 'POST', '/api/kill-switches', { scope: { team: 'growth' }, reason: 'runaway' });
  try {
    for (const headers of [{}, { 'x-costrail-team': 'search' }] as Record<string, string>[]) {
      await assert.rejects(openai(headers).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }), OpenAI.PermissionDeniedError);
    }
    assert.equal(sim.stats.requests, before + 1, 'only the allowed call above went out');
  } finally {
    await api(rt, 'DELETE', `/api/kill-switches/${ks.body.id}`);
  }
});

test('200,000 tags in metadata and a flood in x-costrail-tags: capped, cut values counted, reserved tags not spoofable', async () => {
  const metadata: Record<string, string> = {};
  for (let i = 0; i < 200_000; i++) metadata[`m${i}`] = 'v';
  // A long value first (kept, cut to 256 characters), then 300 more header tags and a spoofed counter.
  const header = `long=${'x'.repeat(1_000)}; ` + Array.from({ length: 300 }, (_, i) => `h${i}=1`).join('; ') + '; costrail_tags_dropped=0';
  const res = await fetch(`${rt.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${growthKey}`, 'content-type': 'application/json', 'x-costrail-tags': header },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], metadata }),
  });
  assert.equal(res.status, 200);
  const r = await recordOf(rt, res.headers.get('x-costrail-request-id'));
  const names = Object.keys(r.tags);
  assert.ok(names.length <= 52, `at most 50 request tags plus the two counters, got ${names.length}`);
  assert.equal(r.tags['h0'], '1', 'header tags are taken first');
  assert.equal(r.tags['long']?.length, 256);
  // 301 header tags + the spoofed counter + 200,000 metadata entries, 50 kept.
  assert.equal(r.tags['costrail_tags_dropped'], String(301 + 1 + 200_000 - 50));
  assert.equal(r.tags['costrail_tags_truncated'], '1', 'the long value was cut, and that is counted');
});
