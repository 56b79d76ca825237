/**
 * `import gpu-usage` and `report gpu` on the committed fixture (test/fixtures/inventory, written by
 * scripts/inventory-fixture.mjs): a month of two self-hosted models from a CSV and a third from 31
 * vLLM scrapes with a restart. Every figure is computed by hand from the fixture's plants; hostile
 * files are refused naming the line and store nothing; re-imports add nothing.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ComparableModels, loadComparableTable, servedModelKey } from '../../src/inventory/comparable-models.js';
import { GpuInputError } from '../../src/inventory/gpu-usage-fields.js';
import { importGpuUsageFile } from '../../src/inventory/gpu-usage-import.js';
import { gpuReport, GpuReportInputError } from '../../src/inventory/gpu-report.js';
import { loadPriceBook } from '../../src/pricing/catalog-loader.js';
import { DuckDbStore } from '../../src/store/embedded/duckdb-store.js';
import type { Store } from '../../src/store/store.js';
import { tempDir } from '../helpers/temp-dir.js';

const FIXTURES = join(process.cwd(), 'test', 'fixtures', 'inventory');
const CSV = join(FIXTURES, 'gpu-usage-2026-11.csv');
const PROM = join(FIXTURES, 'vllm-qwen3-32b.prom');
const NOV = { from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' };
const QWEN = { instanceType: 'A100-80GB', gpus: 2, hourlyUsd: '1.79', team: 'research', vendor: 'Lambda' };

function hostile(text: string): string {
  const dir = tempDir('costrail-gpu-bad-');
  fs.writeFileSync(join(dir, 'bad.csv'), text);
  return join(dir, 'bad.csv');
}

describe('import gpu-usage and report gpu', () => {
  let store: Store;
  let comparables: ComparableModels;
  before(async () => {
    store = await DuckDbStore.open(tempDir('costrail-gpu-'));
    comparables = new ComparableModels(loadComparableTable(), loadPriceBook());
  });
  after(() => store.close());

  it('imports the CSV month exactly, and a re-import adds nothing', async () => {
    const r = await importGpuUsageFile(store, CSV);
    // 30 days × (4 H100 × 24 h at $4.25 + 1 L40S × 24 h at $0.86) = 2880 h $12,240 + 720 h $619.20.
    assert.deepEqual([r.status, r.format, r.rows, r.lines, r.inserted, r.gpu_hours, r.cost_usd], ['imported', 'csv', 60, 60, 60, '3600', '12859.2']);
    assert.deepEqual(r.models, ['meta-llama/Llama-3.1-70B-Instruct', 'meta-llama/Llama-3.1-8B-Instruct']);
    assert.equal((await importGpuUsageFile(store, CSV)).inserted, 0);
  });

  it('imports the vLLM scrape log: deltas across a restart, hours from the intervals', async () => {
    const r = await importGpuUsageFile(store, PROM, QWEN);
    // 30 daily intervals; 29 of +40M input / +8M output, and the restart interval counts the 10M / 2M
    // the counters show after it. 30 days × 24 h × 2 GPUs = 1440 h × $1.79 = $2,577.60.
    assert.deepEqual([r.format, r.rows, r.lines, r.inserted, r.input_tokens, r.output_tokens, r.gpu_hours, r.cost_usd], ['prometheus', 31, 30, 30, 1_170_000_000, 234_000_000, '1440', '2577.6']);
    assert.equal((await importGpuUsageFile(store, PROM, QWEN)).inserted, 0);
    // Different flags do not make the same intervals new: the tokens would count twice.
    assert.equal((await importGpuUsageFile(store, PROM, { ...QWEN, hourlyUsd: '2.10' })).inserted, 0);
  });

  it('reports effective $/1M tokens, utilisation, idle cost and the cheapest comparable API', async () => {
    const r = await gpuReport(store, comparables, NOV);
    assert.equal(r.output_weight, '4');
    const [l70, l8, qwen] = r.models;
    // Llama 70B: $12,240 over 4,965M input + 4 × 993M output = 8,937M weighted tokens.
    assert.deepEqual(
      { ...l70, comparable: l70?.comparable?.model },
      {
        model: 'meta-llama/Llama-3.1-70B-Instruct', family: 'llama-3.1-70b', instance_types: ['H100-80GB'],
        gpu_hours: '2880', busy_hours: '2160', utilisation: '0.75', cost_usd: '12240', idle_cost_usd: '3060',
        input_tokens: 4_965_000_000, output_tokens: 993_000_000,
        cost_per_1m_input: '1.369587', cost_per_1m_output: '5.478348',
        // Groq's Llama 3.3 70B at $0.59 / $0.79: 4965 × 0.59 + 993 × 0.79 = $3,713.82, $8,526.18 less.
        comparable: 'llama-3.3-70b-versatile', savings_usd: '-8526.18', unpriced_comparables: [],
      },
    );
    assert.deepEqual(l70?.comparable, { provider: 'groq', model: 'llama-3.3-70b-versatile', input_per_1m: '0.59', output_per_1m: '0.79', api_cost_usd: '3713.82' });
    // Llama 8B: $619.20 over 2,400M + 4 × 600M = 4,800M → $0.129 / $0.516; 330 of 720 hours busy.
    assert.deepEqual([l8?.cost_per_1m_input, l8?.cost_per_1m_output, l8?.busy_hours, l8?.utilisation, l8?.idle_cost_usd], ['0.129', '0.516', '330', '0.4583', '335.4']);
    // Groq's 8B instant at $0.05 / $0.08: 2400 × 0.05 + 600 × 0.08 = $168.
    assert.deepEqual([l8?.comparable?.provider, l8?.comparable?.model, l8?.comparable?.api_cost_usd, l8?.savings_usd], ['groq', 'llama-3.1-8b-instant', '168', '-451.2']);
    // Qwen3 32B from scrapes: no busy hours in the data, so no utilisation; $2,577.60 / (1,170M + 4 × 234M).
    assert.deepEqual([qwen?.model, qwen?.family, qwen?.busy_hours, qwen?.utilisation, qwen?.cost_per_1m_input, qwen?.cost_per_1m_output], ['Qwen/Qwen3-32B', 'qwen3-32b', null, null, '1.223932', '4.895728']);
    // Groq's qwen3-32b at $0.29 / $0.59: 1170 × 0.29 + 234 × 0.59 = $477.36.
    assert.deepEqual([qwen?.comparable?.api_cost_usd, qwen?.savings_usd], ['477.36', '-2100.24']);
    // Utilisation over the hours that report it: 2490 busy of 3600; idle $3,060 + $335.40.
    assert.deepEqual(r.total, { gpu_hours: '5040', busy_hours: '2490', utilisation: '0.6917', cost_usd: '15436.8', idle_cost_usd: '3395.4', input_tokens: 8_535_000_000, output_tokens: 1_827_000_000 });
    assert.deepEqual(r.instance_types.map((t) => [t.instance_type, t.cost_usd]), [['A100-80GB', '2577.6'], ['H100-80GB', '12240'], ['L40S', '619.2']]);
    assert.deepEqual(r.unattributed, { gpu_hours: '0', busy_hours: null, utilisation: null, cost_usd: '0', idle_cost_usd: null });
  });

  it('a token-share split (output weight 1) prices input and output tokens alike; a bad weight is refused', async () => {
    const r = await gpuReport(store, comparables, { ...NOV, output_weight: '1' });
    // $619.20 over 3,000M tokens.
    assert.deepEqual([r.models[1]?.cost_per_1m_input, r.models[1]?.cost_per_1m_output], ['0.2064', '0.2064']);
    for (const bad of ['0', '-1', 'four', '1001']) await assert.rejects(gpuReport(store, comparables, { ...NOV, output_weight: bad }), GpuReportInputError);
  });

  it('matches served names to families by normalised name', () => {
    assert.equal(servedModelKey('hugging-quants/Meta-Llama-3.1-70B-Instruct-AWQ-INT4'), servedModelKey('llama-3.1-70b'));
    assert.equal(comparables.familyOf('llama3.1:70b'), 'llama-3.1-70b');
    assert.equal(comparables.familyOf('mistralai/Mistral-Nemo-Instruct-2407'), 'mistral-nemo');
    assert.equal(comparables.familyOf('my-finetune-v3'), null);
  });

  it('refuses hostile CSVs naming the line, and stores nothing from them', async () => {
    const before = (await store.inventory.gpuUsage(NOV)).length;
    const head = 'day,instance_type,gpu_hours,busy_hours,hourly_usd,model,input_tokens,output_tokens\n';
    const good = '2026-11-03,H100,24,20,4.25,llama-3.1-8b,100,10\n';
    const cases: [string, RegExp][] = [
      [`${head}${good}2026-11-04,H100,-24,,4.25,m,1,1\n`, /^gpu_hours "-24" is negative$/],
      [`${head}${good}2026-11-04,H100,24,30,4.25,m,1,1\n`, /^busy_hours 30 exceeds gpu_hours 24/],
      [`${head}${good}2026-11-04,H100,24,,4.25,m,2000000000000,1\n`, /^input_tokens 2000000000000 is beyond 10\^12/],
      [`${head}${good}2026-11-04,H100,24,,4.25,m,1.5,1\n`, /^input_tokens "1.5" is not a whole number$/],
      [`${head}${good}2026-11-04,H100,5000000,,4.25,m,1,1\n`, /^gpu_hours 5000000 is beyond 1000000/],
      [`${head}${good}2026-11-04,H100,24,,abc,m,1,1\n`, /^hourly_usd "abc" is not a decimal number/],
      [`${head}${good}2026-02-30,H100,24,,4.25,m,1,1\n`, /^day "2026-02-30" is not a real day$/],
      [`${head}${good}2026-11-04,,24,,4.25,m,1,1\n`, /^empty instance_type$/],
      [`${head}${good}2026-11-04,H100,24,,4.25,,5,1\n`, /^tokens without a model/],
    ];
    for (const [text, error] of cases) {
      const r = await importGpuUsageFile(store, hostile(text));
      assert.equal(r.status, 'refused');
      assert.equal(r.invalid.length, 1);
      assert.equal(r.invalid[0]?.line, 3);
      assert.match(r.invalid[0]?.error ?? '', error);
    }
    // A stated cost must agree with hours × rate (to a cent or 0.1 %).
    const cost = await importGpuUsageFile(store, hostile('day,instance_type,gpu_hours,hourly_usd,cost_usd\n2026-11-04,H100,24,4.25,120.00\n'));
    assert.match(cost.invalid[0]?.error ?? '', /^cost_usd 120 does not match gpu_hours × hourly_usd = 102/);
    await assert.rejects(importGpuUsageFile(store, hostile('day,instance_type,hourly_usd\n2026-11-04,H100,4.25\n')), (e: unknown) => e instanceof GpuInputError && /^no gpu_hours column \(looked for "gpu_hours"/.test(e.message));
    await assert.rejects(importGpuUsageFile(store, hostile('day,instance_type,gpu_hours\n2026-11-04,H100,24\n')), /no hourly_usd or cost_usd column/);
    assert.equal((await store.inventory.gpuUsage(NOV)).length, before);
  });

  it('a cost-only CSV derives the hourly rate; Prometheus flags must come together', async () => {
    const other = await DuckDbStore.open(tempDir('costrail-gpu-'));
    try {
      const r = await importGpuUsageFile(other, hostile('date,gpu_type,hours,cost\n2026-11-04,A10G,3,3.03\n'));
      assert.deepEqual([r.status, r.cost_usd], ['imported', '3.03']);
      assert.equal((await other.inventory.gpuUsage(NOV))[0]?.hourly_usd, '1.01');
      await assert.rejects(importGpuUsageFile(other, PROM, { instanceType: 'A100' }), /--instance-type and --hourly-usd go together/);
      // Tokens only: no hours charged, the tokens kept for a CSV of hours to price.
      const t = await importGpuUsageFile(other, PROM);
      assert.deepEqual([t.lines, t.gpu_hours, t.cost_usd, t.input_tokens], [30, '0', '0', 1_170_000_000]);
    } finally {
      await other.close();
    }
  });
});
