/** GET /api/events and /api/spend through HTTP: shapes of PRODUCT.md, filters, scope enforcement, 400s naming the field. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import { Decimal } from '../../src/pricing/decimal.js';
import { startCostrail, type CostrailRuntime } from '../../src/server/costrail-runtime.js';
import { ledgerSample } from './ledger-sample.js';
import { tempDir } from '../helpers/temp-dir.js';

type Json = Record<string, unknown>;

describe('ledger API', () => {
  let rt: CostrailRuntime;
  const records = ledgerSample();
  const get = async (path: string, token = rt.adminToken): Promise<{ status: number; json: Json }> => {
    const res = await request(rt.url + path, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.statusCode, json: (await res.body.json()) as Json };
  };

  before(async () => {
    rt = await startCostrail({ port: 0, dataDir: tempDir('costrail-ledger-api-'), quiet: true, upstreams: {} });
    rt.context.auth.addSource({ authenticate: (t) => (t === 'search-token' ? { kind: 'scoped', token_id: 'tok-search', scope: { team: 'search' } } : undefined) });
    await rt.store.insertRecords(records);
  });
  after(() => rt.close());

  it('GET /api/events pages newest first with next_cursor and filters by any dimension', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = `/api/events?limit=25${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const { status, json } = await get(q);
      assert.equal(status, 200);
      seen.push(...(json.events as LedgerRecord[]).map((e) => e.id));
      cursor = json.next_cursor as string | null;
    } while (cursor);
    assert.deepEqual(seen, [...records].reverse().map((r) => r.id));

    const first = await get('/api/events?limit=1');
    assert.deepEqual((first.json.events as LedgerRecord[])[0], records[59]);

    const filtered = await get(`/api/events?team=ads&model=gpt-4o-mini-2024-07-18&tag:experiment=b&limit=100`);
    const expected = records.filter((r) => r.attribution.team === 'ads' && r.model === 'gpt-4o-mini-2024-07-18' && r.tags.experiment === 'b').map((r) => r.id).reverse();
    assert.ok(expected.length > 0);
    assert.deepEqual((filtered.json.events as LedgerRecord[]).map((e) => e.id), expected);
    const unattributed = await get('/api/events?team=&limit=100');
    assert.equal((unattributed.json.events as LedgerRecord[]).length, 20);
    const window = await get(`/api/events?from=${records[10]!.started_at}&to=${records[13]!.started_at}`);
    assert.deepEqual((window.json.events as LedgerRecord[]).map((e) => e.id), [records[12]!.id, records[11]!.id, records[10]!.id]);
  });

  it('GET /api/spend returns flat rows and an exact total', async () => {
    const { status, json } = await get('/api/spend?group_by=team,model&granularity=day');
    assert.equal(status, 200);
    const rows = json.rows as Json[];
    assert.deepEqual(Object.keys(rows[0]!), ['period', 'team', 'model', 'cost', 'requests', 'input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens', 'reasoning_tokens', 'unpriced_requests', 'saved']);
    const exact = Decimal.sum(records.filter((r) => r.cost).map((r) => Decimal.parse(r.cost!.total))).toString();
    // No response-cache hits in this ledger: nothing saved, said as an exact zero.
    assert.deepEqual(json.total, { cost: exact, requests: 60, unpriced_requests: 6, saved: '0' });
    assert.ok(rows.every((r) => r.saved === '0'));
    assert.equal(Decimal.sum(rows.map((r) => Decimal.parse(r.cost as string))).toString(), exact);
    const day1Search = rows.filter((r) => r.period === '2026-11-20T00:00:00.000Z' && r.team === 'search');
    const want = records.filter((r) => r.started_at.startsWith('2026-11-20') && r.attribution.team === 'search');
    assert.equal(day1Search.reduce((n, r) => n + (r.requests as number), 0), want.length);

    const tagged = await get('/api/spend?group_by=tag:experiment&team=ads');
    const tagRows = tagged.json.rows as Json[];
    assert.deepEqual(tagRows.map((r) => r['tag:experiment']).sort(), ['b', null]);
    assert.equal(tagged.json.total && (tagged.json.total as Json).requests, 20);
  });

  it('a scoped token only ever sees its own scope', async () => {
    const spend = await get('/api/spend?group_by=team', 'search-token');
    assert.equal(spend.status, 200);
    assert.deepEqual((spend.json.rows as Json[]).map((r) => r.team), ['search']);
    const events = await get('/api/events?limit=1000', 'search-token');
    assert.equal((events.json.events as LedgerRecord[]).length, 20);
    assert.ok((events.json.events as LedgerRecord[]).every((e) => e.attribution.team === 'search'));
    for (const path of ['/api/spend?team=ads', '/api/events?team=ads', '/api/events?team=']) {
      const denied = await get(path, 'search-token');
      assert.equal(denied.status, 403, path);
      assert.match((denied.json.error as { message: string }).message, /^team: /);
    }
    const same = await get('/api/events?team=search&limit=5', 'search-token');
    assert.equal(same.status, 200);
  });

  it('bad parameters are 400s naming the field', async () => {
    const cases: [string, RegExp][] = [
      ['/api/spend?group_by=colour', /^group_by: /],
      ['/api/spend?granularity=fortnight', /^granularity: /],
      ['/api/spend?tz=Mars/Base', /^tz: /],
      ['/api/spend?from=someday', /^from: /],
      ['/api/spend?teem=search', /^teem: unknown query parameter/],
      ['/api/spend?team=a&team=b', /^team: given more than once/],
      ['/api/events?limit=5000', /limit/],
      ['/api/events?limit=ten', /^limit: /],
      ['/api/events?cursor=garbage', /cursor/],
      ['/api/events?to=later', /^to: /],
    ];
    for (const [path, re] of cases) {
      const { status, json } = await get(path);
      assert.equal(status, 400, path);
      assert.equal((json.error as { code: string }).code, 'invalid_request');
      assert.match((json.error as { message: string }).message, re, path);
    }
    const spec = await get('/api/openapi.json');
    const paths = spec.json.paths as Record<string, unknown>;
    assert.ok(paths['/api/events'] && paths['/api/spend']);
  });
});
