/**
 * The request shape and finish reason on the ledger record, through the official SDKs against the
 * simulator: counts and hashes for every API, streaming and not, and never a word of the prompt.
 */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import { Gateway } from '../../src/gateway/gateway.js';
import { createCostrailServer } from '../../src/server/http-server.js';
import { loadPriceBook } from '../../src/pricing/catalog-loader.js';
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import { startSimulator } from '../../src/simulator/index.js';

const records: LedgerRecord[] = [];
let sim: Awaited<ReturnType<typeof startSimulator>>;
let server: Server;
let gateway: Gateway;
let base: string;

const SYSTEM = 'You are the FinOps assistant of Zebracorp; answer tersely';
const SECRET = 'Quokka invoice 4471';
const HEX64 = /^[0-9a-f]{64}$/;

before(async () => {
  sim = await startSimulator();
  gateway = new Gateway({ upstreams: { openai: `${sim.url}/v1`, anthropic: sim.url, gemini: sim.url }, book: loadPriceBook(), sink: { write: (r) => records.push(r) } });
  server = createCostrailServer({ gateway });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await gateway.close();
  await sim.close();
});

beforeEach(() => {
  records.length = 0;
});

async function nextRecord(): Promise<LedgerRecord> {
  for (let i = 0; i < 100 && records.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(records.length, 1, `expected exactly one ledger record, got ${records.length}`);
  return records.splice(0, 1)[0] as LedgerRecord;
}

function assertNoPromptText(r: LedgerRecord): void {
  const text = JSON.stringify(r);
  assert.ok(!text.includes('Zebracorp') && !text.includes('Quokka'), 'the record carries prompt text');
}

function assertShape(r: LedgerRecord, want: { messages: number; tools: number | null; max: number | null; finish: string }): void {
  assert.match(r.request_hash ?? '', HEX64);
  assert.match(r.prompt_prefix_hash ?? '', HEX64);
  assert.ok((r.prompt_prefix_tokens ?? 0) > 0);
  assert.equal(r.message_count, want.messages);
  assert.equal(r.tool_count, want.tools);
  assert.equal(r.max_output_tokens, want.max);
  assert.equal(r.finish_reason, want.finish);
  assertNoPromptText(r);
}

const openai = () => new OpenAI({ apiKey: 'sk-test', baseURL: `${base}/v1` });
const TOOLS = [{ type: 'function' as const, function: { name: 'lookup_invoice', parameters: { type: 'object', properties: {} } } }];

test('OpenAI chat: shape and finish reason, equal requests share request_hash, a new user turn keeps the prefix hash', async () => {
  const ask = (content: string) =>
    openai().chat.completions.create({ model: 'gpt-4o-mini', max_completion_tokens: 50, tools: TOOLS, messages: [{ role: 'system', content: SYSTEM }, { role: 'user', content }] });
  await ask(SECRET);
  const a = await nextRecord();
  assertShape(a, { messages: 2, tools: 1, max: 50, finish: 'length' });
  await ask(SECRET);
  const b = await nextRecord();
  assert.equal(b.request_hash, a.request_hash);
  await ask('Quokka: what about March?');
  const c = await nextRecord();
  assert.notEqual(c.request_hash, a.request_hash);
  assert.equal(c.prompt_prefix_hash, a.prompt_prefix_hash);
  assert.equal(c.prompt_prefix_tokens, a.prompt_prefix_tokens);
  // Without a limit the simulator ends on its own: the reason follows the answer, and there is no max to record.
  await openai().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: SECRET }] });
  const d = await nextRecord();
  assert.equal(d.finish_reason, 'stop');
  assert.equal(d.max_output_tokens, null);
  assert.equal(d.prompt_prefix_hash, null);
  assert.equal(d.tool_count, null);
  assertNoPromptText(d);
});

test('OpenAI chat, streaming: finish reason from the final chunk, stream flag does not change request_hash', async () => {
  const body = { model: 'gpt-4o-mini', max_tokens: 40, messages: [{ role: 'system' as const, content: SYSTEM }, { role: 'user' as const, content: SECRET }] };
  const stream = await openai().chat.completions.create({ ...body, stream: true });
  for await (const _ of stream) void _;
  const s = await nextRecord();
  assertShape(s, { messages: 2, tools: null, max: 40, finish: 'length' });
  await openai().chat.completions.create(body);
  const n = await nextRecord();
  assert.equal(n.request_hash, s.request_hash);
});

test('OpenAI Responses, streaming and not: status and incomplete reason as finish reason', async () => {
  const req = { model: 'gpt-4o-mini', instructions: SYSTEM, input: SECRET, max_output_tokens: 64 };
  await openai().responses.create(req);
  const a = await nextRecord();
  assertShape(a, { messages: 1, tools: null, max: 64, finish: 'incomplete:max_output_tokens' });
  const stream = await openai().responses.create({ ...req, stream: true });
  for await (const _ of stream) void _;
  const b = await nextRecord();
  assertShape(b, { messages: 1, tools: null, max: 64, finish: 'incomplete:max_output_tokens' });
  assert.equal(b.request_hash, a.request_hash);
});

test('Anthropic messages, streaming and not: stop_reason; the cache breakpoint widens the prefix', async () => {
  const client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: base });
  const req = { model: 'claude-sonnet-4-5', max_tokens: 64, system: SYSTEM, messages: [{ role: 'user' as const, content: SECRET }] };
  await client.messages.create(req);
  const a = await nextRecord();
  assertShape(a, { messages: 1, tools: null, max: 64, finish: 'max_tokens' });
  const stream = await client.messages.create({ ...req, stream: true });
  for await (const _ of stream) void _;
  const b = await nextRecord();
  assertShape(b, { messages: 1, tools: null, max: 64, finish: 'max_tokens' });
  assert.equal(b.request_hash, a.request_hash);
  const cached = { ...req, messages: [{ role: 'user' as const, content: [{ type: 'text' as const, text: SECRET, cache_control: { type: 'ephemeral' as const } }] }] };
  await client.messages.create(cached);
  const c = await nextRecord();
  assert.notEqual(c.prompt_prefix_hash, a.prompt_prefix_hash);
  assert.ok((c.prompt_prefix_tokens ?? 0) > (a.prompt_prefix_tokens ?? 0));
  assertNoPromptText(c);
});

test('Gemini generateContent, streaming and not: finishReason, maxOutputTokens, systemInstruction prefix', async () => {
  const ai = new GoogleGenAI({ apiKey: 'g-test', httpOptions: { baseUrl: base } });
  const config = { systemInstruction: SYSTEM, maxOutputTokens: 80 };
  await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: SECRET, config });
  const a = await nextRecord();
  assertShape(a, { messages: 1, tools: null, max: 80, finish: 'MAX_TOKENS' });
  const stream = await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: SECRET, config });
  for await (const _ of stream) void _;
  const b = await nextRecord();
  assertShape(b, { messages: 1, tools: null, max: 80, finish: 'MAX_TOKENS' });
  await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Quokka: and April?', config });
  const c = await nextRecord();
  assert.equal(c.prompt_prefix_hash, a.prompt_prefix_hash);
  assert.notEqual(c.request_hash, a.request_hash);
});
