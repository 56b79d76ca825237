/**
 * `instrument()` on the official openai and @anthropic-ai/sdk clients, against the project's
 * simulator: the SDK's record for a call equals the gateway's for the same call (provider, api,
 * models, usage, stream, status, and the cost the server prices it at); attribution comes from
 * withAttribution contexts; abandoned streams are recorded aborted; a call through the gateway is
 * not recorded twice.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import { startCostrail, type CostrailRuntime } from '../../src/server/costrail-runtime.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import { costrailFetch, instrument, withAttribution, RecordSender, type RecordSink } from '../../src/sdk/index.js';
import { tempDir } from '../helpers/temp-dir.js';

let sim: Simulator;
let rt: CostrailRuntime;
before(async () => {
  sim = await startSimulator();
  rt = await startCostrail({ port: 0, dataDir: tempDir('costrail-sdk-'), quiet: true, upstreams: { openai: `${sim.url}/v1`, anthropic: sim.url, gemini: sim.url } });
});
after(async () => {
  await rt.close();
  await sim.close();
});

class Collected implements RecordSink {
  records: LedgerRecord[] = [];
  enqueue(r: LedgerRecord): void {
    this.records.push(r);
  }
}
const settle = () => new Promise((r) => setTimeout(r, 50));
/** Records are made off the caller's path (an estimate loads the tokenizer first): wait for them, up to 10 s. */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 50));
}

async function events(): Promise<LedgerRecord[]> {
  await rt.writer.flush();
  const res = await fetch(`${rt.url}/api/events?limit=1000`, { headers: { authorization: `Bearer ${rt.adminToken}` } });
  return ((await res.json()) as { events: LedgerRecord[] }).events;
}
const comparable = (r: LedgerRecord) => ({ provider: r.provider, api: r.api, model_requested: r.model_requested, model: r.model, usage: r.usage, usage_source: r.usage_source, stream: r.stream, status: r.status, cost: r.cost?.total ?? null, team: r.attribution.team });

test('OpenAI and Anthropic, plain and streamed: the SDK record equals the gateway record for the same call', async () => {
  const sink = new RecordSender({ url: rt.url, token: rt.adminToken, spoolDir: false });
  const direct = { openai: new OpenAI({ apiKey: 'sk-test', baseURL: `${sim.url}/v1`, maxRetries: 0 }), anthropic: new Anthropic({ apiKey: 'sk-ant-test', baseURL: sim.url, maxRetries: 0 }) };
  const viaGateway = { openai: new OpenAI({ apiKey: 'sk-test', baseURL: `${rt.url}/v1`, maxRetries: 0, defaultHeaders: { 'x-costrail-team': 'eq' } }), anthropic: new Anthropic({ apiKey: 'sk-ant-test', baseURL: rt.url, maxRetries: 0, defaultHeaders: { 'x-costrail-team': 'eq' } }) };
  const sdk = { openai: instrument(direct.openai, { attribution: { team: 'eq' }, sink }), anthropic: instrument(direct.anthropic, { attribution: { team: 'eq' }, sink }) };
  const calls: [string, (c: typeof sdk) => Promise<void>][] = [
    ['openai plain', async (c) => void (await c.openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello there' }] }))],
    ['openai stream', async (c) => {
      const s = await c.openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'stream please' }], stream: true, stream_options: { include_usage: true } });
      for await (const _ of s) void _;
    }],
    ['anthropic plain', async (c) => void (await c.anthropic.messages.create({ model: 'claude-sonnet-4-20250514', max_tokens: 64, messages: [{ role: 'user', content: 'hi claude' }] }))],
    ['anthropic stream', async (c) => {
      const s = await c.anthropic.messages.create({ model: 'claude-sonnet-4-20250514', max_tokens: 64, messages: [{ role: 'user', content: 'stream claude' }], stream: true });
      for await (const _ of s) void _;
    }],
  ];
  for (const [label, call] of calls) {
    const before = new Set((await events()).map((e) => e.id));
    await call(viaGateway as unknown as typeof sdk);
    await call(sdk);
    await settle();
    await sink.flush();
    const fresh = (await events()).filter((e) => !before.has(e.id));
    const gw = fresh.filter((e) => e.source === 'gateway');
    const mine = fresh.filter((e) => e.source === 'sdk');
    assert.equal(gw.length, 1, label);
    assert.equal(mine.length, 1, label);
    assert.ok(mine[0]!.priced, label);
    assert.deepEqual(comparable(mine[0]!), comparable(gw[0]!), label);
  }
  assert.equal(sink.stats().dropped, 0);
});

test('withAttribution contexts nest and reach the record; an abandoned stream is recorded aborted with estimated usage', async () => {
  const sink = new Collected();
  const client = instrument(new OpenAI({ apiKey: 'sk-test', baseURL: `${sim.url}/v1`, maxRetries: 0 }), { attribution: { env: 'test', team: 'base' }, sink });
  await withAttribution({ team: 'agents', customer: 'acme', priority: 'urgent' as never }, async () => {
    await withAttribution({ feature: 'plan' }, async () => {
      await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'nested' }] });
    });
    const s = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'write a long story about budgets and ledgers' }], stream: true, max_tokens: 500 });
    for await (const _ of s) break;
  });
  await until(() => sink.records.length >= 2);
  assert.equal(sink.records.length, 2);
  const [nested, abandoned] = sink.records;
  assert.deepEqual([nested!.attribution.team, nested!.attribution.customer, nested!.attribution.feature, nested!.attribution.env], ['agents', 'acme', 'plan', 'test']);
  assert.equal(nested!.attribution.priority, null, 'an unknown priority is dropped, the call kept');
  assert.equal(abandoned!.status, 'aborted');
  assert.equal(abandoned!.attribution.feature, null, 'the inner context ended');
  assert.ok(abandoned!.usage && abandoned!.usage.input_tokens > 0);
});

test('a call whose response came through the Costrail gateway is not recorded again by the SDK', async () => {
  const sink = new Collected();
  const client = instrument(new OpenAI({ apiKey: 'sk-test', baseURL: `${rt.url}/v1`, maxRetries: 0 }), { sink });
  await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'through the gateway' }] });
  await settle();
  assert.equal(sink.records.length, 0);
});

test('without a spool the queue is bounded: the oldest records are dropped and counted when the server is unreachable', async () => {
  const sender = new RecordSender({ url: 'http://127.0.0.1:9', maxQueue: 3, batchSize: 1000, flushIntervalMs: 60_000, spoolDir: false });
  const rec = { id: 'x' } as LedgerRecord;
  for (let i = 0; i < 5; i++) sender.enqueue({ ...rec, id: `r${i}` });
  assert.deepEqual(sender.stats(), { queued: 3, sent: 0, dropped: 2, failedBatches: 0, spooled: 0 });
  await sender.flush();
  assert.equal(sender.stats().failedBatches, 1);
  assert.equal(sender.stats().queued, 3, 'kept for the next attempt');
});

test('@google/genai through costrailFetch: plain and streamed generateContent equal the gateway records', async () => {
  const sink = new RecordSender({ url: rt.url, token: rt.adminToken, spoolDir: false });
  const viaGateway = new GoogleGenAI({ apiKey: 'g-test', httpOptions: { baseUrl: rt.url, headers: { 'x-costrail-team': 'eq' } } });
  const sdk = new GoogleGenAI({ apiKey: 'g-test', httpOptions: { baseUrl: sim.url, fetch: costrailFetch({ attribution: { team: 'eq' }, sink }) } });
  const calls: [string, (c: GoogleGenAI) => Promise<void>][] = [
    ['gemini plain', async (c) => void (await c.models.generateContent({ model: 'gemini-2.5-flash', contents: 'hello gemini' }))],
    ['gemini stream', async (c) => {
      for await (const _ of await c.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'stream gemini' })) void _;
    }],
  ];
  for (const [label, call] of calls) {
    const before = new Set((await events()).map((e) => e.id));
    await call(viaGateway);
    await call(sdk);
    await settle();
    await sink.flush();
    const fresh = (await events()).filter((e) => !before.has(e.id));
    const gw = fresh.filter((e) => e.source === 'gateway');
    const mine = fresh.filter((e) => e.source === 'sdk');
    assert.equal(gw.length, 1, label);
    assert.equal(mine.length, 1, label);
    assert.deepEqual(comparable(mine[0]!), comparable(gw[0]!), label);
  }
});
