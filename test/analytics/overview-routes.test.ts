/** GET /api/overview through HTTP: each part equals the /api/spend answer it replaces; scope; 400s naming the field. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { startCostrail, type CostrailRuntime } from '../../src/server/costrail-runtime.js';
import { ledgerSample } from './ledger-sample.js';
import { tempDir } from '../helpers/temp-dir.js';

type Json = Record<string, unknown>;

describe('GET /api/overview', () => {
  let rt: CostrailRuntime;
  const records = ledgerSample();
  const get = async (path: string, token = rt.adminToken): Promise<{ status: number; json: Json }> => {
    const res = await request(rt.url + path, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.statusCode, json: (await res.body.json()) as Json };
  };
  const first = Date.parse(records[0]!.started_at);
  const last = Date.parse(records[records.length - 1]!.started_at);
  const at = new Date(last + 60_000).toISOString();
  const chartFrom = new Date(first - 86_400_000).toISOString();
  const monthFrom = new Date(first + (last - first) / 3).toISOString();
  const lastMonth = { from: new Date(first - 3_600_000).toISOString(), to: new Date(first + (last - first) / 2).toISOString() };
  const base = `chart_from=${chartFrom}&month_from=${monthFrom}&at=${at}&tz=Europe/Berlin&last_month_from=${lastMonth.from}&last_month_to=${lastMonth.to}`;

  before(async () => {
    rt = await startCostrail({ port: 0, dataDir: tempDir('costrail-overview-api-'), quiet: true, upstreams: {} });
    rt.context.auth.addSource({ authenticate: (t) => (t === 'search-token' ? { kind: 'scoped', token_id: 'tok-search', scope: { team: 'search' } } : undefined) });
    await rt.store.insertRecords(records);
  });
  after(() => rt.close());

  const withoutSaved = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(withoutSaved);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'saved').map(([k, x]) => [k, withoutSaved(x)]));
    return v;
  };

  it('answers the chart, the top lists and the windows exactly as /api/spend does', async () => {
    const { status, json } = await get(`/api/overview?${base}&stack_by=model`);
    assert.equal(status, 200, JSON.stringify(json));
    // /api/spend adds the response cache's `saved`; the overview's parts leave it to their own request.
    const spend = async (q: string): Promise<Json> => withoutSaved((await get(`/api/spend?${q}`)).json) as Json;
    assert.deepEqual(json.daily, await spend(`from=${chartFrom}&granularity=day&group_by=model&tz=Europe/Berlin`));
    const top = json.top as Record<string, Json>;
    assert.deepEqual(Object.keys(top), ['team', 'feature', 'customer', 'model']);
    for (const d of Object.keys(top)) assert.deepEqual(top[d], await spend(`from=${monthFrom}&group_by=${d}`), d);
    assert.ok((top.team!.rows as Json[]).length > 1);
    const windows = json.windows as Record<string, Json>;
    const hour = new Date(Date.parse(at) - 3_600_000).toISOString();
    assert.deepEqual(windows.last_hour, (await spend(`from=${hour}&to=${at}`)).total);
    assert.deepEqual(windows.same_days_last_month, (await spend(`from=${lastMonth.from}&to=${lastMonth.to}`)).total);
    assert.ok(Number((windows.same_days_last_month as Json).requests) > 0);
    assert.deepEqual(windows.same_hour_last_week, { cost: '0', requests: 0, unpriced_requests: 0 });
  });

  it('filters like /api/spend and keeps a scoped token inside its scope', async () => {
    const scoped = await get(`/api/overview?${base}`, 'search-token');
    assert.equal(scoped.status, 200);
    assert.deepEqual(((scoped.json.top as Record<string, Json>).team!.rows as Json[]).map((r) => r.team), ['search']);
    assert.equal((await get(`/api/overview?${base}&team=ads`, 'search-token')).status, 403);
    const ads = await get(`/api/overview?${base}&team=ads&top_by=model`);
    assert.deepEqual(Object.keys(ads.json.top as Json), ['model']);
    assert.deepEqual(((ads.json.top as Record<string, Json>).model as Json).total, withoutSaved((await get(`/api/spend?from=${monthFrom}&team=ads`)).json.total));
  });

  it('refuses bad parameters with a 400 naming the field, and changes nothing', async () => {
    const cases: [string, RegExp][] = [
      [`month_from=${monthFrom}`, /chart_from/],
      [`${base}&stack_by=colour`, /stack_by/],
      [`${base}&top_by=team,team`, /top_by/],
      [`${base}&top_by=`, /top_by/],
      [`chart_from=yesterday&month_from=${monthFrom}`, /chart_from/],
      [`chart_from=${chartFrom}&month_from=${monthFrom}&last_month_from=${lastMonth.from}`, /last_month_to/],
      [`${base}&tz=Mars/Olympus`, /tz/],
      [`${base}&colour=blue`, /colour/],
    ];
    for (const [q, field] of cases) {
      const res = await get(`/api/overview?${q}`);
      assert.equal(res.status, 400, q);
      assert.match(JSON.stringify(res.json), field, q);
    }
    assert.equal(await rt.store.countRecords(), records.length);
  });
});
