/**
 * The GPU routes through a running server: POST /api/import/gpu-usage with a Prometheus scrape log
 * (text/plain) and a CSV (text/csv), hostile bodies refused as 400s that store nothing, GET /api/gpu,
 * and the GPU spend in GET /api/ai-spend.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { GpuImportResultSchema, GpuReportSchema } from '../../src/inventory/gpu-api-schemas.js';
import { AiSpendResultSchema } from '../../src/inventory/inventory-api-schemas.js';
import { startCostrail, type CostrailRuntime } from '../../src/server/costrail-runtime.js';
import { tempDir } from '../helpers/temp-dir.js';

const PROM = fs.readFileSync(join(process.cwd(), 'test', 'fixtures', 'inventory', 'vllm-qwen3-32b.prom'), 'utf8');

describe('GPU routes', () => {
  let rt: CostrailRuntime;
  const call = async (method: 'GET' | 'POST', p: string, body?: string, type = 'text/plain'): Promise<{ status: number; body: unknown }> => {
    const res = await request(`${rt.url}${p}`, { method, headers: { authorization: `Bearer ${rt.adminToken}`, 'content-type': type }, body });
    return { status: res.statusCode, body: await res.body.json() };
  };
  before(async () => {
    rt = await startCostrail({ port: 0, dataDir: join(tempDir('costrail-gpu-api-'), 'data'), quiet: true, upstreams: {} });
  });
  after(() => rt.close());

  it('imports a scrape log and a CSV, reports them, and counts them in the one total', async () => {
    const prom = await call('POST', '/api/import/gpu-usage?instance_type=A100-80GB&gpus=2&hourly_usd=1.79&vendor=Lambda&file=qwen.prom', PROM);
    assert.equal(prom.status, 200, JSON.stringify(prom.body));
    assert.deepEqual(((r) => [r.format, r.file, r.inserted, r.cost_usd])(GpuImportResultSchema.parse(prom.body)), ['prometheus', 'qwen.prom', 30, '2577.6']);
    const csv = await call('POST', '/api/import/gpu-usage', 'day,instance_type,gpu_hours,busy_hours,hourly_usd,model,input_tokens,output_tokens\n2026-11-03,L40S,24,12,0.86,llama-3.1-8b,1000000,250000\n', 'text/csv');
    assert.equal(csv.status, 200, JSON.stringify(csv.body));

    const report = await call('GET', '/api/gpu?from=2026-11-01&to=2026-12-01&output_weight=1');
    const g = GpuReportSchema.parse(report.body);
    assert.deepEqual(g.models.map((m) => [m.model, m.cost_usd, m.utilisation]), [['llama-3.1-8b', '20.64', '0.5'], ['Qwen/Qwen3-32B', '2577.6', null]]);
    // $20.64 over 1.25M tokens at weight 1: $16.512 per 1M.
    assert.equal(g.models[0]?.cost_per_1m_input, '16.512');

    const spend = AiSpendResultSchema.parse((await call('GET', '/api/ai-spend?from=2026-11-01&to=2026-12-01&by=vendor')).body);
    assert.deepEqual([spend.parts.gpu, spend.total], ['2598.24', '2598.24']);
    assert.deepEqual(spend.rows, [{ key: 'Lambda', amount_usd: '2577.6' }, { key: 'self-hosted', amount_usd: '20.64' }]);
  });

  it('refuses hostile bodies with 400s naming the line, and stores nothing', async () => {
    const before = GpuReportSchema.parse((await call('GET', '/api/gpu?from=2026-11-01&to=2026-12-01')).body).total;
    const bad = await call('POST', '/api/import/gpu-usage', 'day,instance_type,gpu_hours,hourly_usd\n2026-11-04,H100,24,4.25\n2026-11-05,H100,-1,4.25\n', 'text/csv');
    assert.equal(bad.status, 400);
    assert.match(JSON.stringify(bad.body), /first line 3: gpu_hours \\"-1\\" is negative; nothing imported/);
    const scrape = await call('POST', '/api/import/gpu-usage?format=prometheus', '# scraped_at 2026-11-01T00:00:00Z\nvllm:prompt_tokens_total{model_name="m"} 5\n');
    assert.equal(scrape.status, 400);
    assert.match(JSON.stringify(scrape.body), /1 scrape\(s\) found/);
    assert.equal((await call('POST', '/api/import/gpu-usage?format=xml', 'x')).status, 400);
    assert.equal((await call('GET', '/api/gpu?from=2026-11-01&to=2026-12-01&output_weight=-2')).status, 400);
    assert.equal((await call('GET', '/api/gpu?from=2026-12-01&to=2026-11-01')).status, 400);
    assert.deepEqual(GpuReportSchema.parse((await call('GET', '/api/gpu?from=2026-11-01&to=2026-12-01')).body).total, before);
  });
});
