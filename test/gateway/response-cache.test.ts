/**
 * The response cache through the official SDKs against the simulated provider: a miss goes
 * upstream and is stored, the same request again is answered from the cache (the simulator sees
 * one call), and the ledger holds one `ok` record and one `cached` record whose `saved` is exactly
 * the `ok` record's cost. Streams are replayed as streams in the caller's own shape; per-call
 * headers bypass or refresh; sampled requests, errors and cut streams are never stored; one key's
 * answers never reach another key; entries expire.
 */
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { assertMissThenHit, cacheRig, openaiFor, type CacheRig } from './response-cache-kit.js';

let sim: Simulator;

before(async () => {
  sim = await startSimulator();
});
after(async () => {
  await sim.close();
});

const Q = (text: string): OpenAI.ChatCompletionMessageParam[] => [{ role: 'user', content: text }];

describe('response cache, in-process store', () => {
  let rig: CacheRig;
  before(async () => {
    rig = await cacheRig(sim);
  });
  after(async () => {
    await rig.close();
  });
  const fresh = (): void => {
    rig.records.length = 0;
  };

  test('OpenAI chat: miss then hit, one upstream call, ok + cached records, saved = cost', async () => {
    fresh();
    const client = openaiFor(rig.base);
    const before = sim.stats.requests;
    const first = await client.chat.completions.create({ model: 'gpt-4o-mini', temperature: 0, messages: Q('What is FinOps?') }).withResponse();
    // Same request, keys in another order and a delivery-only field added: the same answer.
    const second = await client.chat.completions.create({ messages: Q('What is FinOps?'), temperature: 0, model: 'gpt-4o-mini', user: 'u-9' }).withResponse();
    assert.equal(sim.stats.requests - before, 1, 'the simulator saw one call');
    assert.equal(first.response.headers.get('x-costrail-cache'), 'miss');
    assert.equal(second.response.headers.get('x-costrail-cache'), 'hit');
    assert.deepEqual(second.data, first.data);
    const { ok, hit } = assertMissThenHit(rig.records);
    assert.equal(first.response.headers.get('x-costrail-cost'), ok.cost?.total);
    assert.equal(second.response.headers.get('x-costrail-cost'), '0');
    assert.equal(second.response.headers.get('x-costrail-saved'), hit.saved);
    assert.equal(second.response.headers.get('x-costrail-request-id'), hit.id);
    assert.equal(hit.stream, false);
    assert.equal(hit.attribution.user, 'u-9', 'a hit is attributed to the call it answered');
  });

  test('OpenAI chat stream: the hit is replayed as the same stream, without the usage chunk the client did not ask for', async () => {
    fresh();
    const client = openaiFor(rig.base);
    const before = sim.stats.requests;
    const read = async (): Promise<{ text: string; sawUsage: boolean; cache: string | null }> => {
      const { data, response } = await client.chat.completions.create({ model: 'gpt-4o-mini', temperature: 0, stream: true, messages: Q('Stream the FinOps basics') }).withResponse();
      let text = '';
      let sawUsage = false;
      for await (const chunk of data) {
        text += chunk.choices[0]?.delta?.content ?? '';
        if (chunk.usage) sawUsage = true;
      }
      return { text, sawUsage, cache: response.headers.get('x-costrail-cache') };
    };
    const miss = await read();
    const hit = await read();
    assert.equal(sim.stats.requests - before, 1);
    assert.deepEqual([miss.cache, hit.cache], ['miss', 'hit']);
    assert.ok(miss.text.length > 0);
    assert.equal(hit.text, miss.text);
    assert.equal(hit.sawUsage, false);
    const { hit: rec } = assertMissThenHit(rig.records);
    assert.equal(rec.stream, true);

    // A client that asks for usage gets the usage chunk from the same cached stream.
    fresh();
    const { data } = await client.chat.completions.create({ model: 'gpt-4o-mini', temperature: 0, stream: true, stream_options: { include_usage: true }, messages: Q('Stream the FinOps basics') }).withResponse();
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of data) if (chunk.usage) usage = chunk.usage;
    assert.ok(usage && usage.completion_tokens > 0);
    assert.equal(sim.stats.requests - before, 1, 'still one upstream call');
    assert.deepEqual(
      rig.records.map((r) => r.status),
      ['cached'],
    );
  });

  test('OpenAI Responses, body and stream', async () => {
    fresh();
    const client = openaiFor(rig.base);
    const before = sim.stats.requests;
    const a = await client.responses.create({ model: 'gpt-4o-mini', temperature: 0, input: 'Summarise the bill' });
    const b = await client.responses.create({ model: 'gpt-4o-mini', temperature: 0, input: 'Summarise the bill' });
    assert.equal(b.output_text, a.output_text);
    assertMissThenHit(rig.records);

    fresh();
    const streamed = async (): Promise<string> => {
      const s = await client.responses.create({ model: 'gpt-4o-mini', temperature: 0, input: 'Summarise the bill', stream: true });
      let text = '';
      for await (const e of s) if (e.type === 'response.output_text.delta') text += e.delta;
      return text;
    };
    const s1 = await streamed();
    const s2 = await streamed();
    assert.ok(s1.length > 0);
    assert.equal(s2, s1);
    assertMissThenHit(rig.records);
    assert.equal(sim.stats.requests - before, 2, 'one upstream call for the body, one for the stream');
  });

  test('Anthropic Messages, body and stream', async () => {
    fresh();
    const client = new Anthropic({ apiKey: 'sk-ant-tenant', baseURL: rig.base, maxRetries: 0 });
    const before = sim.stats.requests;
    const ask = { model: 'claude-haiku-4-5', max_tokens: 64, temperature: 0, messages: [{ role: 'user' as const, content: 'Explain showback' }] };
    const a = await client.messages.create(ask).withResponse();
    const b = await client.messages.create(ask).withResponse();
    assert.deepEqual(b.data, a.data);
    assert.equal(b.response.headers.get('x-costrail-cache'), 'hit');
    assertMissThenHit(rig.records);

    fresh();
    const streamed = async (): Promise<string> => {
      const s = client.messages.stream(ask);
      let text = '';
      for await (const e of s) if (e.type === 'content_block_delta' && e.delta.type === 'text_delta') text += e.delta.text;
      const final = await s.finalMessage();
      assert.ok(final.usage.output_tokens > 0);
      return text;
    };
    const s1 = await streamed();
    const s2 = await streamed();
    assert.ok(s1.length > 0);
    assert.equal(s2, s1);
    const { hit } = assertMissThenHit(rig.records);
    assert.equal(hit.stream, true);
    assert.equal(sim.stats.requests - before, 2);
  });

  test('Gemini generateContent, body and stream', async () => {
    fresh();
    const ai = new GoogleGenAI({ apiKey: 'g-tenant', httpOptions: { baseUrl: rig.base } });
    const before = sim.stats.requests;
    const ask = { model: 'gemini-2.5-flash', contents: 'Classify this invoice', config: { temperature: 0 } };
    const a = await ai.models.generateContent(ask);
    const b = await ai.models.generateContent(ask);
    assert.equal(b.text, a.text);
    assertMissThenHit(rig.records);

    fresh();
    const streamed = async (): Promise<string> => {
      let text = '';
      for await (const chunk of await ai.models.generateContentStream(ask)) text += chunk.text ?? '';
      return text;
    };
    const s1 = await streamed();
    const s2 = await streamed();
    assert.ok(s1.length > 0);
    assert.equal(s2, s1);
    assertMissThenHit(rig.records);
    assert.equal(sim.stats.requests - before, 2);
  });

  test('x-costrail-cache: bypass goes upstream and stores nothing; refresh goes upstream and replaces the entry', async () => {
    fresh();
    const client = openaiFor(rig.base);
    const ask = { model: 'gpt-4o-mini', temperature: 0, messages: Q('bypass and refresh') };
    const before = sim.stats.requests;
    const bypass = await client.chat.completions.create(ask, { headers: { 'x-costrail-cache': 'bypass' } }).withResponse();
    assert.equal(bypass.response.headers.get('x-costrail-cache'), 'bypass');
    const miss = await client.chat.completions.create(ask).withResponse();
    assert.equal(miss.response.headers.get('x-costrail-cache'), 'miss', 'the bypassed answer was not stored');
    const refresh = await client.chat.completions.create(ask, { headers: { 'x-costrail-cache': 'refresh' } }).withResponse();
    assert.equal(refresh.response.headers.get('x-costrail-cache'), 'refresh');
    const hit = await client.chat.completions.create(ask).withResponse();
    assert.equal(hit.response.headers.get('x-costrail-cache'), 'hit');
    assert.equal(hit.data.id, refresh.data.id, 'the refreshed answer replaced the stored one');
    assert.equal(sim.stats.requests - before, 3);
    assert.deepEqual(
      rig.records.map((r) => r.status),
      ['ok', 'ok', 'ok', 'cached'],
    );
  });

  test('Cache-Control from the client: no-store bypasses, no-cache refreshes', async () => {
    fresh();
    const client = openaiFor(rig.base);
    const ask = { model: 'gpt-4o-mini', temperature: 0, messages: Q('cache-control') };
    const noStore = await client.chat.completions.create(ask, { headers: { 'cache-control': 'no-store' } }).withResponse();
    assert.equal(noStore.response.headers.get('x-costrail-cache'), 'bypass');
    const noCache = await client.chat.completions.create(ask, { headers: { 'cache-control': 'max-stale, no-cache' } }).withResponse();
    assert.equal(noCache.response.headers.get('x-costrail-cache'), 'refresh');
    const hit = await client.chat.completions.create(ask).withResponse();
    assert.equal(hit.response.headers.get('x-costrail-cache'), 'hit');
  });

  test('an unknown x-costrail-cache value is refused in the caller\'s format, recorded, nothing forwarded', async () => {
    fresh();
    const before = sim.stats.requests;
    await assert.rejects(openaiFor(rig.base).chat.completions.create({ model: 'gpt-4o-mini', temperature: 0, messages: Q('x') }, { headers: { 'x-costrail-cache': 'forever' } }), (e: unknown) => {
      assert.ok(e instanceof OpenAI.BadRequestError);
      assert.match(e.message, /x-costrail-cache must be "bypass" or "refresh"/);
      return true;
    });
    assert.equal(sim.stats.requests, before);
    assert.deepEqual(
      rig.records.map((r) => r.status),
      ['blocked'],
    );
  });

  test('temperature > 0, or no temperature (the provider default is 1), is never cached', async () => {
    fresh();
    const client = openaiFor(rig.base);
    const before = sim.stats.requests;
    for (const ask of [{ temperature: 0.7 }, {}, { temperature: 0.7 }, {}]) {
      const { response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: Q('sampled'), ...ask }).withResponse();
      assert.equal(response.headers.get('x-costrail-cache'), 'bypass');
    }
    assert.equal(sim.stats.requests - before, 4);
    assert.ok(rig.records.every((r) => r.status === 'ok'));
  });

  test('errors are never cached: a provider 500 and a stream cut mid-way both go upstream again', async () => {
    fresh();
    const client = openaiFor(rig.base);
    const before = sim.stats.requests;
    for (let i = 0; i < 2; i++) {
      await assert.rejects(client.chat.completions.create({ model: 'gpt-4o-mini', temperature: 0, messages: Q('fails') }, { headers: { 'x-sim-status': '500' } }));
    }
    assert.equal(sim.stats.requests - before, 2);
    for (let i = 0; i < 2; i++) {
      const s = await client.chat.completions.create({ model: 'gpt-4o-mini', temperature: 0, stream: true, messages: Q('cut') }, { headers: { 'x-sim-fail-after-chunks': '2' } });
      await assert.rejects(async () => {
        for await (const _ of s) void _;
      });
    }
    assert.equal(sim.stats.requests - before, 4);
    assert.ok(rig.records.every((r) => r.status === 'error'));
  });

  test('tenant isolation: another key never gets this key\'s answer', async () => {
    fresh();
    const ask = { model: 'gpt-4o-mini', temperature: 0, messages: Q('tenant data') };
    const before = sim.stats.requests;
    await openaiFor(rig.base, 'sk-tenant-a').chat.completions.create(ask);
    const other = await openaiFor(rig.base, 'sk-tenant-b').chat.completions.create(ask).withResponse();
    assert.equal(other.response.headers.get('x-costrail-cache'), 'miss');
    const same = await openaiFor(rig.base, 'sk-tenant-a').chat.completions.create(ask).withResponse();
    assert.equal(same.response.headers.get('x-costrail-cache'), 'hit');
    assert.equal(sim.stats.requests - before, 2);
  });
});

describe('response cache configuration', () => {
  test('scope team shares answers across keys of one team, not across teams', async () => {
    const rig = await cacheRig(sim, { scope: 'team' });
    try {
      const ask = { model: 'gpt-4o-mini', temperature: 0, messages: Q('team scope') };
      await openaiFor(rig.base, 'sk-1').chat.completions.create(ask);
      const mate = await openaiFor(rig.base, 'sk-2').chat.completions.create(ask).withResponse();
      assert.equal(mate.response.headers.get('x-costrail-cache'), 'hit');
      const stranger = await openaiFor(rig.base, 'sk-1', { 'x-costrail-team': 'growth' }).chat.completions.create(ask).withResponse();
      assert.equal(stranger.response.headers.get('x-costrail-cache'), 'miss');
    } finally {
      await rig.close();
    }
  });

  test('opt-in by feature: other features bypass', async () => {
    const rig = await cacheRig(sim, { features: ['faq'] });
    try {
      const ask = { model: 'gpt-4o-mini', temperature: 0, messages: Q('feature opt-in') };
      const faq = await openaiFor(rig.base).chat.completions.create(ask).withResponse();
      assert.equal(faq.response.headers.get('x-costrail-cache'), 'miss');
      const other = await openaiFor(rig.base, 'sk-tenant-a', { 'x-costrail-feature': 'chat' }).chat.completions.create(ask).withResponse();
      assert.equal(other.response.headers.get('x-costrail-cache'), 'bypass');
    } finally {
      await rig.close();
    }
  });

  test('opt-in by key: listed key ids are cached, others bypass', async () => {
    const listed = `pt_${createHash('sha256').update('sk-listed').digest('hex').slice(0, 16)}`;
    const rig = await cacheRig(sim, { keys: [listed] });
    try {
      const ask = { model: 'gpt-4o-mini', temperature: 0, messages: Q('key opt-in') };
      const mine = await openaiFor(rig.base, 'sk-listed').chat.completions.create(ask).withResponse();
      assert.equal(mine.response.headers.get('x-costrail-cache'), 'miss');
      assert.equal(rig.records[0]?.key_id, listed);
      const other = await openaiFor(rig.base, 'sk-unlisted').chat.completions.create(ask).withResponse();
      assert.equal(other.response.headers.get('x-costrail-cache'), 'bypass');
    } finally {
      await rig.close();
    }
  });

  test('a hit on a model without a price still costs 0; what it saved is unknown (null), never a guess', async () => {
    const rig = await cacheRig(sim);
    try {
      const ask = { model: 'acme-private-llm', temperature: 0, messages: Q('unpriced model') };
      await openaiFor(rig.base).chat.completions.create(ask);
      const again = await openaiFor(rig.base).chat.completions.create(ask).withResponse();
      assert.equal(again.response.headers.get('x-costrail-cache'), 'hit');
      const [ok, hit] = rig.records as [LedgerRecord, LedgerRecord];
      assert.equal(ok.priced, false);
      assert.equal(hit.status, 'cached');
      assert.equal(hit.cost?.total, '0');
      assert.equal(hit.saved, null);
      assert.equal(hit.unpriced_reason, null);
      assert.equal(again.response.headers.get('x-costrail-saved'), null);
    } finally {
      await rig.close();
    }
  });

  test('any_temperature caches sampled requests too', async () => {
    const rig = await cacheRig(sim, { any_temperature: true });
    try {
      const ask = { model: 'gpt-4o-mini', temperature: 0.9, messages: Q('sampled but cached') };
      await openaiFor(rig.base).chat.completions.create(ask);
      const again = await openaiFor(rig.base).chat.completions.create(ask).withResponse();
      assert.equal(again.response.headers.get('x-costrail-cache'), 'hit');
      assertMissThenHit(rig.records);
    } finally {
      await rig.close();
    }
  });

  test('entries expire after ttl_seconds', async () => {
    let now = Date.parse('2026-12-01T00:00:00Z');
    const rig = await cacheRig(sim, { ttl_seconds: 60 }, undefined, () => now);
    try {
      const ask = { model: 'gpt-4o-mini', temperature: 0, messages: Q('ttl') };
      const before = sim.stats.requests;
      await openaiFor(rig.base).chat.completions.create(ask);
      now += 59_000;
      const within = await openaiFor(rig.base).chat.completions.create(ask).withResponse();
      assert.equal(within.response.headers.get('x-costrail-cache'), 'hit');
      now += 2_000;
      const expired = await openaiFor(rig.base).chat.completions.create(ask).withResponse();
      assert.equal(expired.response.headers.get('x-costrail-cache'), 'miss');
      assert.equal(sim.stats.requests - before, 2);
    } finally {
      await rig.close();
    }
  });

  test('an answer larger than max_entry_bytes is not stored', async () => {
    const rig = await cacheRig(sim, { max_entry_bytes: 200 });
    try {
      const ask = { model: 'gpt-4o-mini', temperature: 0, messages: Q('too big to keep') };
      await openaiFor(rig.base).chat.completions.create(ask);
      const again = await openaiFor(rig.base).chat.completions.create(ask).withResponse();
      assert.equal(again.response.headers.get('x-costrail-cache'), 'miss');
    } finally {
      await rig.close();
    }
  });
});
