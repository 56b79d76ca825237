/**
 * The command line: `costrail import gpu-usage` (in-process on a data folder) and `costrail report
 * gpu`, with --json, --help, and a hostile file refused naming its line with nothing stored.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { GpuImportResultSchema, GpuReportSchema } from '../../src/inventory/gpu-api-schemas.js';
import { tempDir } from '../helpers/temp-dir.js';

const BIN = join(process.cwd(), 'dist', 'src', 'cli', 'main.js');
const PROM = join(process.cwd(), 'test', 'fixtures', 'inventory', 'vllm-qwen3-32b.prom');
const cli = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, COSTRAIL_ADMIN_TOKEN: '' } });

describe('costrail import gpu-usage / report gpu', () => {
  it('imports scrapes, reports $/1M tokens against the cheapest comparable API, and refuses a bad file', () => {
    const data = join(tempDir('costrail-gpu-cli-'), 'data');
    const imported = cli(['import', 'gpu-usage', PROM, '--instance-type', 'A100-80GB', '--gpus', '2', '--hourly-usd', '1.79', '--vendor', 'Lambda', '--data', data, '--json']);
    assert.equal(imported.status, 0, imported.stderr);
    const r = GpuImportResultSchema.parse(JSON.parse(imported.stdout));
    assert.deepEqual([r.format, r.lines, r.inserted, r.cost_usd], ['prometheus', 30, 30, '2577.6']);

    const report = cli(['report', 'gpu', '--from', '2026-11-01', '--to', '2026-12-01', '--data', data, '--json']);
    assert.equal(report.status, 0, report.stderr);
    const g = GpuReportSchema.parse(JSON.parse(report.stdout));
    assert.deepEqual([g.models[0]?.model, g.models[0]?.cost_per_1m_input, g.models[0]?.comparable?.model], ['Qwen/Qwen3-32B', '1.223932', 'qwen/qwen3-32b']);
    const text = cli(['report', 'gpu', '--from', '2026-11-01', '--to', '2026-12-01', '--data', data]);
    assert.match(text.stdout, /cheapest comparable API: groq\/qwen\/qwen3-32b .* would have cost \$477\.36: the API would have saved \$2100\.24/);

    const bad = join(tempDir('costrail-gpu-cli-'), 'bad.prom');
    fs.writeFileSync(bad, fs.readFileSync(PROM, 'utf8').replace('vllm:prompt_tokens_total{engine="0",model_name="Qwen/Qwen3-32B"} 5040000000.0', 'vllm:prompt_tokens_total{engine="0",model_name="Qwen/Qwen3-32B"} -1'));
    const refused = cli(['import', 'gpu-usage', bad, '--data', data]);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /bad\.prom: line 33 \(vllm:prompt_tokens_total\): counter value -1 is negative .*; nothing imported/);
    const after = GpuReportSchema.parse(JSON.parse(cli(['report', 'gpu', '--from', '2026-11-01', '--to', '2026-12-01', '--data', data, '--json']).stdout));
    assert.equal(after.total.input_tokens, 1_170_000_000);
  });

  it('documents itself', () => {
    const help = cli(['import', 'gpu-usage', '--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /--instance-type <type>/);
    assert.match(help.stdout, /scraped_at/);
    assert.match(cli(['report', 'gpu', '--help']).stdout, /--output-weight <w>/);
    assert.equal(cli(['import', 'gpu-usage', 'x.csv', '--format', 'xml']).status, 2);
  });
});
