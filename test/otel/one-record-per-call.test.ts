/**
 * No double counting without (and with) the gateway, with the official openai, @anthropic-ai/sdk
 * and @google/genai clients against the simulator, plain and streamed:
 * - an SDK-instrumented call straight to the provider plus its span (gen_ai.response.id) → one
 *   record, the SDK's, with the span's extra attribution;
 * - a gateway call plus a span carrying attributes the gateway did not have → one record, the
 *   gateway's, with the span's attribution merged in;
 * - an instrumented client pointed at the gateway plus a span (seen three ways) → one record.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import { startCostrail, type CostrailRuntime } from '../../src/server/costrail-runtime.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import { costrailFetch, instrument, withAttribution, RecordSender } from '../../src/sdk/index.js';
import { tempDir } from '../helpers/temp-dir.js';

let sim: Simulator;
let rt: CostrailRuntime;
let sender: RecordSender;
before(async () => {
  sim = await startSimulator();
  rt = await startCostrail({ port: 0, dataDir: tempDir('costrail-one-call-'), quiet: true, upstreams: { openai: `${sim.url}/v1`, anthropic: sim.url, gemini: sim.url } });
  sender = new RecordSender({ url: rt.url, token: rt.adminToken, spoolDir: false });
});
after(async () => {
  await sender.close();
  await rt.close();
  await sim.close();
});

type Provider = 'openai' | 'anthropic' | 'gemini';
const SPAN_PROVIDER: Record<Provider, string> = { openai: 'openai', anthropic: 'anthropic', gemini: 'gcp.gemini' };
const MODEL: Record<Provider, string> = { openai: 'gpt-4o-mini', anthropic: 'claude-sonnet-4-20250514', gemini: 'gemini-2.5-flash' };

/** One call through a client, returning the provider's response id the client received. */
type Call = (stream: boolean) => Promise<string>;

function clients(base: { openai: string; anthropic: string; gemini: string }, sdk: boolean, headers: Record<string, string> = {}): Record<Provider, Call> {
  const gatewayUrl = sdk && base.openai.startsWith(rt.url) ? rt.url : undefined;
  const fetchOpts = { sink: sender, attribution: { team: 'sdk-team' }, ...(gatewayUrl ? { gatewayUrl } : {}) };
  let openai = new OpenAI({ apiKey: 'sk-test', baseURL: base.openai, maxRetries: 0, defaultHeaders: headers });
  let anthropic = new Anthropic({ apiKey: 'sk-ant-test', baseURL: base.anthropic, maxRetries: 0, defaultHeaders: headers });
  if (sdk) {
    openai = instrument(openai, fetchOpts);
    anthropic = instrument(anthropic, fetchOpts);
  }
  const gemini = new GoogleGenAI({ apiKey: 'g-test', httpOptions: { baseUrl: base.gemini, headers, ...(sdk ? { fetch: costrailFetch(fetchOpts) } : {}) } });
  return {
    openai: async (stream) => {
      const messages = [{ role: 'user' as const, content: 'one call please' }];
      if (!stream) return (await openai.chat.completions.create({ model: MODEL.openai, messages })).id;
      let id = '';
      for await (const chunk of await openai.chat.completions.create({ model: MODEL.openai, messages, stream: true, stream_options: { include_usage: true } })) id ||= chunk.id;
      return id;
    },
    anthropic: async (stream) => {
      const messages = [{ role: 'user' as const, content: 'one call please' }];
      if (!stream) return (await anthropic.messages.create({ model: MODEL.anthropic, max_tokens: 64, messages })).id;
      let id = '';
      for await (const ev of await anthropic.messages.create({ model: MODEL.anthropic, max_tokens: 64, messages, stream: true })) if (ev.type === 'message_start') id = ev.message.id;
      return id;
    },
    gemini: async (stream) => {
      if (!stream) return (await gemini.models.generateContent({ model: MODEL.gemini, contents: 'one call please' })).responseId ?? '';
      let id = '';
      for await (const chunk of await gemini.models.generateContentStream({ model: MODEL.gemini, contents: 'one call please' })) id ||= chunk.responseId ?? '';
      return id;
    },
  };
}

const hex = (n: number): string => Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join('');

/** The span an instrumentation would export for the call (OTLP JSON), with extra attributes. */
async function sendSpan(provider: Provider, responseId: string, attrs: Record<string, string>): Promise<void> {
  const now = Date.now();
  const kv = (o: Record<string, string | number>) => Object.entries(o).map(([key, v]) => ({ key, value: typeof v === 'number' ? { intValue: String(v) } : { stringValue: v } }));
  const span = {
    traceId: hex(32),
    spanId: hex(16),
    name: `chat ${MODEL[provider]}`,
    kind: 3,
    startTimeUnixNano: `${now - 800}000000`,
    endTimeUnixNano: `${now}000000`,
    status: { code: 1 },
    attributes: kv({ 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': SPAN_PROVIDER[provider], 'gen_ai.request.model': MODEL[provider], 'gen_ai.response.id': responseId, 'gen_ai.usage.input_tokens': 12, 'gen_ai.usage.output_tokens': 7, ...attrs }),
  };
  const body = { resourceSpans: [{ resource: { attributes: kv({ 'service.name': 'triage-agent' }) }, scopeSpans: [{ scope: { name: 'test-instrumentation' }, spans: [span] }] }] };
  const res = await fetch(`${rt.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${rt.adminToken}` }, body: JSON.stringify(body) });
  assert.equal(res.status, 200, await res.text());
}

async function recordsOf(responseId: string): Promise<LedgerRecord[]> {
  await sender.flush();
  await rt.writer.flush();
  const res = await fetch(`${rt.url}/api/events?limit=1000`, { headers: { authorization: `Bearer ${rt.adminToken}` } });
  return ((await res.json()) as { events: LedgerRecord[] }).events.filter((e) => e.response_id === responseId);
}

/** SDK records are built off the caller's path: wait until the call's records are in, up to 10 s. */
async function settled(responseId: string, want: (rs: LedgerRecord[]) => boolean): Promise<LedgerRecord[]> {
  let rs: LedgerRecord[] = [];
  for (let i = 0; i < 100; i++) {
    rs = await recordsOf(responseId);
    if (want(rs)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return rs;
}

const CASES = (['openai', 'anthropic', 'gemini'] as const).flatMap((p) => [false, true].map((stream) => ({ provider: p, stream, label: `${p} ${stream ? 'stream' : 'plain'}` })));
const direct = () => ({ openai: `${sim.url}/v1`, anthropic: sim.url, gemini: sim.url });
const gateway = () => ({ openai: `${rt.url}/v1`, anthropic: rt.url, gemini: rt.url });

test('without the gateway: an SDK-instrumented call and its span are one record, the SDK’s, with the span’s attribution', async () => {
  for (const { provider, stream, label } of CASES) {
    const call = clients(direct(), true)[provider];
    const responseId = await withAttribution({ feature: 'triage' }, () => call(stream));
    assert.ok(responseId, label);
    // The span may arrive before or after the SDK's batch: alternate.
    if (stream) await sendSpan(provider, responseId, { 'enduser.id': 'u-42', 'gen_ai.agent.name': 'planner' });
    await settled(responseId, (rs) => rs.some((r) => r.source === 'sdk'));
    if (!stream) await sendSpan(provider, responseId, { 'enduser.id': 'u-42', 'gen_ai.agent.name': 'planner' });
    const rs = await settled(responseId, (x) => x.length === 1 && x[0]!.attribution.user === 'u-42');
    assert.equal(rs.length, 1, `${label}: ${rs.map((r) => r.source).join(', ')}`);
    const r = rs[0]!;
    assert.equal(r.source, 'sdk', label);
    assert.equal(r.provider, provider, label);
    assert.equal(r.stream, stream, label);
    assert.ok(r.priced, label);
    assert.equal(r.attribution.team, 'sdk-team', label);
    assert.equal(r.attribution.feature, 'triage', label);
    assert.equal(r.attribution.user, 'u-42', `${label}: the span's user`);
    assert.equal(r.attribution.agent, 'planner', label);
    assert.notEqual(r.usage?.input_tokens, 12, `${label}: usage is the SDK's reading of the response, not the span's`);
  }
});

test("through the gateway: a span with extra attributes merges into the gateway's record, never a second record", async () => {
  for (const { provider, stream, label } of CASES) {
    const call = clients(gateway(), false, { 'x-costrail-team': 'gw-team', 'x-costrail-feature': 'answer' })[provider];
    const responseId = await call(stream);
    assert.ok(responseId, label);
    await sendSpan(provider, responseId, { 'enduser.id': 'u-7', 'costrail.feature': 'span-feature', 'app.tenant_id': 'acme' });
    const rs = await settled(responseId, (x) => x.length === 1 && x[0]!.attribution.user === 'u-7');
    assert.equal(rs.length, 1, `${label}: ${rs.map((r) => r.source).join(', ')}`);
    const r = rs[0]!;
    assert.equal(r.source, 'gateway', label);
    assert.equal(r.attribution.team, 'gw-team', label);
    assert.equal(r.attribution.feature, 'answer', `${label}: the gateway's value is kept`);
    assert.equal(r.attribution.user, 'u-7', label);
    assert.equal(r.attribution.customer, 'acme', label);
    assert.equal(r.attribution.project, 'triage-agent', `${label}: filled from the span's resource`);
  }
});

test('seen three ways (instrumented client → gateway → provider, plus its span): one record', async () => {
  for (const { provider, stream, label } of CASES) {
    const call = clients(gateway(), true)[provider];
    const responseId = await withAttribution({ customer: 'globex' }, () => call(stream));
    assert.ok(responseId, label);
    await sendSpan(provider, responseId, { 'enduser.id': 'u-3' });
    const rs = await settled(responseId, (x) => x.length === 1 && x[0]!.attribution.user === 'u-3');
    assert.equal(rs.length, 1, `${label}: ${rs.map((r) => r.source).join(', ')}`);
    const r = rs[0]!;
    assert.equal(r.source, 'gateway', label);
    // The SDK's context reached the gateway as headers; the span added the user.
    assert.equal(r.attribution.team, 'sdk-team', label);
    assert.equal(r.attribution.customer, 'globex', label);
    assert.equal(r.attribution.user, 'u-3', label);
  }
  // Nothing recorded by the SDK for the calls that went through the gateway.
  assert.equal(sender.stats().dropped, 0);
});
