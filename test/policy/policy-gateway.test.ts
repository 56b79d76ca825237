/**
 * Policy through the gateway and the official SDKs: refusals surface as each SDK's normal API
 * error (OpenAI and Anthropic RateLimitError, a short Retry-After only on rate limits, Gemini ApiError), kill switches and
 * allow-lists refuse with 403, downgrades keep model_requested, trace guards stop a looping agent,
 * background calls pause early, thresholds fire once, and a budget created mid-period counts the
 * spend already in the ledger.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { ApiError, GoogleGenAI } from '@google/genai';
import { MAX_RETRY_AFTER_SECONDS } from '../../src/gateway/error-format.js';
import { Decimal } from '../../src/pricing/decimal.js';
import { picoToUsd, toPico } from '../../src/policy/money-units.js';
import type { ThresholdEvent } from '../../src/policy/policy-service.js';
import { CHAT, startRig, type Rig } from './policy-test-kit.js';

let rig: Rig;
let oneCall: bigint;
before(async () => {
  rig = await startRig();
  const r = await rig.chat(CHAT, { 'x-costrail-team': 'probe' });
  oneCall = toPico(r.headers['x-costrail-cost'] as string);
});
after(async () => {
  await rig.close();
});

const openai = (team: string, extra: Record<string, string> = {}) => new OpenAI({ apiKey: 'sk-test', baseURL: `${rig.rt.url}/v1`, maxRetries: 0, defaultHeaders: { 'x-costrail-team': team, ...extra } });
const ask = (team: string, model = 'gpt-4o-mini', extra: Record<string, string> = {}) => openai(team, extra).chat.completions.create({ model, max_tokens: 100, messages: [{ role: 'user', content: 'Summarise the quarterly AI spend for the finance team.' }] });

async function recordsOf(team: string) {
  return (await rig.records()).filter((r) => r.attribution.team === team);
}

describe('refusals through the official SDKs', () => {
  it('OpenAI: rate limit -> RateLimitError with Retry-After, type rate_limited, one blocked record', async () => {
    assert.equal((await rig.api('POST', '/api/rate-limits', { scope: { team: 'rl' }, rpm: 1 })).status, 201);
    await ask('rl');
    const err = await ask('rl').then(
      () => assert.fail('second call in the minute must be refused'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof OpenAI.RateLimitError, String(err));
    assert.equal(err.status, 429);
    // A short wait (until the minute turns) is offered as Retry-After; a longer one says "do not retry".
    const retryAfter = err.headers?.get('retry-after');
    if (retryAfter) assert.ok(Number(retryAfter) >= 1 && Number(retryAfter) <= MAX_RETRY_AFTER_SECONDS);
    else assert.equal(err.headers?.get('x-should-retry'), 'false');
    assert.equal((err.error as { type?: string }).type, 'rate_limited');
    const recs = await recordsOf('rl');
    assert.deepEqual(recs.map((r) => r.status).sort(), ['blocked', 'ok']);
    assert.equal(recs.find((r) => r.status === 'blocked')?.error?.type, 'rate_limited');
  });

  it('Anthropic: exhausted budget -> RateLimitError, type budget_exceeded naming the scope', async () => {
    await rig.api('POST', '/api/budgets', { name: 'anthropic team', scope: { team: 'anth' }, period: 'day', limit_usd: '0.000001' });
    const client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: rig.rt.url, maxRetries: 0, defaultHeaders: { 'x-costrail-team': 'anth' } });
    const err = await client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'hello' }] }).then(
      () => assert.fail('must be refused'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof Anthropic.RateLimitError, String(err));
    assert.equal(err.headers?.get('x-should-retry'), 'false', 'a budget refusal is not retryable');
    assert.equal(err.headers?.get('retry-after'), null);
    const body = err.error as { error?: { type?: string; scope?: Record<string, string> } };
    assert.equal(body.error?.type, 'budget_exceeded');
    assert.deepEqual(body.error?.scope, { team: 'anth' });
  });

  it('Gemini: exhausted budget -> ApiError 429 RESOURCE_EXHAUSTED', async () => {
    await rig.api('POST', '/api/budgets', { name: 'gemini team', scope: { team: 'gem' }, period: 'day', limit_usd: '0.000001' });
    const ai = new GoogleGenAI({ apiKey: 'g-test', httpOptions: { baseUrl: rig.rt.url, headers: { 'x-costrail-team': 'gem' } } });
    const err = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'hello', config: { maxOutputTokens: 50 } }).then(
      () => assert.fail('must be refused'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ApiError, String(err));
    assert.equal(err.status, 429);
    assert.match(err.message, /RESOURCE_EXHAUSTED|budget/);
  });

  it('kill switch: 403 kill_switch at once, lifted by DELETE', async () => {
    const set = await rig.api<{ id: string }>('POST', '/api/kill-switches', { scope: { team: 'ks' }, reason: 'runaway loop in the agent' });
    assert.equal(set.status, 201);
    const err = await ask('ks').then(
      () => assert.fail('must be refused'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof OpenAI.PermissionDeniedError, String(err));
    assert.equal((err.error as { type?: string }).type, 'kill_switch');
    assert.match(err.message, /runaway loop/);
    assert.equal((await rig.api('DELETE', `/api/kill-switches/${set.body.id}`)).status, 200);
    await ask('ks');
    const recs = await recordsOf('ks');
    assert.equal(recs.find((r) => r.status === 'blocked')?.error?.type, 'kill_switch');
  });

  it('allow-list: 403 model_not_allowed outside the list, prefixes allowed', async () => {
    await rig.api('POST', '/api/allow-lists', { scope: { team: 'al' }, models: ['gpt-4o-mini*'] });
    await ask('al', 'gpt-4o-mini');
    const err = await ask('al', 'gpt-4o').then(
      () => assert.fail('must be refused'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof OpenAI.PermissionDeniedError);
    assert.equal((err.error as { type?: string }).type, 'model_not_allowed');
  });
});

describe('budget actions', () => {
  it('downgrade: the cheaper model serves the call; the record keeps model_requested', async () => {
    await rig.api('POST', '/api/budgets', { name: 'dg', scope: { team: 'dg' }, period: 'day', limit_usd: '0.000001', action: 'downgrade', downgrade_to: 'gpt-4o-mini' });
    const res = await ask('dg', 'gpt-4o');
    assert.match(res.model, /^gpt-4o-mini/);
    const [rec] = await recordsOf('dg');
    assert.equal(rec?.status, 'ok');
    assert.equal(rec?.model_requested, 'gpt-4o');
    assert.match(rec?.model ?? '', /^gpt-4o-mini/);
    const b = (await rig.api<{ budgets: { scope: Record<string, string>; spent: string }[] }>('GET', '/api/budgets')).body.budgets.find((x) => x.scope['team'] === 'dg');
    assert.equal(b?.spent, rec?.cost?.total, 'the downgraded call still counts');
  });

  it('notify: never refuses, still counts', async () => {
    await rig.api('POST', '/api/budgets', { id: 'nt', name: 'nt', scope: { team: 'nt' }, period: 'day', limit_usd: '0.000001', action: 'notify' });
    await ask('nt');
    await ask('nt');
    const b = (await rig.api<{ spent: string; thresholds_crossed: number[] }>('GET', '/api/budgets/nt')).body;
    const recs = await recordsOf('nt');
    assert.equal(b.spent, recs.reduce((a, r) => a.add(Decimal.parse(r.cost?.total ?? '0')), Decimal.ZERO).toString());
    assert.deepEqual(b.thresholds_crossed, [0.5, 0.8, 1]);
  });

  it('background priority pauses at its lower threshold while normal calls go on', async () => {
    await rig.api('POST', '/api/budgets', { name: 'bg', scope: { team: 'bg' }, period: 'day', limit_usd: picoToUsd(oneCall * 10n), background_pause_at: 0.05 });
    const err = await ask('bg', 'gpt-4o-mini', { 'x-costrail-priority': 'background' }).then(
      () => assert.fail('background must pause'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof OpenAI.RateLimitError);
    assert.match(err.message, /background/);
    await ask('bg', 'gpt-4o-mini', { 'x-costrail-priority': 'critical' });
  });

  it('runaway guard: a trace is stopped after max_calls', async () => {
    await rig.api('POST', '/api/trace-guards', { scope: { team: 'tg' }, max_calls: 3 });
    const h = { 'x-costrail-trace-id': 'agent-run-42' };
    for (let i = 0; i < 3; i++) await ask('tg', 'gpt-4o-mini', h);
    const err = await ask('tg', 'gpt-4o-mini', h).then(
      () => assert.fail('4th call of the trace must be refused'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof OpenAI.RateLimitError);
    assert.deepEqual((err.error as { scope?: unknown }).scope, { trace_id: 'agent-run-42' });
    await ask('tg', 'gpt-4o-mini', { 'x-costrail-trace-id': 'another-run' });
  });

  it('threshold events fire once per threshold, through onThreshold', async () => {
    const events: ThresholdEvent[] = [];
    const off = rig.rt.context.policy.onThreshold((e) => events.push(e));
    await rig.api('POST', '/api/budgets', { id: 'th', name: 'th', scope: { team: 'th' }, period: 'day', limit_usd: picoToUsd((oneCall * 5n) / 2n), thresholds: [0.3, 0.6], action: 'notify' });
    for (let i = 0; i < 3; i++) await ask('th');
    await new Promise((r) => setTimeout(r, 50));
    off();
    assert.deepEqual(
      events.map((e) => [e.budget_id, e.threshold]),
      [
        ['th', 0.3],
        ['th', 0.6],
      ],
    );
    assert.ok(events[0]?.resets_at);
  });

  it('a budget created mid-period counts the spend already in the ledger', async () => {
    for (let i = 0; i < 3; i++) await ask('mid');
    const prior = (await recordsOf('mid')).reduce((a, r) => a.add(Decimal.parse(r.cost?.total ?? '0')), Decimal.ZERO);
    const b = await rig.api<{ spent: string }>('POST', '/api/budgets', { name: 'mid', scope: { team: 'mid' }, period: 'month', timezone: 'Europe/Berlin', limit_usd: '10' });
    assert.equal(b.body.spent, prior.toString());
    assert.ok(!prior.isZero());
  });
});
