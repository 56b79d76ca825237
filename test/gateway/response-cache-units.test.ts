/**
 * The response cache's small parts on their own: the per-call headers (x-costrail-cache over
 * Cache-Control, hostile values), the opt-in lists, the temperature each API samples at, the key
 * (every part that changes the answer or the tenant changes it), and the stored entry's codec,
 * which must refuse bytes that are not an entry (Redis holds whatever was written there).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { optedIn, requestedMode, samplingTemperature } from '../../src/gateway/response-cache/cache-decision.js';
import { cacheKey } from '../../src/gateway/response-cache/response-cache.js';
import { decodeCachedResponse, encodeCachedResponse, type CachedResponse } from '../../src/gateway/response-cache/cached-response.js';
import { emptyUsage } from '../../src/providers/spec.js';

test('per-call mode: x-costrail-cache wins, Cache-Control directives read as RFC 9111 spells them, unknown values refused', () => {
  assert.equal(requestedMode({}), 'use');
  assert.equal(requestedMode({ 'x-costrail-cache': 'BYPASS ' }), 'bypass');
  assert.equal(requestedMode({ 'x-costrail-cache': 'refresh', 'cache-control': 'no-store' }), 'refresh');
  assert.equal(requestedMode({ 'cache-control': 'No-Store' }), 'bypass');
  assert.equal(requestedMode({ 'cache-control': 'max-age=0' }), 'refresh');
  assert.equal(requestedMode({ 'cache-control': 'no-cache="set-cookie"' }), 'refresh');
  assert.equal(requestedMode({ 'cache-control': 'max-age=60, no-transform' }), 'use');
  assert.equal(requestedMode({ 'cache-control': 'x-no-cache-please' }), 'use');
  const bad = requestedMode({ 'x-costrail-cache': 'forever'.repeat(20) });
  assert.ok(typeof bad !== 'string' && bad.error.length < 120, 'the echoed value is cut short');
});

test('opt-in: no lists is everyone; otherwise the key or the feature must be listed', () => {
  assert.equal(optedIn({}, null, null), true);
  assert.equal(optedIn({ keys: ['vk_1'] }, 'vk_1', null), true);
  assert.equal(optedIn({ keys: ['vk_1'] }, 'vk_2', 'faq'), false);
  assert.equal(optedIn({ keys: ['vk_1'], features: ['faq'] }, 'vk_2', 'faq'), true);
  assert.equal(optedIn({ features: [] }, 'vk_1', 'faq'), false);
});

test('temperature per API: the body, Gemini generationConfig, else the provider default of 1', () => {
  assert.equal(samplingTemperature('chat.completions', { temperature: 0 }), 0);
  assert.equal(samplingTemperature('messages', {}), 1);
  assert.equal(samplingTemperature('responses', { temperature: '0' }), 1, 'a string is not a temperature');
  assert.equal(samplingTemperature('generateContent', { generationConfig: { temperature: 0 } }), 0);
  assert.equal(samplingTemperature('generateContent', { generation_config: { temperature: 0.2 } }), 0.2);
  assert.equal(samplingTemperature('generateContent', { temperature: 0 }), 1, 'Gemini reads it from generationConfig only');
});

test('the key changes with every part that changes the answer or who may see it', () => {
  const base = { provider: 'openai', api: 'chat.completions', upstreamPath: '/chat/completions', stream: false, requestHash: 'h1', keyId: 'pt_a', team: 'search' };
  const k = cacheKey('key', base);
  assert.match(k, /^[0-9a-f]{64}$/);
  assert.equal(cacheKey('key', { ...base }), k);
  for (const change of [{ provider: 'azure' }, { api: 'responses' }, { upstreamPath: '/chat/completions?api-version=2' }, { stream: true }, { requestHash: 'h2' }, { keyId: 'pt_b' }]) {
    assert.notEqual(cacheKey('key', { ...base, ...change }), k, JSON.stringify(change));
  }
  assert.equal(cacheKey('team', { ...base, keyId: 'pt_b' }), cacheKey('team', base), 'team scope: keys of one team share');
  assert.notEqual(cacheKey('team', { ...base, team: 'ads' }), cacheKey('team', base));
  assert.equal(cacheKey('global', { ...base, keyId: 'pt_b', team: 'ads' }), cacheKey('global', base));
  assert.notEqual(cacheKey('global', base), cacheKey('key', { ...base, keyId: '' }), 'scopes never collide');
});

test('entry codec: round trip, and foreign or torn bytes are no entry', () => {
  const e: CachedResponse = { status: 200, contentType: 'text/event-stream', body: Buffer.from('data: {"x":1}\n\n'), pricing: { usage: { ...emptyUsage(), input_tokens: 3 }, model: 'gpt-4o-mini', service_tier: 'flex' }, finishReason: 'stop', sourceId: 'r1', expiresAt: 123 };
  const buf = encodeCachedResponse(e);
  assert.deepEqual(decodeCachedResponse(buf), e);
  assert.equal(decodeCachedResponse(Buffer.from('hello')), undefined);
  assert.equal(decodeCachedResponse(buf.subarray(0, 10)), undefined);
  assert.equal(decodeCachedResponse(Buffer.alloc(0)), undefined);
  const otherVersion = Buffer.from(buf);
  otherVersion.write('{"v":2', 4);
  assert.equal(decodeCachedResponse(otherVersion), undefined);
});
