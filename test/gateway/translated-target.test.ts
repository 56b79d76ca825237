/**
 * The gateway's cross-shape plumbing, independent of the real translators: this test registers a
 * deliberately minimal chat.completions -> messages translator of its own (text only) and checks
 * what the gateway does around any translator: the request goes to the target's path with the
 * client's key in the target's header, the record is the target provider's (metered from its
 * response), the client gets the translator's body, stream and error, and a fallback crosses shapes.
 * The real translators' behaviour is tested in test/gateway/cross-provider-fallback.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import OpenAI from 'openai';
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import { routingFromConfig } from '../../src/config/routing-config.js';
import { ServeConfigSchema } from '../../src/config/serve-config.js';
import { startCostrail } from '../../src/server/costrail-runtime.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { registerShapeTranslator, type ShapeTranslator } from '../../src/translation/shape-translator.js';
import { tempDir } from '../helpers/temp-dir.js';
import { rigFor, type Rig } from '../policy/policy-test-kit.js';

type Rec = Record<string, unknown>;
const enc = new TextEncoder();
const chunk = (model: string, delta: Rec, finish: string | null = null) => `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 0, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;

/** Text-only, for this test: a stand-in for the real translator, never registered outside this process. */
const toyTranslator: ShapeTranslator = {
  from: 'chat.completions',
  to: 'messages',
  request: (body, model, stream) => ({ path: '/v1/messages', body: { model, max_tokens: body['max_tokens'] ?? 256, messages: body['messages'], ...(stream ? { stream: true } : {}) } }),
  response: (body, clientModel) => {
    const text = ((body['content'] as Rec[] | undefined) ?? []).map((b) => String(b['text'] ?? '')).join('');
    const u = body['usage'] as { input_tokens: number; output_tokens: number };
    return { id: body['id'], object: 'chat.completion', created: 0, model: clientModel, choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null }, finish_reason: 'stop', logprobs: null }], usage: { prompt_tokens: u.input_tokens, completion_tokens: u.output_tokens, total_tokens: u.input_tokens + u.output_tokens } };
  },
  stream: (clientModel) => {
    let buf = '';
    const dec = new TextDecoder();
    return {
      push(bytes) {
        buf += dec.decode(bytes, { stream: true });
        let out = '';
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const event = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const data = /^data: (.*)$/m.exec(event)?.[1];
          if (!data) continue;
          const e = JSON.parse(data) as Rec;
          if (e['type'] === 'message_start') out += chunk(clientModel, { role: 'assistant', content: '' });
          if (e['type'] === 'content_block_delta') out += chunk(clientModel, { content: (e['delta'] as Rec)['text'] });
          if (e['type'] === 'message_stop') out += chunk(clientModel, {}, 'stop');
        }
        return enc.encode(out);
      },
      end: () => enc.encode('data: [DONE]\n\n'),
    };
  },
  error: (status) => enc.encode(JSON.stringify({ error: { message: `translated upstream ${status}`, type: 'server_error', param: null, code: null } })),
};

let rig: Rig;
let sim: Simulator;
let n = 0;
let current = '';

before(async () => {
  // Replaces the real translator (if merged) in this test process only: the assertions are about the gateway around it.
  registerShapeTranslator(toyTranslator);
  sim = await startSimulator();
  const setup = routingFromConfig(ServeConfigSchema.parse({ providers: { openai: { base_url: `${sim.url}/v1` }, anthropic: { base_url: sim.url } } }), {});
  const rt = await startCostrail({ port: 0, dataDir: tempDir('costrail-xplumb-'), quiet: true, routing: setup });
  rig = rigFor(rt.url, rt.adminToken, sim, rt, false);
});
after(async () => {
  await rig.close();
  await sim.close();
});
beforeEach(() => {
  current = `xplumb-${++n}`;
  sim.clearRequests();
});

async function setRouting(routing: unknown): Promise<void> {
  const r = await rig.api('PUT', '/api/routing/rules', routing);
  assert.equal(r.status, 200, JSON.stringify(r.body));
}
async function records(): Promise<LedgerRecord[]> {
  return (await rig.records()).filter((r) => r.attribution.feature === current).sort((a, b) => a.started_at.localeCompare(b.started_at) || (a.attempt_of ? 1 : 0) - (b.attempt_of ? 1 : 0));
}
const openai = () => new OpenAI({ apiKey: 'sk-client-own', baseURL: `${rig.rt.url}/v1`, maxRetries: 0, defaultHeaders: { 'x-costrail-feature': current } });
const rule = () => ({ rules: [{ id: 'to-claude', match: { feature: current }, target: { provider: 'anthropic', model: 'claude-haiku-4-5', api: 'messages' } }] });

describe('a call sent across API shapes', () => {
  it('plain: target path, the key in the target header, the answer through the translator, the record the target provider’s', async () => {
    await setRouting(rule());
    const { data, response } = await openai().chat.completions.create({ model: 'gpt-4o', max_tokens: 30, messages: [{ role: 'user', content: 'hello' }] }).withResponse();
    assert.equal(data.object, 'chat.completion');
    assert.equal(data.model, 'gpt-4o');
    assert.ok(data.choices[0]?.message.content);
    const sent = sim.lastRequests().find((q) => q.path === '/v1/messages');
    assert.equal(sent?.headers['x-api-key'], 'sk-client-own');
    assert.equal(sent?.headers.authorization, undefined);
    assert.equal(sent?.headers['anthropic-version'], '2023-06-01');
    const [r, ...rest] = await records();
    assert.equal(rest.length, 0);
    assert.deepEqual([r?.provider, r?.api, r?.model_requested, r?.status, r?.usage_source, r?.priced], ['anthropic', 'messages', 'gpt-4o', 'ok', 'provider', true]);
    assert.equal(r?.usage?.output_tokens, data.usage?.completion_tokens);
    assert.equal(response.headers.get('x-costrail-cost'), r?.cost?.total);
  });

  it('streamed: the client reads its own shape, usage is metered from the target stream', async () => {
    await setRouting(rule());
    const stream = await openai().chat.completions.create({ model: 'gpt-4o', max_tokens: 30, stream: true, messages: [{ role: 'user', content: 'hello' }] });
    let text = '';
    for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
    assert.ok(text.length > 0);
    const [r] = await records();
    assert.deepEqual([r?.provider, r?.status, r?.stream, r?.usage_source], ['anthropic', 'ok', true, 'provider']);
    assert.ok((r?.usage?.output_tokens ?? 0) > 0);
  });

  it('an upstream error comes back through the translator, in the client format', async () => {
    await setRouting(rule());
    await assert.rejects(openai().chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hello' }] }, { headers: { 'x-sim-status': '400' } }), (e: unknown) => e instanceof OpenAI.BadRequestError && /translated upstream 400/.test(e.message));
    const [r] = await records();
    assert.deepEqual([r?.provider, r?.status, r?.http_status], ['anthropic', 'error', 400]);
  });

  it('a fallback crosses shapes: OpenAI fails, Anthropic answers in OpenAI shape, both attempts recorded', async () => {
    await setRouting({ retry: { max_attempts: 1 }, fallbacks: [{ match: 'gpt-4o-mini', chain: [{ provider: 'anthropic', model: 'claude-haiku-4-5', api: 'messages' }] }] });
    sim.failNext(503, 1, '0');
    const { data, response } = await openai().chat.completions.create({ model: 'gpt-4o-mini', max_tokens: 30, messages: [{ role: 'user', content: 'hello' }] }).withResponse();
    assert.equal(data.object, 'chat.completion');
    const all = await records();
    assert.deepEqual(all.map((r) => [r.provider, r.status]), [['openai', 'error'], ['anthropic', 'ok']]);
    assert.equal(all[1]?.attempt_of, all[0]?.id);
    assert.equal(response.headers.get('x-costrail-provider'), 'anthropic');
  });
});
