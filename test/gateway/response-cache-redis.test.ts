/**
 * The response cache on the real Redis (127.0.0.1:6379, or COSTRAIL_TEST_REDIS_URL): two gateways
 * sharing it serve each other's answers, streams included; and with Redis cut (a TCP proxy between
 * Costrail and Redis drops every connection) calls go upstream and succeed, never failing because
 * of the cache, until Redis is back. Without Redis the suite skips, unless CI=true: then it fails.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import type OpenAI from 'openai';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { RedisCacheStore } from '../../src/gateway/response-cache/redis-cache-store.js';
import { startTcpFaultProxy, type TcpFaultProxy } from '../helpers/tcp-fault-proxy.js';
import { REDIS_URL, redisTestOptions, testPrefix } from '../policy/redis-test-kit.js';
import { assertMissThenHit, cacheRig, openaiFor, type CacheRig } from './response-cache-kit.js';

const redisOpts = await redisTestOptions();
const Q = (text: string): OpenAI.ChatCompletionMessageParam[] => [{ role: 'user', content: text }];

describe('response cache on Redis', redisOpts, () => {
  let sim: Simulator;
  const prefix = testPrefix();
  const stores: RedisCacheStore[] = [];
  const rigs: CacheRig[] = [];
  let proxy: TcpFaultProxy;

  before(async () => {
    sim = await startSimulator();
    const u = new URL(REDIS_URL);
    proxy = await startTcpFaultProxy({ host: u.hostname, port: Number(u.port || 6379) });
  });
  after(async () => {
    for (const r of rigs) await r.close();
    const cleaner = await RedisCacheStore.open({ url: REDIS_URL, prefix });
    await cleaner.purge();
    await cleaner.close();
    await proxy.close();
    await sim.close();
  });

  async function rigOn(url: string): Promise<CacheRig> {
    const store = await RedisCacheStore.open({ url, prefix, timeoutMs: 500 });
    stores.push(store);
    const rig = await cacheRig(sim, {}, store);
    rigs.push(rig);
    return rig;
  }

  test('two gateways share answers through Redis: body and stream', async () => {
    const a = await rigOn(REDIS_URL);
    const b = await rigOn(REDIS_URL);
    const before = sim.stats.requests;
    const ask = { model: 'gpt-4o-mini', temperature: 0, messages: Q('shared through redis') };
    const first = await openaiFor(a.base).chat.completions.create(ask).withResponse();
    const second = await openaiFor(b.base).chat.completions.create(ask).withResponse();
    assert.equal(first.response.headers.get('x-costrail-cache'), 'miss');
    assert.equal(second.response.headers.get('x-costrail-cache'), 'hit');
    assert.deepEqual(second.data, first.data);
    assertMissThenHit([...a.records, ...b.records]);
    assert.equal(sim.stats.requests - before, 1);

    a.records.length = 0;
    b.records.length = 0;
    const streamed = async (base: string): Promise<string> => {
      const s = new Anthropic({ apiKey: 'sk-ant-redis', baseURL: base, maxRetries: 0 }).messages.stream({ model: 'claude-haiku-4-5', max_tokens: 48, temperature: 0, messages: [{ role: 'user', content: 'stream via redis' }] });
      let text = '';
      for await (const e of s) if (e.type === 'content_block_delta' && e.delta.type === 'text_delta') text += e.delta.text;
      return text;
    };
    const s1 = await streamed(a.base);
    const s2 = await streamed(b.base);
    assert.ok(s1.length > 0);
    assert.equal(s2, s1);
    assertMissThenHit([...a.records, ...b.records]);
    assert.equal(sim.stats.requests - before, 2);
  });

  test('Redis drops: calls go upstream and succeed; once Redis is back, answers are cached again', async () => {
    const rig = await rigOn(proxy.proxiedUrl(REDIS_URL));
    const client = openaiFor(rig.base, 'sk-outage');
    const ask = { model: 'gpt-4o-mini', temperature: 0, messages: Q('during the outage') };
    await client.chat.completions.create(ask);
    assert.equal((await client.chat.completions.create(ask).withResponse()).response.headers.get('x-costrail-cache'), 'hit');

    proxy.cut();
    rig.records.length = 0;
    const before = sim.stats.requests;
    for (let i = 0; i < 3; i++) {
      const r = await client.chat.completions.create(ask).withResponse();
      assert.equal(r.response.headers.get('x-costrail-cache'), 'miss', 'the lookup failed: a miss, never an error');
      assert.ok(r.data.choices[0]?.message.content);
    }
    assert.equal(sim.stats.requests - before, 3, 'every call went upstream');
    assert.deepEqual(
      rig.records.map((r) => r.status),
      ['ok', 'ok', 'ok'],
    );

    proxy.restore();
    // ioredis reconnects in the background (back-off up to 2 s): ask until an answer is served from Redis again.
    const deadline = Date.now() + 15_000;
    let state: string | null = null;
    while (state !== 'hit') {
      assert.ok(Date.now() < deadline, 'the cache never came back after Redis returned');
      state = (await client.chat.completions.create(ask).withResponse()).response.headers.get('x-costrail-cache');
      if (state !== 'hit') await new Promise((r) => setTimeout(r, 200));
    }
  });
});
