/**
 * The SDK beyond the happy path, with the official clients against the simulator: failed calls
 * leave the record the gateway leaves for the same failure; `admission` refuses calls by kill
 * switch and budget before the provider is called (one blocked record, a typed error) and settles
 * an admitted call's hold with its record; a call seen by the gateway, the SDK and an OTel span is
 * one record carrying the SDK context's attribution.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { startCostrail, type CostrailRuntime } from '../../src/server/costrail-runtime.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import { AdmissionClient, CostrailRefusalError, instrument, RecordSender, withAttribution } from '../../src/sdk/index.js';
import { tempDir } from '../helpers/temp-dir.js';
import { requestWithAttributes } from '../otel/otel-fixtures.js';

let sim: Simulator;
let rt: CostrailRuntime;
before(async () => {
  sim = await startSimulator();
  rt = await startCostrail({ port: 0, dataDir: tempDir('costrail-sdk-policy-'), quiet: true, upstreams: { openai: `${sim.url}/v1`, anthropic: sim.url, gemini: sim.url } });
});
after(async () => {
  await rt.close();
  await sim.close();
});

const admin = () => ({ authorization: `Bearer ${rt.adminToken}`, 'content-type': 'application/json' });
async function events(): Promise<LedgerRecord[]> {
  await rt.writer.flush();
  const res = await fetch(`${rt.url}/api/events?limit=1000`, { headers: admin() });
  return ((await res.json()) as { events: LedgerRecord[] }).events;
}
async function until(cond: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200 && !(await cond()); i++) await new Promise((r) => setTimeout(r, 50));
}
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}
const outcome = (r: LedgerRecord | undefined) => r && { status: r.status, http_status: r.http_status, error: r.error?.type ?? null, usage_source: r.usage_source, cost: r.cost?.total ?? null };

test('failed calls: a provider error, a stream the provider cuts and a refused connection leave the gateway\'s record', async () => {
  const sender = new RecordSender({ url: rt.url, token: rt.adminToken, spoolDir: false });
  const sdk = instrument(new OpenAI({ apiKey: 'sk-test', baseURL: `${sim.url}/v1`, maxRetries: 0 }), { sink: sender, attribution: { team: 'fail' } });
  const gw = new OpenAI({ apiKey: 'sk-test', baseURL: `${rt.url}/v1`, maxRetries: 0, defaultHeaders: { 'x-costrail-team': 'fail' } });
  const cases: [string, (c: OpenAI) => Promise<unknown>][] = [
    ['provider 500', (c) => c.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'fail me' }] }, { headers: { 'x-sim-status': '500' } })],
    ['stream cut by the provider', async (c) => {
      const s = await c.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'cut me' }], stream: true }, { headers: { 'x-sim-fail-after-chunks': '2' } });
      for await (const _ of s) void _;
    }],
  ];
  for (const [label, call] of cases) {
    const before = new Set((await events()).map((e) => e.id));
    await assert.rejects(call(gw), label);
    await assert.rejects(call(sdk), label);
    await until(() => sender.stats().queued > 0);
    await sender.flush();
    const fresh = (await events()).filter((e) => !before.has(e.id) && e.attribution.team === 'fail');
    const fromGateway = fresh.filter((e) => e.source === 'gateway');
    const fromSdk = fresh.filter((e) => e.source === 'sdk');
    assert.equal(fromGateway.length, 1, label);
    assert.equal(fromSdk.length, 1, label);
    assert.notEqual(fromSdk[0]!.status, 'ok', label);
    assert.deepEqual(outcome(fromSdk[0]), outcome(fromGateway[0]), label);
  }

  // Nothing listens: the gateway classifies this as upstream_unreachable (502); so does the SDK.
  const down = instrument(new OpenAI({ apiKey: 'sk-test', baseURL: `http://127.0.0.1:${await closedPort()}/v1`, maxRetries: 0 }), { sink: sender, attribution: { team: 'unreachable' } });
  await assert.rejects(down.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'anyone?' }] }));
  await until(() => sender.stats().queued > 0);
  await sender.flush();
  const unreachable = (await events()).filter((e) => e.attribution.team === 'unreachable');
  assert.equal(unreachable.length, 1);
  assert.deepEqual(outcome(unreachable[0]), { status: 'error', http_status: 502, error: 'upstream_unreachable', usage_source: null, cost: null });
});

test('an abandoned stream is aborted with client_closed, as the gateway records a client hang-up', async () => {
  const sender = new RecordSender({ url: rt.url, token: rt.adminToken, spoolDir: false });
  const sdk = instrument(new OpenAI({ apiKey: 'sk-test', baseURL: `${sim.url}/v1`, maxRetries: 0 }), { sink: sender, attribution: { team: 'abandon' } });
  const s = await sdk.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'a long story please' }], stream: true, max_tokens: 400 }, { headers: { 'x-sim-chunk-delay-ms': '5' } });
  for await (const _ of s) break;
  await until(() => sender.stats().queued > 0);
  await sender.flush();
  const [r] = (await events()).filter((e) => e.attribution.team === 'abandon');
  assert.equal(r?.status, 'aborted');
  assert.equal(r?.error?.type, 'client_closed');
  assert.equal(r?.usage_source, 'estimated');
  assert.ok(r?.priced, 'estimated usage is priced like the gateway\'s');
});

test('admission: a kill switch and an exhausted budget refuse SDK calls before the provider, with one blocked record each', async () => {
  const sender = new RecordSender({ url: rt.url, token: rt.adminToken, spoolDir: false });
  const client = (team: string) => instrument(new OpenAI({ apiKey: 'sk-test', baseURL: `${sim.url}/v1`, maxRetries: 0 }), { sink: sender, attribution: { team }, admission: { url: rt.url, token: rt.adminToken } });
  const ks = await fetch(`${rt.url}/api/kill-switches`, { method: 'POST', headers: admin(), body: JSON.stringify({ scope: { team: 'stopped' }, reason: 'runaway agent' }) });
  assert.equal(ks.status, 201);
  const budget = await fetch(`${rt.url}/api/budgets`, { method: 'POST', headers: admin(), body: JSON.stringify({ name: 'tiny', scope: { team: 'capped' }, period: 'day', limit_usd: '0.000001', action: 'block' }) });
  assert.equal(budget.status, 201);
  const ask = (c: OpenAI) => c.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'may I?' }] });

  const before = sim.stats.requests;
  for (const [team, type] of [['stopped', 'kill_switch'], ['capped', 'budget_exceeded']] as const) {
    const err = await ask(client(team)).then(
      () => assert.fail(`${team}: the call was not refused`),
      (e: unknown) => e,
    );
    // The client's own typed error, as the gateway's refusal would raise it.
    assert.ok(err instanceof OpenAI.APIError, `${team}: ${String(err)}`);
    assert.equal(err.type, type);
    assert.equal(err.status, type === 'kill_switch' ? 403 : 429);
    assert.deepEqual((err.error as { scope?: unknown }).scope, { team });
    const blocked = (await events()).filter((e) => e.attribution.team === team);
    assert.equal(blocked.length, 1, team);
    assert.equal(blocked[0]!.id, err.headers?.get('x-costrail-request-id'));
    assert.deepEqual([blocked[0]!.source, blocked[0]!.status, blocked[0]!.error?.type, blocked[0]!.model_requested], ['sdk', 'blocked', type, 'gpt-4o-mini']);
  }
  assert.equal(sim.stats.requests, before, 'the provider was never called');

  // Admitted: the call goes out, and its record settles the budget's hold with the actual cost.
  const roomy = await fetch(`${rt.url}/api/budgets`, { method: 'POST', headers: admin(), body: JSON.stringify({ id: 'roomy', name: 'roomy', scope: { team: 'roomy' }, period: 'day', limit_usd: '100', action: 'block' }) });
  assert.equal(roomy.status, 201);
  await ask(client('roomy'));
  assert.equal(sim.stats.requests, before + 1);
  await until(() => sender.stats().queued > 0);
  await sender.flush();
  const [record] = (await events()).filter((e) => e.attribution.team === 'roomy');
  assert.ok(record?.cost);
  const status = (await (await fetch(`${rt.url}/api/budgets/roomy`, { headers: admin() })).json()) as { spent: string; reserved: string };
  assert.equal(status.reserved, '0', 'the hold was settled');
  assert.equal(status.spent, record.cost.total);

  // Asked directly, the admission client throws the typed refusal.
  const direct = new AdmissionClient({ url: rt.url, token: rt.adminToken });
  const refused = await direct.admit({ id: 'direct-1', path: '/v1/chat/completions', body: { model: 'gpt-4o-mini' }, attribution: { team: 'stopped' }, trace_id: null }).then(() => undefined, (e: unknown) => e);
  assert.ok(refused instanceof CostrailRefusalError);
  assert.equal(refused.type, 'kill_switch');

  // Bad input changes nothing: a path no provider serves is a 400.
  const bad = await fetch(`${rt.url}/api/admission`, { method: 'POST', headers: admin(), body: JSON.stringify({ id: 'x', path: '/nope' }) });
  assert.equal(bad.status, 400);
});

test('one call seen three ways (gateway, SDK, OTel span) is one record carrying the SDK context\'s attribution', async () => {
  const traceId = 'c'.repeat(31) + '1';
  const genAiSpan = '1111222233334444';
  const sender = new RecordSender({ url: rt.url, token: rt.adminToken, spoolDir: false });
  // The client goes through the gateway and propagates the span's context, as an HTTP instrumentation would.
  const client = instrument(new OpenAI({ apiKey: 'sk-test', baseURL: `${rt.url}/v1`, maxRetries: 0, defaultHeaders: { traceparent: `00-${traceId}-${genAiSpan}-01`, 'x-costrail-team': 'search' } }), { sink: sender, gatewayUrl: rt.url });
  await withAttribution({ customer: 'acme', feature: 'answer', team: 'ignored-header-wins' }, () => client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'three ways' }] }));
  const span = requestWithAttributes({ 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 5 }, { traceId, spanId: genAiSpan });
  const sent = await fetch(`${rt.url}/v1/traces`, { method: 'POST', headers: admin(), body: JSON.stringify(span) });
  assert.equal(sent.status, 200);
  await sent.arrayBuffer();
  await new Promise((r) => setTimeout(r, 100));
  await sender.flush();
  const seen = (await events()).filter((e) => e.trace_id === traceId);
  assert.equal(seen.length, 1);
  assert.equal(seen[0]!.source, 'gateway');
  assert.deepEqual([seen[0]!.attribution.team, seen[0]!.attribution.customer, seen[0]!.attribution.feature], ['search', 'acme', 'answer']);
  assert.equal(sender.stats().sent + sender.stats().queued, 0, 'the SDK added no record');
});
