/**
 * The advisor API through HTTP on the synthetic month (priced by price-overrides.json so the
 * hand figures hold): exact stacked savings, what-if re-pricing, scope, and hostile input.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import type { ZodType } from 'zod';
import { AdviceReportSchema, ChangeCheckReportSchema, WhatIfReportSchema } from '../../src/advisor/advisor-api-schemas.js';
import type { Principal } from '../../src/http/principal.js';
import { startCostrail, type CostrailRuntime } from '../../src/server/costrail-runtime.js';
import { tempDir } from '../helpers/temp-dir.js';
import { ADVISOR_FROM, ADVISOR_MODELS, ADVISOR_TO, advisorLedger } from './advisor-fixtures.js';

type Json = Record<string, unknown>;
const conforms = (schema: ZodType, json: unknown): void => assert.deepEqual(schema.parse(json), json);
const WINDOW = `from=${ADVISOR_FROM}&to=${ADVISOR_TO}`;

describe('advisor API', () => {
  let rt: CostrailRuntime;
  const get = async (p: string, token = rt.adminToken): Promise<{ status: number; json: Json }> => {
    const res = await request(rt.url + p, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.statusCode, json: (await res.body.json()) as Json };
  };

  before(async () => {
    const dataDir = tempDir('costrail-advisor-api-');
    fs.writeFileSync(path.join(dataDir, 'price-overrides.json'), JSON.stringify({ models: ADVISOR_MODELS }));
    rt = await startCostrail({ port: 0, dataDir, quiet: true, upstreams: {} });
    rt.context.auth.addSource({ authenticate: (t): Principal | undefined => (t === 'support-token' ? { kind: 'scoped', token_id: 'tok-s', scope: { feature: 'support' } } : undefined) });
    await rt.store.insertRecords(advisorLedger());
  });
  after(() => rt.close());

  it('GET /api/advice returns the stacked findings with exact savings', async () => {
    const r = await get(`/api/advice?${WINDOW}`);
    assert.equal(r.status, 200);
    conforms(AdviceReportSchema, r.json);
    const body = AdviceReportSchema.parse(r.json);
    assert.deepEqual(body.recommendations.map((x) => [x.kind, x.monthly_savings]), [['prompt_caching', '0.2355'], ['output_limit', '0.12'], ['model_fit', '0.0522'], ['batch', '0.0029']]);
    assert.deepEqual(body.summary, { calls: 40, unpriced_calls: 1, baseline_cost: '1.078', projected_cost: '0.6674', period_savings: '0.4106', monthly_savings: '0.4106' });
  });

  it('filters by feature, and a scoped token sees only its scope', async () => {
    const triage = AdviceReportSchema.parse((await get(`/api/advice?${WINDOW}&feature=triage`)).json);
    assert.deepEqual(triage.recommendations.map((x) => x.kind), ['model_fit', 'batch']);
    const scoped = AdviceReportSchema.parse((await get(`/api/advice?${WINDOW}`, 'support-token')).json);
    assert.deepEqual(scoped.recommendations.map((x) => x.kind), ['prompt_caching']);
    assert.equal((await get(`/api/advice?${WINDOW}&feature=triage`, 'support-token')).status, 403);
  });

  it('GET /api/whatif re-prices exactly', async () => {
    const r = await get(`/api/whatif?${WINDOW}&move=feature=triage:model=gpt-4o-mini&batch=true`);
    assert.equal(r.status, 200);
    conforms(WhatIfReportSchema, r.json);
    const body = WhatIfReportSchema.parse(r.json);
    assert.deepEqual(body.total, { calls: 40, before: '1.078', after: '0.5129', savings: '0.5651', monthly_savings: '0.5651', unpriced_calls: 1 });
    assert.deepEqual(body.changes, { moves: [{ feature: 'triage', model: 'gpt-4o-mini' }], batch: true });
  });

  it('GET /api/whatif applies repeated change= in order', async () => {
    const q = new URLSearchParams();
    q.append('change', 'model:gpt-4o->gpt-4o-mini where feature=triage');
    q.append('change', 'price provider=openai -12%');
    const r = await get(`/api/whatif?${WINDOW}&${q.toString()}`);
    assert.equal(r.status, 200, JSON.stringify(r.json));
    conforms(WhatIfReportSchema, r.json);
    const body = WhatIfReportSchema.parse(r.json);
    // (1.078 - 0.0522) x 0.88.
    assert.equal(body.total.after, '0.902704');
    assert.deepEqual(body.applied, ['model:gpt-4o->gpt-4o-mini where feature=triage', 'price provider=openai -12%']);
  });

  it('GET /api/whatif/changes checks each change with the CLI\'s parser, re-pricing nothing', async () => {
    const q = new URLSearchParams();
    q.append('change', 'batch  where priority=background');
    q.append('change', 'price provider=anthropic 12');
    const r = await get(`/api/whatif/changes?${q.toString()}`);
    assert.equal(r.status, 200);
    conforms(ChangeCheckReportSchema, r.json);
    assert.deepEqual(r.json, {
      valid: false,
      changes: [
        { change: 'batch  where priority=background', ok: true, error: null, text: 'batch where priority=background' },
        { change: 'price provider=anthropic 12', ok: false, error: 'change "price provider=anthropic 12": "12" is not a signed percentage like -12% or +5%', text: null },
      ],
    });
    assert.deepEqual((await get('/api/whatif/changes')).json, { valid: true, changes: [] });
    assert.equal((await get('/api/whatif/changes?from=x')).status, 400);
    assert.equal((await get(`/api/whatif/changes?${Array.from({ length: 21 }, () => 'change=batch').join('&')}`)).status, 400);
  });

  it('refuses hostile input with a 400 naming the field', async () => {
    const cases: [string, RegExp][] = [
      ['/api/advice?from=yesterday&to=2026-12-01T00:00:00Z', /from/],
      [`/api/advice?from=${ADVISOR_TO}&to=${ADVISOR_FROM}`, /to must be after from/],
      [`/api/advice?${WINDOW}&min_calls=0`, /min_calls/],
      [`/api/advice?${WINDOW}&colour=red`, /colour: unknown query parameter/],
      [`/api/whatif?${WINDOW}&move=triage`, /feature=FEATURE:model=MODEL/],
      [`/api/whatif?${WINDOW}&cache_hit=1.5`, /cache_hit/],
      [`/api/whatif?${WINDOW}&batch=yes`, /batch/],
      [`/api/whatif?${WINDOW}&change=${encodeURIComponent('price provider=anthropic 12')}`, /change .*price provider=anthropic 12.* is not a signed percentage/],
      [`/api/whatif?${WINDOW}&change=${encodeURIComponent('model:gpt-4o->gpt-9-ultra')}`, /gpt-9-ultra/],
      [`/api/whatif?${WINDOW}&move=feature=triage:model=gpt-9-ultra`, /gpt-9-ultra/],
    ];
    for (const [p, message] of cases) {
      const r = await get(p);
      assert.equal(r.status, 400, p);
      assert.match(JSON.stringify(r.json), message, p);
    }
  });

  it('is in the OpenAPI document', async () => {
    const spec = (await get('/api/openapi.json')).json as { paths: Record<string, unknown> };
    assert.ok(spec.paths['/api/advice']);
    assert.ok(spec.paths['/api/whatif']);
    assert.ok(spec.paths['/api/whatif/changes']);
  });
});
