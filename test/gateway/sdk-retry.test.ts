/**
 * The official SDKs, with their default retry settings, against Costrail's refusals. A budget or a
 * kill switch cannot be lifted by waiting a few seconds, so each SDK call must send exactly one
 * request and leave exactly one blocked record; a rate limit that lifts within seconds is retried
 * the way the SDK normally retries. Requests are counted by a fetch wrapper handed to each SDK
 * (the SDKs' documented `fetch` option), so nothing here depends on timing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { ApiError, GoogleGenAI } from '@google/genai';
import { MAX_RETRY_AFTER_SECONDS, retryHeaders } from '../../src/gateway/error-format.js';
import { startRig, type Rig } from '../policy/policy-test-kit.js';

// Mid-day, mid-month, 10 s into a minute: every budget period is hours away from its reset.
const MIDDAY = Date.parse('2026-11-17T12:00:10.000Z');
let now = MIDDAY;
let rig: Rig;

before(async () => {
  rig = await startRig({ clock: () => now });
});
after(async () => {
  await rig.close();
});

/** A fetch that counts the requests an SDK sends; `onResponse` may move the policy clock. */
function countingFetch(onResponse: (r: Response) => void = () => {}) {
  const counter = {
    requests: 0,
    fetch: async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      counter.requests++;
      const r = await fetch(input, init);
      onResponse(r);
      return r;
    },
  };
  return counter;
}

// A safety net, not a timing assertion: an SDK that sleeps through Retry-After (the bug) fails here instead of hanging the run.
const HANGS = { timeout: 30_000 };

const PROMPT = 'Summarise the quarterly AI spend for the finance team.';

async function blockedOf(team: string) {
  return (await rig.records()).filter((r) => r.attribution.team === team && r.status === 'blocked');
}

async function refused<T>(p: Promise<T>): Promise<unknown> {
  return p.then(
    () => assert.fail('the call must be refused'),
    (e: unknown) => e,
  );
}

describe('refusals that waiting cannot lift return at once', () => {
  it('OpenAI SDK: daily budget -> one request, one blocked record, x-should-retry: false, no Retry-After', HANGS, async () => {
    await rig.api('POST', '/api/budgets', { name: 'oa daily', scope: { team: 'oa-budget' }, period: 'day', limit_usd: '0.000001' });
    const c = countingFetch();
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: `${rig.rt.url}/v1`, fetch: c.fetch, defaultHeaders: { 'x-costrail-team': 'oa-budget' } });
    const err = await refused(client.chat.completions.create({ model: 'gpt-4o-mini', max_tokens: 50, messages: [{ role: 'user', content: PROMPT }] }));
    assert.ok(err instanceof OpenAI.RateLimitError, String(err));
    assert.equal(err.headers?.get('x-should-retry'), 'false');
    assert.equal(err.headers?.get('retry-after'), null);
    assert.equal(c.requests, 1);
    assert.equal((await blockedOf('oa-budget')).length, 1);
  });

  it('Anthropic SDK: monthly budget (a reset beyond Node timers) -> one request, one blocked record', HANGS, async () => {
    await rig.api('POST', '/api/budgets', { name: 'an monthly', scope: { team: 'an-budget' }, period: 'month', limit_usd: '0.000001' });
    const c = countingFetch();
    const client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: rig.rt.url, fetch: c.fetch, defaultHeaders: { 'x-costrail-team': 'an-budget' } });
    const err = await refused(client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 50, messages: [{ role: 'user', content: PROMPT }] }));
    assert.ok(err instanceof Anthropic.RateLimitError, String(err));
    assert.equal(c.requests, 1);
    assert.equal((await blockedOf('an-budget')).length, 1);
  });

  it('Gemini SDK: budget -> one request, one blocked record', HANGS, async () => {
    await rig.api('POST', '/api/budgets', { name: 'gm daily', scope: { team: 'gm-budget' }, period: 'day', limit_usd: '0.000001' });
    const c = countingFetch();
    const ai = new GoogleGenAI({ apiKey: 'g-test', httpOptions: { baseUrl: rig.rt.url, headers: { 'x-costrail-team': 'gm-budget' }, fetch: c.fetch } });
    const err = await refused(ai.models.generateContent({ model: 'gemini-2.5-flash', contents: PROMPT, config: { maxOutputTokens: 50 } }));
    assert.ok(err instanceof ApiError, String(err));
    assert.equal(err.status, 429);
    assert.equal(c.requests, 1);
    assert.equal((await blockedOf('gm-budget')).length, 1);
  });

  it('kill switch: OpenAI and Anthropic SDKs send one request each, one blocked record each', HANGS, async () => {
    await rig.api('POST', '/api/kill-switches', { scope: { team: 'ks' }, reason: 'runaway agent' });
    const oc = countingFetch();
    const oa = new OpenAI({ apiKey: 'sk-test', baseURL: `${rig.rt.url}/v1`, fetch: oc.fetch, defaultHeaders: { 'x-costrail-team': 'ks' } });
    const e1 = await refused(oa.chat.completions.create({ model: 'gpt-4o-mini', max_tokens: 50, messages: [{ role: 'user', content: PROMPT }] }));
    assert.ok(e1 instanceof OpenAI.PermissionDeniedError, String(e1));
    assert.equal(e1.headers?.get('x-should-retry'), 'false');
    const ac = countingFetch();
    const an = new Anthropic({ apiKey: 'sk-ant-test', baseURL: rig.rt.url, fetch: ac.fetch, defaultHeaders: { 'x-costrail-team': 'ks' } });
    const e2 = await refused(an.messages.create({ model: 'claude-haiku-4-5', max_tokens: 50, messages: [{ role: 'user', content: PROMPT }] }));
    assert.ok(e2 instanceof Anthropic.PermissionDeniedError, String(e2));
    assert.deepEqual([oc.requests, ac.requests], [1, 1]);
    assert.equal((await blockedOf('ks')).length, 2);
  });
});

describe('a short rate limit is retried as the SDK normally does', () => {
  it('OpenAI SDK: Retry-After 1 s, the retry lands in the next minute and succeeds', HANGS, async () => {
    now = Date.parse('2026-11-17T12:00:59.500Z'); // half a second before the minute turns
    try {
      await rig.api('POST', '/api/rate-limits', { scope: { team: 'rl' }, rpm: 1 });
      const warm = countingFetch();
      const client = (f: typeof warm.fetch) => new OpenAI({ apiKey: 'sk-test', baseURL: `${rig.rt.url}/v1`, fetch: f, defaultHeaders: { 'x-costrail-team': 'rl' } });
      await client(warm.fetch).chat.completions.create({ model: 'gpt-4o-mini', max_tokens: 50, messages: [{ role: 'user', content: PROMPT }] });
      let retryAfter: string | null = null;
      // The policy clock moves to the next minute once the refusal is on its way back: the SDK's retry is admitted.
      const c = countingFetch((r) => {
        if (r.status === 429) {
          retryAfter = r.headers.get('retry-after');
          now = Date.parse('2026-11-17T12:01:00.500Z');
        }
      });
      const res = await client(c.fetch).chat.completions.create({ model: 'gpt-4o-mini', max_tokens: 50, messages: [{ role: 'user', content: PROMPT }] });
      assert.ok(res.id);
      assert.equal(retryAfter, '1');
      assert.equal(c.requests, 2, 'one refused request, one retry');
      const recs = (await rig.records()).filter((r) => r.attribution.team === 'rl');
      assert.deepEqual(recs.map((r) => r.status).sort(), ['blocked', 'ok', 'ok']);
    } finally {
      now = MIDDAY;
    }
  });
});

describe('retry headers', () => {
  it('rate limits keep a short Retry-After; longer waits and budgets say do not retry', () => {
    assert.deepEqual(retryHeaders({ status: 429, type: 'rate_limited', message: '', retryAfterSeconds: 3 }), { 'retry-after': '3' });
    assert.deepEqual(retryHeaders({ status: 429, type: 'rate_limited', message: '', retryAfterSeconds: MAX_RETRY_AFTER_SECONDS + 1 }), { 'x-should-retry': 'false' });
    assert.deepEqual(retryHeaders({ status: 429, type: 'budget_exceeded', message: '', retryAfterSeconds: 1 }), { 'x-should-retry': 'false' });
    assert.deepEqual(retryHeaders({ status: 403, type: 'kill_switch', message: '' }), { 'x-should-retry': 'false' });
    assert.deepEqual(retryHeaders({ status: 503, type: 'policy_unavailable', message: '', retryAfterSeconds: 1 }), { 'retry-after': '1' });
    assert.deepEqual(retryHeaders({ status: 502, type: 'upstream_unreachable', message: '' }), {}, "the SDK's own rules for upstream failures");
  });
});
