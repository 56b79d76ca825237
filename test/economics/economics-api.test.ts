/**
 * The economics API through HTTP: outcomes in (batch limits, validation, idempotency, team scope),
 * revenue in, and the unit-economics, margin and compare read-outs with exact figures.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import type { Principal } from '../../src/http/principal.js';
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import { startCostrail, type CostrailRuntime } from '../../src/server/costrail-runtime.js';
import type { OutcomeRecord } from '../../src/store/economics-types.js';
import { makeRecord } from '../store/ledger-fixtures.js';
import { ECONOMICS_CALLS, ECONOMICS_OUTCOMES } from '../store/store-economics.case.js';
import { tempDir } from '../helpers/temp-dir.js';
import { ComparisonSchema, MarginSchema, UnitEconomicsSchema } from '../../src/economics/economics-api-schemas.js';
import type { ZodType } from 'zod';

/** A body matches its documented schema and the schema drops nothing. */
const conforms = (schema: ZodType, json: unknown): void => assert.deepEqual(schema.parse(json), json);

type Json = Record<string, unknown>;

/** The API input shape of a stored outcome (absent fields omitted). */
const asInput = (o: OutcomeRecord): Json => Object.fromEntries(Object.entries({ ...o, call_ids: o.call_ids.length ? o.call_ids : null, attributes: null }).filter(([, v]) => v !== null));

describe('economics API', () => {
  let rt: CostrailRuntime;
  const call = async (method: 'GET' | 'POST', path: string, body?: unknown, token = rt.adminToken): Promise<{ status: number; json: Json }> => {
    const res = await request(rt.url + path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.statusCode, json: (await res.body.json()) as Json };
  };
  const ue = (q: string, token?: string) => call('GET', `/api/economics/unit-economics?from=2026-11-22T00:00:00Z&to=2026-11-23T00:00:00Z&${q}`, undefined, token);

  before(async () => {
    rt = await startCostrail({ port: 0, dataDir: tempDir('costrail-economics-api-'), quiet: true, upstreams: {} });
    rt.context.auth.addSource({
      authenticate: (t): Principal | undefined => (t === 'search-token' ? { kind: 'scoped', token_id: 'tok-search', scope: { team: 'search' } } : t === 'project-token' ? { kind: 'scoped', token_id: 'tok-p', scope: { project: 'x' } } : undefined),
    });
    const gamma: LedgerRecord = { ...makeRecord(90), id: 'gamma-1', started_at: '2026-11-10T00:00:00.000Z', ended_at: null, trace_id: null, cost: { ...makeRecord(90).cost!, total: '3' }, attribution: { ...makeRecord(90).attribution, customer: 'gamma', feature: 'other' } };
    // Another team's call (no customer, before the unit-economics window): scoped reads must not see it.
    const ads: LedgerRecord = { ...makeRecord(91), id: 'ads-1', started_at: '2026-11-10T00:00:00.000Z', ended_at: null, trace_id: 'T-ads', cost: { ...makeRecord(91).cost!, total: '1' }, attribution: { ...makeRecord(91).attribution, team: 'ads', customer: null } };
    await rt.store.insertRecords([...ECONOMICS_CALLS, gamma, ads]);
  });
  after(() => rt.close());

  it('POST /api/outcomes validates the whole batch, refuses it whole, and is idempotent by id', async () => {
    const bad = await call('POST', '/api/outcomes', { outcomes: [asInput(ECONOMICS_OUTCOMES[0]!), { ...asInput(ECONOMICS_OUTCOMES[1]!), sucess: true }] });
    assert.equal(bad.status, 400);
    assert.match(JSON.stringify(bad.json), /sucess/);
    const tooMany = await call('POST', '/api/outcomes', { outcomes: Array.from({ length: 1001 }, (_v, i) => ({ id: `x${i}`, occurred_at: '2026-11-22T00:00:00Z', type: 't', success: true })) });
    assert.equal(tooMany.status, 400);
    assert.match(JSON.stringify(tooMany.json), /1000/);
    for (const value_usd of ['1e13', 'abc']) assert.equal((await call('POST', '/api/outcomes', { outcomes: [{ id: 'v', occurred_at: '2026-11-22T00:00:00Z', type: 't', success: true, value_usd }] })).status, 400);
    // Nothing from the refused batches went in.
    assert.deepEqual((await ue('by=feature')).json.outcomes_without_calls, { outcomes: 0, successful_outcomes: 0 });

    const first = await call('POST', '/api/outcomes', { outcomes: ECONOMICS_OUTCOMES.map(asInput) });
    assert.deepEqual(first, { status: 200, json: { received: 7, inserted: 7, duplicates: 0 } });
    const again = await call('POST', '/api/outcomes', { outcomes: ECONOMICS_OUTCOMES.map(asInput) });
    assert.deepEqual(again.json, { received: 7, inserted: 0, duplicates: 7 });
    const t1 = await call('GET', '/api/outcomes?trace_id=T1');
    assert.deepEqual((t1.json.outcomes as Json[]).map((o) => [o.id, o.type, o.success]), [['O1', 'ticket_resolved', true], ['O2', 'csat', false]]);
    assert.deepEqual((await call('GET', '/api/outcomes?trace_id=T1', undefined, 'search-token')).json, { outcomes: [] }); // none stamped team=search
    assert.equal((await call('GET', '/api/outcomes')).status, 400);
  });

  it('GET /api/economics/unit-economics: exact rows, unlinked cost kept apart, not spread', async () => {
    const { status, json } = await ue('by=feature');
    assert.equal(status, 200);
    conforms(UnitEconomicsSchema, json);
    assert.deepEqual(json.rows, [
      { key: 'search', cost: '1', calls: 2, outcomes: 2, successful_outcomes: 2, success_rate: '1', cost_per_outcome: '0.5', cost_per_successful_outcome: '0.5', unlinked_cost: '0', unlinked_calls: 0, unpriced_calls: 1 },
      // (1 − 0.4 unlinked) / 3 outcomes; / 1 success.
      { key: 'support', cost: '1', calls: 4, outcomes: 3, successful_outcomes: 1, success_rate: '0.333333', cost_per_outcome: '0.2', cost_per_successful_outcome: '0.6', unlinked_cost: '0.4', unlinked_calls: 1, unpriced_calls: 0 },
    ]);
    assert.deepEqual(json.total, { cost: '2', calls: 6, unlinked_cost: '0.4', unpriced_calls: 1 });
    assert.deepEqual(json.outcomes_without_calls, { outcomes: 2, successful_outcomes: 1 });
    const typed = await ue('by=model&type=ticket_resolved&feature=support');
    assert.deepEqual((typed.json.rows as Json[]).map((r) => [r.key, r.cost_per_outcome, r.cost_per_successful_outcome]), [['m-a', '0.3', '0.3'], ['m-b', '0.3', null]]);
    assert.equal((await ue('by=tag:x')).status, 400);
    assert.equal((await ue('by=feature&teem=x')).status, 400);
    assert.equal((await call('GET', '/api/economics/unit-economics?by=feature')).status, 400);
  });

  it('scoped tokens write outcomes for their own team only and read only their own calls', async () => {
    const other = await call('POST', '/api/outcomes', { outcomes: [{ id: 's1', occurred_at: '2026-11-22T21:00:00Z', type: 'ticket_resolved', success: true, trace_id: 'T3', team: 'ads' }] }, 'search-token');
    assert.equal(other.status, 403);
    assert.equal((await call('POST', '/api/outcomes', { outcomes: [{ id: 's2', occurred_at: '2026-11-22T21:00:00Z', type: 't', success: true }] }, 'project-token')).status, 403);
    assert.equal((await call('POST', '/api/revenue', { entries: [{ customer: 'a', period_start: '2026-11-01', period_end: '2026-11-30', amount: '1', currency: 'USD' }] }, 'search-token')).status, 403);
    assert.equal((await ue('by=feature&team=ads', 'search-token')).status, 403);
    const november = '/api/economics/unit-economics?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z&by=team';
    assert.deepEqual(((await call('GET', november)).json.rows as Json[]).map((r) => r.key), ['search', 'ads']);
    assert.deepEqual(((await call('GET', november, undefined, 'search-token')).json.rows as Json[]).map((r) => r.key), ['search']);
    // A search-token outcome is stamped team=search, so it links to search's calls only, never to ads' trace.
    const own = await call('POST', '/api/outcomes', { outcomes: [{ id: 's3', occurred_at: '2026-11-22T21:00:00Z', type: 'ticket_resolved', success: true, trace_id: 'T-ads' }] }, 'search-token');
    assert.equal(own.status, 200);
    const adsRow = ((await call('GET', november)).json.rows as Json[]).find((r) => r.key === 'ads');
    assert.equal(adsRow?.outcomes, 0);
  });

  it('GET /api/economics/margin: two currencies need a rate, pro rata periods, customers without revenue', async () => {
    const nov = { period_start: '2026-11-01', period_end: '2026-11-30' }; // inclusive date: all of November
    const put = await call('POST', '/api/revenue', { entries: [
      { customer: 'acme', ...nov, amount: '100', currency: 'USD' },
      { customer: 'acme', ...nov, amount: '20', currency: 'eur' },
      { customer: 'beta', ...nov, amount: '10.5', currency: 'USD' },
    ] });
    assert.deepEqual(put.json, { received: 3, written: 3 });
    const month = 'from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z';
    const refused = await call('GET', `/api/economics/margin?${month}`);
    assert.equal(refused.status, 400);
    assert.match((refused.json.error as Json).message as string, /EUR \(acme\).*rate/);

    const { status, json } = await call('GET', `/api/economics/margin?${month}&rates=EUR=1.1&alert_share=0.05`);
    assert.equal(status, 200);
    conforms(MarginSchema, json);
    // acme: 100 + 20 × 1.1 = 122 revenue; AI cost 0.1+0.2+0.3+0.4+1 (+5 on Nov 21) = 7.
    assert.deepEqual(json.rows, [
      { customer: 'gamma', revenue: '0', ai_cost: '3', gross_margin: '-3', margin_pct: null, ai_cost_share: null, has_revenue: false, revenue_by_currency: {}, unpriced_calls: 0, over_threshold: true },
      { customer: 'beta', revenue: '10.5', ai_cost: '0', gross_margin: '10.5', margin_pct: '100', ai_cost_share: '0', has_revenue: true, revenue_by_currency: { USD: '10.5' }, unpriced_calls: 0, over_threshold: false },
      { customer: 'acme', revenue: '122', ai_cost: '7', gross_margin: '115', margin_pct: '94.26', ai_cost_share: '0.057377', has_revenue: true, revenue_by_currency: { EUR: '20', USD: '100' }, unpriced_calls: 1, over_threshold: true },
    ]);
    assert.deepEqual(json.total, { revenue: '132.5', ai_cost: '10', gross_margin: '122.5' });
    assert.deepEqual(json.rates, { EUR: '1.1' });

    // Half of November (15 of 30 days): half of each amount, exactly.
    const half = await call('GET', '/api/economics/margin?from=2026-11-01T00:00:00Z&to=2026-11-16T00:00:00Z&rates=EUR=1.1');
    assert.deepEqual((half.json.rows as Json[]).find((r) => r.customer === 'acme'), { customer: 'acme', revenue: '61', ai_cost: '0', gross_margin: '61', margin_pct: '100', ai_cost_share: '0', has_revenue: true, revenue_by_currency: { EUR: '10', USD: '50' }, unpriced_calls: 0, over_threshold: false });
    assert.equal((await call('GET', `/api/economics/margin?${month}&rates=EUR=abc`)).status, 400);
    assert.equal((await call('GET', `/api/economics/margin?${month}`, undefined, 'search-token')).status, 403);
  });
});

describe('compare read-out on a synthetic A/B with a known answer', () => {
  let rt: CostrailRuntime;
  before(async () => {
    rt = await startCostrail({ port: 0, dataDir: tempDir('costrail-compare-'), quiet: true, upstreams: {} });
    // v1: 100 tasks at $0.01, 60 succeed; v2: 100 tasks at $0.02, 45 succeed. Another feature is noise.
    const calls: LedgerRecord[] = [];
    const outcomes: OutcomeRecord[] = [];
    const task = (variant: string, i: number, cost: string, success: boolean, feature = 'ab') => {
      const id = `${feature}-${variant}-${i}`;
      calls.push({ ...makeRecord(i), id, trace_id: `tr-${id}`, started_at: new Date(Date.UTC(2026, 10, 22, 1, 0, i)).toISOString(), ended_at: null, cost: { ...makeRecord(i).cost!, total: cost }, attribution: { ...makeRecord(i).attribution, feature, prompt_version: variant } });
      outcomes.push({ id: `o-${id}`, occurred_at: '2026-11-22T12:00:00.000Z', type: 'task', success, trace_id: `tr-${id}`, call_ids: [], customer: null, feature, team: null, value_usd: null, attributes: {} });
    };
    for (let i = 0; i < 100; i++) task('v1', i, '0.01', i < 60);
    for (let i = 0; i < 100; i++) task('v2', i, '0.02', i < 45);
    for (let i = 0; i < 10; i++) task('v2', i, '9', false, 'noise');
    await rt.store.insertRecords(calls);
    await rt.store.economics.insertOutcomes(outcomes);
  });
  after(() => rt.close());

  it('reports cost per outcome exactly, Wilson intervals and the z-test against the baseline', async () => {
    const res = await request(`${rt.url}/api/economics/compare?feature=ab&by=prompt_version&from=2026-11-22T00:00:00Z&to=2026-11-23T00:00:00Z`, { headers: { authorization: `Bearer ${rt.adminToken}` } });
    const json = (await res.body.json()) as { baseline: string; test: string; variants: Json[] };
    assert.equal(res.statusCode, 200);
    conforms(ComparisonSchema, json);
    assert.equal(json.baseline, 'v1'); // equal outcome counts: the first key
    assert.match(json.test, /two-proportion z-test/);
    const [v2, v1] = json.variants; // costliest first
    assert.deepEqual([v1!.variant, v1!.cost, v1!.cost_per_outcome, v1!.cost_per_successful_outcome, v1!.success_rate, v1!.vs_baseline], ['v1', '1', '0.01', '0.016666666666666667', '0.6', null]);
    assert.deepEqual([v2!.variant, v2!.cost, v2!.cost_per_outcome, v2!.cost_per_successful_outcome, v2!.success_rate], ['v2', '2', '0.02', '0.044444444444444444', '0.45']);
    const ci = v1!.success_rate_ci as [number, number];
    assert.ok(Math.abs(ci[0] - 0.5020025867910618) < 1e-12 && Math.abs(ci[1] - 0.6905987135675411) < 1e-12);
    const t = v2!.vs_baseline as { difference: number; z: number; p_value: number; significant: boolean };
    assert.ok(Math.abs(t.z + 2.1239769762143657) < 1e-9, String(t.z));
    assert.ok(Math.abs(t.p_value - 0.033672068856345855) < 1e-7, String(t.p_value));
    assert.equal(t.significant, true);

    // Against v2 as the baseline the same difference is still significant; a variant that does not exist is a 400.
    const flipped = await request(`${rt.url}/api/economics/compare?feature=ab&by=prompt_version&baseline=v2&from=2026-11-22T00:00:00Z&to=2026-11-23T00:00:00Z`, { headers: { authorization: `Bearer ${rt.adminToken}` } });
    const fj = (await flipped.body.json()) as { variants: Json[] };
    assert.equal((fj.variants.find((v) => v.variant === 'v1')!.vs_baseline as { significant: boolean }).significant, true);
    const missing = await request(`${rt.url}/api/economics/compare?feature=ab&baseline=v9&from=2026-11-22T00:00:00Z&to=2026-11-23T00:00:00Z`, { headers: { authorization: `Bearer ${rt.adminToken}` } });
    assert.equal(missing.statusCode, 400);
    await missing.body.text();
  });
});
