/** `costrail advise` and `costrail whatif` as a person or a script runs them, on the synthetic month. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { DuckDbStore } from '../../src/store/embedded/duckdb-store.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/temp-dir.js';
import { ADVISOR_FROM, ADVISOR_MODELS, ADVISOR_TO, advisorLedger } from './advisor-fixtures.js';

const BIN = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
const data = join(tempDir('costrail-advisor-cli-'), 'data');
const costrail = (...args: string[]) => {
  const env = { ...process.env };
  delete env.COSTRAIL_ADMIN_TOKEN;
  delete env.COSTRAIL_DATA;
  const r = spawnSync(process.execPath, [BIN, ...args, '--data', data], { encoding: 'utf8', env });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const WINDOW = ['--from', ADVISOR_FROM, '--to', ADVISOR_TO];

before(async () => {
  const store = await DuckDbStore.open(data);
  await store.insertRecords(advisorLedger());
  await store.close();
  fs.writeFileSync(join(data, 'price-overrides.json'), JSON.stringify({ models: ADVISOR_MODELS }));
});

describe('advisor CLI', () => {
  it('advise --json prints the stacked recommendations; the table names savings, how and risk', () => {
    const json = costrail('advise', ...WINDOW, '--json');
    assert.equal(json.code, 0, json.err);
    const r = JSON.parse(json.out) as { summary: { monthly_savings: string }; recommendations: { kind: string; monthly_savings: string }[] };
    assert.equal(r.summary.monthly_savings, '0.4106');
    assert.deepEqual(r.recommendations.map((x) => x.monthly_savings), ['0.2355', '0.12', '0.0522', '0.0029']);
    const text = costrail('advise', ...WINDOW, '--feature', 'triage');
    assert.equal(text.code, 0, text.err);
    assert.match(text.out, /1\. model_fit — provider=openai model=gpt-4o feature=triage: \$0\.0522\/month \(estimated\)/);
    assert.match(text.out, /how: Route feature "triage" from gpt-4o to gpt-4o-mini/);
    assert.match(text.out, /2\. batch/);
    // --scope feature=… is the same filter as --feature; a contradiction is refused before any call.
    const scoped = costrail('advise', ...WINDOW, '--scope', 'feature=triage', '--json');
    assert.equal(scoped.code, 0, scoped.err);
    assert.deepEqual((JSON.parse(scoped.out) as { recommendations: { monthly_savings: string }[] }).recommendations.map((x) => x.monthly_savings), ['0.0522', '0.0029']);
    const clash = costrail('advise', ...WINDOW, '--scope', 'feature=triage', '--feature', 'other');
    assert.equal(clash.code, 2);
    assert.match(clash.err, /contradicts --feature other/);
  });

  it('what-if re-prices exactly and refuses malformed changes', () => {
    const r = costrail('whatif', ...WINDOW, '--move', 'feature=triage:model=gpt-4o-mini', '--batch', '--json');
    assert.equal(r.code, 0, r.err);
    assert.equal((JSON.parse(r.out) as { total: { after: string } }).total.after, '0.5129');
    const bad = costrail('whatif', ...WINDOW, '--move', 'triage->gpt-4o-mini');
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--move must look like feature=triage:model=gpt-4o-mini/);
    const stacked = costrail('whatif', ...WINDOW, '--change', 'batch where priority=background', '--change', 'model:gpt-4o->gpt-4o-mini where feature=triage', '--json');
    assert.equal(stacked.code, 0, stacked.err);
    assert.equal((JSON.parse(stacked.out) as { total: { after: string } }).total.after, '1.0229');
    const text = costrail('whatif', ...WINDOW, '--change', 'cache prefix');
    assert.equal(text.code, 0, text.err);
    assert.match(text.out, /2026-11-03/);
    const badChange = costrail('whatif', ...WINDOW, '--change', 'model:gpt-4o=>mini');
    assert.equal(badChange.code, 2);
    assert.match(badChange.err, /--change: .*"model:gpt-4o=>mini" is not model:FROM->TO/);
    const none = costrail('whatif', ...WINDOW);
    assert.equal(none.code, 2);
    assert.match(none.err, /at least one change/);
    const range = costrail('advise', '--from', ADVISOR_TO, '--to', ADVISOR_FROM);
    assert.equal(range.code, 2);
  });
});
