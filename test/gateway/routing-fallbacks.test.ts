/**
 * Routing rules, retries and fallbacks through the official SDKs, against two simulated providers
 * (the second a same-shape OpenAI-compatible server named in config, with a key Costrail holds).
 * Each attempt leaves its own ledger record linked by attempt_of; the client sees one answer with
 * the final attempt's request id; rules pick targets by team, budget state, cheapest-capable and
 * a deterministic weighted split. Rules are set through PUT /api/routing/rules.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import { routingFromConfig } from '../../src/config/routing-config.js';
import { ServeConfigSchema } from '../../src/config/serve-config.js';
import { startCostrail } from '../../src/server/costrail-runtime.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { tempDir } from '../helpers/temp-dir.js';
import { rigFor, type Rig } from '../policy/policy-test-kit.js';

const HELD = 'held-backup-key-123';
let rig: Rig;
let primary: Simulator;
let backup: Simulator;
let feature = 0;
/** Each test's calls carry their own feature, so its records are told apart. */
let current = '';

const RETRY = { max_attempts: 3, base_delay_ms: 1, max_delay_ms: 2000, max_total_wait_ms: 8000 };

before(async () => {
  primary = await startSimulator();
  backup = await startSimulator();
  const setup = routingFromConfig(
    ServeConfigSchema.parse({
      providers: {
        openai: { base_url: `${primary.url}/v1` },
        anthropic: { base_url: primary.url },
        gemini: { base_url: primary.url },
        backup: { base_url: `${backup.url}/v1`, kind: 'openai-compatible', api_key_env: 'BACKUP_KEY' },
      },
    }),
    { BACKUP_KEY: HELD },
  );
  const rt = await startCostrail({ port: 0, dataDir: tempDir('costrail-routing-'), quiet: true, routing: setup });
  rig = rigFor(rt.url, rt.adminToken, primary, rt, false);
});
after(async () => {
  await rig.close();
  await primary.close();
  await backup.close();
});
beforeEach(() => {
  current = `routing-${++feature}`;
  primary.clearRequests();
  backup.clearRequests();
});

async function setRouting(routing: unknown): Promise<Record<string, unknown>> {
  const r = await rig.api('PUT', '/api/routing/rules', routing);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

const who = (extra: Record<string, string> = {}) => ({ 'x-costrail-feature': current, ...extra });
const openai = (extra: Record<string, string> = {}) => new OpenAI({ apiKey: 'sk-client-own', baseURL: `${rig.rt.url}/v1`, maxRetries: 0, defaultHeaders: who(extra) });
const ask = (model = 'gpt-4o-mini', extra: Record<string, string> = {}) => openai(extra).chat.completions.create({ model, max_tokens: 50, messages: [{ role: 'user', content: 'Which team spent most on AI this month?' }] }).withResponse();

/** This test's records, oldest first. */
async function records(): Promise<LedgerRecord[]> {
  return (await rig.records()).filter((r) => r.attribution.feature === current).sort((a, b) => a.started_at.localeCompare(b.started_at) || (a.attempt_of ? 1 : 0) - (b.attempt_of ? 1 : 0));
}

describe('retries and fallbacks', () => {
  it('503 then success: two records linked by attempt_of, the client sees one success with the final id', async () => {
    await setRouting({ retry: RETRY });
    primary.failNext(503, 1, '0');
    const { data, response } = await ask();
    assert.ok(data.choices[0]?.message.content);
    const [first, second, ...rest] = await records();
    assert.equal(rest.length, 0);
    assert.ok(first && second);
    assert.equal(first.status, 'error');
    assert.equal(first.http_status, 503);
    assert.equal(first.attempt_of, undefined);
    assert.equal(second.status, 'ok');
    assert.equal(second.attempt_of, first.id);
    assert.equal(second.priced, true);
    assert.equal(response.headers.get('x-costrail-request-id'), second.id);
    assert.equal(response.headers.get('x-costrail-attempts'), '2');
    assert.equal(response.headers.get('x-costrail-provider'), 'openai');
    assert.equal(response.headers.get('x-costrail-cost'), second.cost?.total);
  });

  it('Retry-After: a wait within bounds is honoured before the retry; one beyond max_delay_ms moves on to the fallback at once', async () => {
    await setRouting({ retry: { ...RETRY, max_delay_ms: 1500 }, fallbacks: [{ match: 'gpt-4o*', chain: [{ provider: 'backup', model: 'gpt-4o-mini' }] }] });
    primary.failNext(429, 1, '1');
    await ask();
    const [a, b] = await records();
    assert.ok(a && b);
    assert.equal(a.http_status, 429);
    assert.equal(b.provider, 'openai');
    assert.equal(b.attempt_of, a.id);
    // The retry left after the failed attempt was recorded, not before.
    const [r1, r2] = primary.lastRequests();
    assert.ok(r1 && r2 && r2.at >= r1.at && b.started_at >= (a.ended_at as string));

    current = `routing-${++feature}`;
    primary.failNext(429, 1, '30');
    const { response } = await ask();
    const [c, d, ...more] = await records();
    assert.equal(more.length, 0, 'no second attempt on the provider that asked for 30 s');
    assert.ok(c && d);
    assert.equal(c.provider, 'openai');
    assert.equal(d.provider, 'backup');
    assert.equal(d.attempt_of, c.id);
    assert.equal(response.headers.get('x-costrail-provider'), 'backup');
  });

  it('retries exhausted: falls back to a second same-shape provider with its held key; every attempt recorded', async () => {
    await setRouting({ retry: RETRY, fallbacks: [{ match: 'gpt-4o-mini', provider: 'openai', chain: [{ provider: 'backup', model: 'gpt-4o-mini' }] }] });
    primary.failNext(503, 3, '0');
    const { data, response } = await ask();
    assert.ok(data.choices[0]?.message.content);
    const all = await records();
    assert.deepEqual(all.map((r) => [r.provider, r.status, r.http_status]), [['openai', 'error', 503], ['openai', 'error', 503], ['openai', 'error', 503], ['backup', 'ok', 200]]);
    const first = all[0] as LedgerRecord;
    for (const r of all.slice(1)) assert.equal(r.attempt_of, first.id);
    assert.equal(response.headers.get('x-costrail-request-id'), all[3]?.id);
    assert.equal(response.headers.get('x-costrail-attempts'), '4');
    // The held key went only to its own provider; the client's own key only to OpenAI.
    assert.ok(backup.lastRequests().every((r) => r.headers.authorization === `Bearer ${HELD}`));
    assert.ok(primary.lastRequests().every((r) => r.headers.authorization === 'Bearer sk-client-own'));
  });

  it('the fallback target is admitted on its own: a kill switch on it refuses that attempt (recorded blocked)', async () => {
    await setRouting({ retry: { ...RETRY, max_attempts: 1 }, fallbacks: [{ match: 'gpt-4o-mini', chain: [{ provider: 'backup', model: 'gpt-4o-mini' }] }] });
    const ks = await rig.api('POST', '/api/kill-switches', { scope: { provider: 'backup', feature: current }, reason: 'backup paused' });
    assert.equal(ks.status, 201, JSON.stringify(ks.body));
    try {
      primary.failNext(503, 1, '0');
      await assert.rejects(ask(), (e: unknown) => e instanceof OpenAI.PermissionDeniedError);
      const all = await records();
      assert.deepEqual(all.map((r) => [r.provider, r.status]), [['openai', 'error'], ['backup', 'blocked']]);
      assert.equal(all[1]?.error?.type, 'kill_switch');
    } finally {
      await rig.api('DELETE', `/api/kill-switches/${(ks.body as { id: string }).id}`);
    }
  });

  it('streams: a 503 before the stream is retried; a stream cut after it started is never retried', async () => {
    await setRouting({ retry: RETRY });
    primary.failNext(503, 1, '0');
    const stream = await openai().chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'stream please' }] });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    assert.ok(text.length > 0);
    const retried = await records();
    assert.deepEqual(retried.map((r) => [r.status, r.stream]), [['error', true], ['ok', true]]);

    current = `routing-${++feature}`;
    const cut = await openai({ 'x-sim-fail-after-chunks': '2' }).chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'stream please' }] });
    try {
      for await (const chunk of cut) void chunk;
    } catch {
      /* the SDK may or may not raise on a cut stream; what matters is the ledger */
    }
    const once = await records();
    assert.equal(once.length, 1, 'a stream that started is not retried');
    assert.equal(once[0]?.status, 'error');
  });
});

describe('routing rules', () => {
  it('by team: team search is sent to a cheaper model (OpenAI, Anthropic and Gemini SDKs); other teams are untouched', async () => {
    await setRouting({
      rules: [
        { id: 'search-chat', match: { team: 'search', model: 'gpt-4o' }, target: { provider: 'openai', model: 'gpt-4o-mini' } },
        { id: 'search-claude', match: { team: 'search', model: 'claude-sonnet-*' }, target: { provider: 'anthropic', model: 'claude-haiku-4-5' } },
        { id: 'search-gemini', match: { team: 'search', model: 'gemini-2.5-pro' }, target: { provider: 'gemini', model: 'gemini-2.5-flash' } },
      ],
    });
    const { response } = await ask('gpt-4o', { 'x-costrail-team': 'search' });
    await ask('gpt-4o', { 'x-costrail-team': 'ads' });
    const anthropic = new Anthropic({ apiKey: 'sk-ant-own', baseURL: rig.rt.url, maxRetries: 0, defaultHeaders: who({ 'x-costrail-team': 'search' }) });
    await anthropic.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] });
    const gemini = new GoogleGenAI({ apiKey: 'g-own', httpOptions: { baseUrl: rig.rt.url, headers: who({ 'x-costrail-team': 'search' }) } });
    await gemini.models.generateContent({ model: 'gemini-2.5-pro', contents: 'hi' });
    const all = await records();
    const search = all.filter((r) => r.attribution.team === 'search');
    const ads = all.find((r) => r.attribution.team === 'ads');
    assert.deepEqual(search.map((r) => [r.provider, r.model_requested, r.tags['costrail_route_rule']]), [
      ['openai', 'gpt-4o', 'search-chat'],
      ['anthropic', 'claude-sonnet-4-6', 'search-claude'],
      ['gemini', 'gemini-2.5-pro', 'search-gemini'],
    ]);
    assert.deepEqual(search.map((r) => /^(gpt-4o-mini|claude-haiku-4-5|gemini-2\.5-flash)/.exec(r.model ?? '')?.[1]), ['gpt-4o-mini', 'claude-haiku-4-5', 'gemini-2.5-flash']);
    assert.ok(search.every((r) => r.status === 'ok' && r.priced));
    assert.equal(ads?.model, 'gpt-4o');
    assert.equal(ads?.tags['costrail_route_rule'], undefined);
    assert.equal(response.headers.get('x-costrail-provider'), 'openai');
    assert.ok(primary.lastRequests().some((r) => r.path === '/v1beta/models/gemini-2.5-flash:generateContent'));
  });

  it('cheapest_capable picks the cheapest pool model that meets the needs, from the price book', async () => {
    const view = await setRouting({
      pools: {
        general: { models: ['openai/gpt-4o', 'openai/gpt-4o-mini', 'openai/gpt-3.5-turbo', 'openai/gpt-4.1-nano'] },
        legacy: { models: ['openai/gpt-4o', 'openai/gpt-3.5-turbo'] },
      },
      rules: [
        // gpt-4.1-nano: $0.10/$0.40 per M, 1M context, vision; cheaper than gpt-4o-mini ($0.15/$0.60).
        { id: 'vision-long', match: { feature: current, team: 'vision' }, cheapest_capable: { pool: 'general', requires: { context_tokens: 100000, vision: true, tools: true } } },
        // gpt-3.5-turbo is cheaper but has no vision: gpt-4o is the only capable one.
        { id: 'legacy-vision', match: { feature: current, team: 'legacy' }, cheapest_capable: { pool: 'legacy', requires: { vision: true } } },
        { id: 'legacy-any', match: { feature: current, team: 'plain' }, cheapest_capable: { pool: 'legacy' } },
      ],
    });
    const explained = view['cheapest_capable'] as { rule: string; chosen: { model: string } | null }[];
    assert.deepEqual(explained.map((e) => [e.rule, e.chosen?.model]), [['vision-long', 'gpt-4.1-nano'], ['legacy-vision', 'gpt-4o'], ['legacy-any', 'gpt-3.5-turbo']]);
    await ask('gpt-4o', { 'x-costrail-team': 'vision' });
    await ask('gpt-4o-mini', { 'x-costrail-team': 'legacy' });
    await ask('gpt-4o', { 'x-costrail-team': 'plain' });
    const all = await records();
    assert.deepEqual(all.map((r) => [r.attribution.team, r.model]), [['vision', 'gpt-4.1-nano'], ['legacy', 'gpt-4o'], ['plain', 'gpt-3.5-turbo']]);
  });

  it('a weighted split keeps each trace on one arm, deterministically, and records the arm', async () => {
    await setRouting({ rules: [{ id: 'ab', match: { feature: current }, split: [{ arm: 'control', weight: 1, provider: 'openai', model: 'gpt-4o' }, { arm: 'mini', weight: 1, provider: 'openai', model: 'gpt-4o-mini' }] }] });
    for (let t = 0; t < 12; t++) for (let i = 0; i < 2; i++) await ask('gpt-4o', { 'x-costrail-trace-id': `trace-${t}` });
    const all = await records();
    const byTrace = new Map<string, Set<string>>();
    for (const r of all) {
      const arm = r.tags['costrail_route_arm'] as string;
      assert.equal(r.model, arm === 'control' ? 'gpt-4o' : 'gpt-4o-mini');
      byTrace.set(r.trace_id as string, (byTrace.get(r.trace_id as string) ?? new Set()).add(arm));
    }
    assert.equal(byTrace.size, 12);
    for (const arms of byTrace.values()) assert.equal(arms.size, 1, 'a trace stays on one arm');
    const arms = new Set(all.map((r) => r.tags['costrail_route_arm']));
    assert.deepEqual([...arms].sort(), ['control', 'mini'], 'both arms get traffic');
  });

  it('budget state: once team X passes 80% of its budget, gpt-4o goes to gpt-4o-mini', async () => {
    const team = `budget-${current}`;
    const b = await rig.api('POST', '/api/budgets', { name: `${team}-monthly`, scope: { team }, period: 'month', limit_usd: '0.0005', action: 'notify', thresholds: [0.8, 1] });
    assert.equal(b.status, 201, JSON.stringify(b.body));
    await setRouting({ rules: [{ id: 'over-80', match: { model: 'gpt-4o', budget: { name: `${team}-monthly`, used_at_least: 0.8 } }, target: { provider: 'openai', model: 'gpt-4o-mini' } }] });
    await ask('gpt-4o', { 'x-costrail-team': team });
    await ask('gpt-4o', { 'x-costrail-team': team });
    const [before80, after80] = await records();
    assert.equal(before80?.model, 'gpt-4o');
    assert.ok(before80?.cost && Number(before80.cost.total) >= 0.0004, 'the first call alone passes 80% of the limit');
    assert.equal(after80?.model_requested, 'gpt-4o');
    assert.equal(after80?.model, 'gpt-4o-mini');
    assert.equal(after80?.tags['costrail_route_rule'], 'over-80');
  });

  it('PUT refuses a bad rule set with its key and changes nothing; GET needs the admin token', async () => {
    await setRouting({ rules: [{ id: 'keep', match: { team: 'x' }, target: { provider: 'openai', model: 'gpt-4o-mini' } }] });
    const bad = await rig.api('PUT', '/api/routing/rules', { rules: [{ id: 'bad', target: { provider: 'nosuch', model: 'm' } }] });
    assert.equal(bad.status, 400);
    assert.match((bad.body as { error: { message: string } }).error.message, /routing\.rules\[0\] \(bad\)\.target\.provider: "nosuch"/);
    const two = await rig.api('PUT', '/api/routing/rules', { rules: [{ id: 'both', target: { provider: 'openai', model: 'a' }, split: [{ arm: 'a', weight: 1, provider: 'openai', model: 'b' }] }] });
    assert.equal(two.status, 400);
    const got = await rig.api<{ routing: { rules: { id: string }[] }; source: string }>('GET', '/api/routing/rules');
    assert.deepEqual(got.body.routing.rules.map((r) => r.id), ['keep']);
    assert.equal(got.body.source, 'api');
    const anon = await fetch(`${rig.rt.url}/api/routing/rules`);
    assert.equal(anon.status, 401);
  });
});
