/**
 * Fault injection headers: each provider's own error format (with Retry-After on 429), streams cut
 * mid-way, streams without usage, garbage, latency and the request record the gateway tests use.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import type { ApiKind } from '../../src/providers/spec.js';
import type { ProviderId } from '../../src/providers/registry.js';
import { meterStream, postRaw } from './sim-kit.js';

let sim: Simulator;
before(async () => {
  sim = await startSimulator({ recordLimit: 5 });
});
after(() => sim.close());

const USER = 'Hello there, simulator.';
interface Case {
  provider: ProviderId;
  api: ApiKind;
  path: string;
  body: Record<string, unknown>;
  /** Marker of one content delta in the raw stream. */
  delta: string;
}
const STREAMS: Case[] = [
  { provider: 'openai', api: 'chat.completions', path: '/v1/chat/completions', delta: '"delta":{"content"',
    body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: USER }], stream: true, stream_options: { include_usage: true } } },
  { provider: 'openai', api: 'responses', path: '/v1/responses', delta: 'event: response.output_text.delta',
    body: { model: 'gpt-4o-mini', input: USER, stream: true } },
  { provider: 'anthropic', api: 'messages', path: '/v1/messages', delta: 'event: content_block_delta',
    body: { model: 'claude-haiku-4-5', max_tokens: 100, messages: [{ role: 'user', content: USER }], stream: true } },
  { provider: 'gemini', api: 'generateContent', path: '/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse', delta: '"candidates"',
    body: { contents: [{ parts: [{ text: USER }] }] } },
];
const occurrences = (s: string, sub: string): number => s.split(sub).length - 1;

test('x-sim-status 429 comes back in each provider format with Retry-After', async () => {
  const h = { 'x-sim-status': '429', 'x-sim-retry-after': '7' };
  const o = await postRaw(`${sim.url}/v1/chat/completions`, {}, h);
  assert.equal(o.status, 429);
  assert.equal(o.headers.get('retry-after'), '7');
  const oe = JSON.parse(o.text);
  assert.equal(oe.error.code, 'rate_limit_exceeded');
  assert.equal(typeof oe.error.message, 'string');
  assert.ok('type' in oe.error);

  const a = await postRaw(`${sim.url}/v1/messages`, {}, h);
  assert.equal(a.headers.get('retry-after'), '7');
  assert.deepEqual(Object.keys(JSON.parse(a.text)), ['type', 'error']);
  assert.equal(JSON.parse(a.text).error.type, 'rate_limit_error');

  const g = await postRaw(`${sim.url}/v1beta/models/gemini-2.0-flash:generateContent`, {}, h);
  assert.equal(g.headers.get('retry-after'), '7');
  assert.deepEqual(JSON.parse(g.text).error, { code: 429, message: 'simulated 429 (x-sim-status)', status: 'RESOURCE_EXHAUSTED' });

  const s = await postRaw(`${sim.url}/v1/messages`, {}, { 'x-sim-status': '500' });
  assert.equal(s.status, 500);
  assert.equal(s.headers.get('retry-after'), null);
  assert.equal(JSON.parse(s.text).error.type, 'api_error');
});

test('the official SDKs surface the simulated errors as their own error classes', async () => {
  const openai = new OpenAI({ apiKey: 'sk-test', baseURL: `${sim.url}/v1`, maxRetries: 0 });
  await assert.rejects(
    openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: USER }] }, { headers: { 'x-sim-status': '429' } }),
    (e: unknown) => e instanceof OpenAI.RateLimitError && e.status === 429,
  );
  const anthropic = new Anthropic({ apiKey: 'k', baseURL: sim.url, maxRetries: 0 });
  await assert.rejects(
    anthropic.messages.create({ model: 'claude-haiku-4-5', max_tokens: 5, messages: [{ role: 'user', content: USER }] }, { headers: { 'x-sim-status': '529' } }),
    (e: unknown) => e instanceof Anthropic.APIError && e.status === 529,
  );
});

for (const c of STREAMS) {
  test(`${c.provider} ${c.api}: x-sim-fail-after-chunks cuts the stream and leaves no usage at the end`, async () => {
    const raw = await postRaw(sim.url + c.path, c.body, { 'x-sim-fail-after-chunks': '3', 'x-sim-chunks': '10' });
    assert.equal(occurrences(raw.text, c.delta), 3);
    assert.ok(!raw.text.includes('[DONE]') && !raw.text.includes('message_stop') && !raw.text.includes('response.completed'));
    const out = meterStream(c.provider, c.api, raw);
    assert.ok(out.output_text.length > 0, 'the text seen so far is kept for estimation');
    if (c.provider !== 'gemini' && c.provider !== 'anthropic') assert.equal(out.extraction, null);
  });

  test(`${c.provider} ${c.api}: x-sim-no-usage stream ends cleanly without usage`, async () => {
    const raw = await postRaw(sim.url + c.path, c.body, { 'x-sim-no-usage': '1' });
    assert.equal(raw.truncated, false);
    assert.ok(!/"usage(Metadata)?":\{/.test(raw.text), 'no usage object anywhere');
    assert.equal(meterStream(c.provider, c.api, raw).extraction, null);
  });

  test(`${c.provider} ${c.api}: x-sim-chunks sets the number of content deltas`, async () => {
    const raw = await postRaw(sim.url + c.path, c.body, { 'x-sim-chunks': '7' });
    assert.equal(occurrences(raw.text, c.delta), 7);
    assert.ok(meterStream(c.provider, c.api, raw).extraction !== null);
  });
}

test('x-sim-malformed: a broken JSON body, and a garbage SSE event the meter skips', async () => {
  const body = await postRaw(`${sim.url}/v1/chat/completions`, { model: 'm', messages: [] }, { 'x-sim-malformed': '1' });
  assert.equal(body.status, 200);
  assert.throws(() => JSON.parse(body.text));
  const c = STREAMS[0]!;
  const raw = await postRaw(sim.url + c.path, c.body, { 'x-sim-malformed': '1' });
  assert.ok(raw.text.includes('data: {"garbage": tru\n'));
  assert.ok(meterStream(c.provider, c.api, raw).extraction !== null, 'the usage after the garbage is still read');
});

test('x-sim-latency-ms delays the headers; x-sim-chunk-delay-ms spaces the deltas', async () => {
  let t = Date.now();
  await postRaw(`${sim.url}/v1/embeddings`, { model: 'e', input: 'x' }, { 'x-sim-latency-ms': '120' });
  assert.ok(Date.now() - t >= 110);
  t = Date.now();
  await postRaw(sim.url + STREAMS[0]!.path, STREAMS[0]!.body, { 'x-sim-chunks': '5', 'x-sim-chunk-delay-ms': '30' });
  assert.ok(Date.now() - t >= 110, 'four gaps of 30 ms');
});

test('lastRequests records method, path, headers and body in a bounded ring', async () => {
  sim.clearRequests();
  const before = sim.stats.requests;
  for (let i = 0; i < 7; i++) {
    await postRaw(`${sim.url}/v1/embeddings`, { model: 'e', input: `n${i}` }, { authorization: 'Bearer sk-up', 'x-costrail-team': 't' });
  }
  const reqs = sim.lastRequests();
  assert.equal(reqs.length, 5);
  assert.equal(sim.stats.requests - before, 7);
  const last = reqs.at(-1)!;
  assert.equal(last.method, 'POST');
  assert.equal(last.path, '/v1/embeddings');
  assert.equal(last.headers.authorization, 'Bearer sk-up');
  assert.deepEqual(last.body, { model: 'e', input: 'n6' });
});

test('unknown routes and bad JSON answer in the route provider format', async () => {
  const res = await fetch(`${sim.url}/v1/nope`);
  assert.equal(res.status, 404);
  assert.ok(((await res.json()) as { error: { message: string } }).error.message.includes('no route'));
  const bad = await fetch(`${sim.url}/v1/messages`, { method: 'POST', body: '{oops' });
  assert.equal(bad.status, 400);
  assert.equal(((await bad.json()) as { type: string }).type, 'error');
});
