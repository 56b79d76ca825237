/**
 * `costrail import outcomes|revenue`, `report unit-economics|margin` and `compare` as a person or a
 * script runs them: CSV and JSON Lines in, a bad row refusing the whole file, exact --json out.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { DuckDbStore } from '../../src/store/embedded/duckdb-store.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/temp-dir.js';
import { ECONOMICS_CALLS } from '../store/store-economics.case.js';

const BIN = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
const dir = tempDir('costrail-economics-cli-');
const data = join(dir, 'data');
const costrail = (...args: string[]) => {
  const env = { ...process.env };
  delete env.COSTRAIL_ADMIN_TOKEN;
  delete env.COSTRAIL_DATA;
  const r = spawnSync(process.execPath, [BIN, ...args, '--data', data], { encoding: 'utf8', env });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  fs.writeFileSync(p, text);
  return p;
};
const WINDOW = ['--from', '2026-11-22T00:00:00Z', '--to', '2026-11-23T00:00:00Z'];

before(async () => {
  const store = await DuckDbStore.open(data);
  await store.insertRecords(ECONOMICS_CALLS);
  await store.close();
});

describe('economics CLI', () => {
  it('imports outcomes from CSV (a bad row refuses the file) and JSON Lines, idempotently', () => {
    const header = 'id,occurred_at,type,success,trace_id,call_ids,team,feature,attributes.channel\n';
    const rows = [
      'O1,2026-11-22T20:00:00Z,ticket_resolved,true,T1,,,,email',
      'O2,2026-11-22T20:00:00Z,csat,false,T1,,,,',
      'O3,2026-11-22T20:00:00Z,ticket_resolved,no,T2,,,,',
      'O4,2026-11-22T20:00:00Z,ticket_resolved,yes,,call-5,,,',
    ];
    const bad = file('bad.csv', header + rows.join('\n') + '\nO5,yesterday,ticket_resolved,maybe,T4,,,,\n');
    const refused = costrail('import', 'outcomes', bad);
    assert.equal(refused.code, 1);
    assert.match(refused.err, /line 6: .*occurred_at.*success|line 6: .*success/s);
    assert.match(refused.err, /nothing imported/);

    const skipped = costrail('import', 'outcomes', bad, '--skip-invalid', '--json');
    assert.equal(skipped.code, 0, skipped.err);
    const summary = JSON.parse(skipped.out) as { read: number; inserted: number; invalid: { line: number }[] };
    assert.deepEqual([summary.read, summary.inserted, summary.invalid.map((i) => i.line)], [5, 4, [6]]);

    const jsonl = file('more.jsonl', [
      JSON.stringify({ id: 'O5', occurred_at: '2026-11-22T20:00:00Z', type: 'ticket_resolved', success: true, trace_id: 'T4' }),
      JSON.stringify({ id: 'O6', occurred_at: '2026-11-22T20:00:00Z', type: 'ticket_resolved', success: true, trace_id: 'T-none', feature: 'support' }),
      JSON.stringify({ id: 'O7', occurred_at: '2026-11-22T20:00:00Z', type: 'ticket_resolved', success: false, trace_id: 'T2', team: 'other' }),
      '',
    ].join('\n'));
    const ok = costrail('import', 'outcomes', jsonl);
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /read 3, inserted 3, duplicates 0, invalid 0/);
    assert.match(costrail('import', 'outcomes', jsonl).out, /inserted 0, duplicates 3/);
  });

  it('report unit-economics --json gives the exact rows; the table is for people', () => {
    const r = costrail('report', 'unit-economics', ...WINDOW, '--by', 'feature', '--json');
    assert.equal(r.code, 0, r.err);
    const report = JSON.parse(r.out) as { rows: Record<string, unknown>[]; outcomes_without_calls: unknown };
    assert.deepEqual(report.rows.map((x) => [x.key, x.cost, x.outcomes, x.successful_outcomes, x.success_rate, x.cost_per_outcome, x.cost_per_successful_outcome, x.unlinked_cost]), [
      ['search', '1', 2, 2, '1', '0.5', '0.5', '0'],
      ['support', '1', 3, 1, '0.333333', '0.2', '0.6', '0.4'],
    ]);
    assert.deepEqual(report.outcomes_without_calls, { outcomes: 2, successful_outcomes: 1 });
    const table = costrail('report', 'unit-economics', ...WINDOW, '--by', 'model', '--type', 'ticket_resolved');
    assert.match(table.out, /m-a\s+\$0\.7000\s+3\s+1\s+1\s+100\.0%\s+\$0\.3000\s+\$0\.3000\s+\$0\.4000/);
    assert.match(table.out, /1 call\(s\) have no known price/);
    assert.equal(costrail('report', 'unit-economics', ...WINDOW, '--by', 'colour').code, 2);
  });

  it('imports revenue as a billing export writes it and refuses a margin in two currencies without a rate', () => {
    const csv = file('invoices.csv', 'Invoice,Customer ID,Service Period Start,Service Period End,Total,Currency,Status\nin_1,acme,2026-11-01,2026-11-30,100.00,usd,paid\nin_2,acme,2026-11-01,2026-11-30,20,EUR,paid\n');
    const imported = costrail('import', 'revenue', csv);
    assert.equal(imported.code, 0, imported.err);
    assert.match(imported.out, /read 2, written 2, invalid 0, ignored columns: Invoice, Status/);
    const refused = costrail('report', 'margin', '--from', '2026-11-01', '--to', '2026-12-01');
    assert.equal(refused.code, 1);
    assert.match(refused.err, /EUR \(acme\).*--rates|EUR \(acme\).*rate/);
    const r = costrail('report', 'margin', '--from', '2026-11-01', '--to', '2026-12-01', '--rates', 'EUR=1.1', '--json');
    assert.equal(r.code, 0, r.err);
    const acme = (JSON.parse(r.out) as { rows: Record<string, unknown>[] }).rows.find((x) => x.customer === 'acme');
    // 100 + 20 × 1.1 = 122; AI cost 0.1+0.2+0.3+0.4+1+5 = 7.
    assert.deepEqual([acme?.revenue, acme?.ai_cost, acme?.gross_margin, acme?.margin_pct], ['122', '7', '115', '94.26']);
  });

  it('compare prints the read-out and names the test', () => {
    const r = costrail('compare', '--feature', 'support', '--by', 'model', ...WINDOW);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /m-a \(baseline\)/);
    assert.match(r.out, /two-proportion z-test/);
    assert.equal(costrail('compare', '--feature', 'support', '--by', 'team', ...WINDOW).code, 2);
  });
});
