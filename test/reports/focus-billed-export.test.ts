/**
 * `costrail export focus` with billed line items of every charge kind next to the metered ledger,
 * as CSV and as Parquet: each charge kind lands in its FOCUS ChargeCategory with the provider as
 * InvoiceIssuerName, BilledCost over the billed rows is the bill to the last digit, the metered
 * rows of a bill-covered provider-day carry 0 (their figure in x_metered_cost), and no dollar is
 * summed twice.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { emptyAttribution, type LedgerRecord } from '../../src/ledger/ledger-record.js';
import { Decimal } from '../../src/pricing/decimal.js';
import type { BilledLine, ChargeKind } from '../../src/store/billed-line.js';
import { DuckDbStore } from '../../src/store/embedded/duckdb-store.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/temp-dir.js';
import { makeRecord } from '../store/ledger-fixtures.js';

const BIN = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
const COVERED = '2026-11-05';

function call(i: number, at: string, total: string, team: string): LedgerRecord {
  const base = makeRecord(i);
  return { ...base, id: `fb-${i}`, provider: 'openai', started_at: at, ended_at: at, cost: { ...base.cost!, total, input: total, cache_read: '0', output: '0' }, attribution: { ...emptyAttribution(), team } };
}

const KINDS: [ChargeKind, string, string][] = [
  ['usage', '12.345678901234567891', 'Usage'],
  ['tax', '1.1', 'Tax'],
  ['credit', '-2', 'Credit'],
  ['refund', '-0.5', 'Credit'],
  ['discount', '-0.25', 'Adjustment'],
  ['fee', '0.3', 'Adjustment'],
  ['commitment_purchase', '100', 'Purchase'],
];
const BILLED_TOTAL = Decimal.sum(KINDS.map(([, a]) => Decimal.parse(a))).toString();

function bill(line: number, kind: ChargeKind, amount: string): BilledLine {
  return {
    provider: 'openai', account: 'proj_abc', service: 'OpenAI API', model: kind === 'usage' ? 'gpt-4o' : null, charge_kind: kind, token_class: null, quantity: null, unit: null,
    amount, currency: 'USD', amount_usd: amount, charge_start: `${COVERED}T00:00:00.000Z`, charge_end: '2026-11-06T00:00:00.000Z', invoice_period: '2026-11', team: null, description: null, line,
  };
}

let data: string;
let dir: string;
before(async () => {
  dir = tempDir('costrail-focus-billed-');
  data = join(dir, 'data');
  const store = await DuckDbStore.open(data);
  try {
    // Metered: 4 + 0.75 on the covered day, 2.5 the day after (no bill there).
    await store.insertRecords([call(1, `${COVERED}T09:00:00Z`, '4', 'search'), call(2, `${COVERED}T15:00:00Z`, '0.75', 'growth'), call(3, '2026-11-06T10:00:00Z', '2.5', 'search')]);
    const meta = { import_id: 'fb-bill', format: 'openai-costs' as const, source: 'fb-test', file: 'bill.json' };
    await store.billed.begin(meta);
    await store.billed.append(meta.import_id, KINDS.map(([kind, amount], i) => bill(i + 1, kind, amount)));
    await store.billed.commit(meta.import_id);
  } finally {
    await store.close();
  }
});

function exportFocus(out: string, extra: string[] = []): void {
  const r = spawnSync(process.execPath, [BIN, 'export', 'focus', '--from', '2026-11-01', '--to', '2026-12-01', '--data', data, '--out', out, ...extra], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}

/** Reads an exported file back through DuckDB (CSV with every column as text, or the typed Parquet). */
async function query(sql: string): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    return (await conn.runAndReadAll(sql)).getRowObjects();
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}
const csvFrom = (file: string): string => `read_csv('${file}', header = true, all_varchar = true)`;

test('CSV: billed rows per charge kind, metered rows told apart, BilledCost never counts a dollar twice', async () => {
  const file = join(dir, 'focus.csv');
  exportFocus(file);
  const rows = await query(`SELECT x_source, ChargeCategory, x_usage_kind, BilledCost, EffectiveCost, x_metered_cost, InvoiceIssuerName, ProviderName, BillingAccountId, ChargePeriodStart, ChargePeriodEnd, BillingPeriodStart, BillingPeriodEnd FROM ${csvFrom(file)}`);
  const billed = rows.filter((r) => r['x_source'] === 'billed');
  const metered = rows.filter((r) => r['x_source'] === 'metered');
  assert.equal(billed.length + metered.length, rows.length, 'every row says where it comes from');
  assert.deepEqual(
    billed.map((r) => [r['x_usage_kind'], r['ChargeCategory'], r['BilledCost'], r['EffectiveCost']]).sort(),
    KINDS.map(([kind, amount, category]) => [kind, category, amount, amount]).sort(),
  );
  for (const r of billed) {
    assert.deepEqual([r['InvoiceIssuerName'], r['ProviderName'], r['BillingAccountId']], ['OpenAI', 'OpenAI', 'proj_abc']);
    assert.deepEqual([r['ChargePeriodStart'], r['ChargePeriodEnd'], r['BillingPeriodStart'], r['BillingPeriodEnd']], [`${COVERED}T00:00:00Z`, '2026-11-06T00:00:00Z', '2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z']);
  }
  const sum = (rs: Record<string, unknown>[], c: string): string => Decimal.sum(rs.map((r) => Decimal.parse(String(r[c])))).toString();
  assert.equal(sum(billed, 'BilledCost'), BILLED_TOTAL);
  // The covered day's metered rows: 0 in the cost columns, the ledger's 4.75 kept in x_metered_cost.
  const covered = metered.filter((r) => String(r['ChargePeriodStart']).startsWith(COVERED));
  assert.ok(covered.length >= 2 && covered.every((r) => r['BilledCost'] === '0' && r['EffectiveCost'] === '0'));
  assert.equal(sum(covered, 'x_metered_cost'), '4.75');
  // The uncovered day keeps its metered cost; the file's BilledCost is the bill plus that day.
  const uncovered = metered.filter((r) => String(r['ChargePeriodStart']).startsWith('2026-11-06'));
  assert.equal(sum(uncovered, 'BilledCost'), '2.5');
  assert.equal(sum(rows, 'BilledCost'), Decimal.parse(BILLED_TOTAL).add(Decimal.parse('2.5')).toString());
  assert.equal(sum(rows, 'EffectiveCost'), sum(rows, 'BilledCost'));
});

test('Parquet: the same rows, typed; summing BilledCost by x_source gives the bill and the uncovered ledger exactly', async () => {
  const file = join(dir, 'focus.parquet');
  exportFocus(file);
  const csv = join(dir, 'focus-again.csv');
  exportFocus(csv);
  const [counts] = await query(`SELECT (SELECT count(*) FROM read_parquet('${file}'))::VARCHAR AS pq, (SELECT count(*) FROM ${csvFrom(csv)})::VARCHAR AS csv`);
  assert.equal(counts?.['pq'], counts?.['csv']);
  const bySource = await query(`SELECT x_source, sum(BilledCost)::VARCHAR AS billed, sum(x_metered_cost)::VARCHAR AS metered, typeof(any_value(BilledCost)) AS t FROM read_parquet('${file}') GROUP BY x_source ORDER BY x_source`);
  const dec = (v: unknown): string | null => (v === null ? null : Decimal.parse(String(v)).toString());
  assert.deepEqual(
    bySource.map((r) => [r['x_source'], dec(r['billed']), dec(r['metered']), r['t']]),
    [
      ['billed', BILLED_TOTAL, null, 'DECIMAL(38,18)'],
      ['metered', '2.5', '7.25', 'DECIMAL(38,18)'],
    ],
  );
  const [purchase] = await query(`SELECT ChargeCategory, ChargeFrequency, BilledCost::VARCHAR AS cost FROM read_parquet('${file}') WHERE x_usage_kind = 'commitment_purchase'`);
  assert.deepEqual([purchase?.['ChargeCategory'], purchase?.['ChargeFrequency'], dec(purchase?.['cost'])], ['Purchase', 'One-Time', '100']);
});

test('--no-billed: the metered ledger alone, at its own cost', async () => {
  const file = join(dir, 'metered.csv');
  exportFocus(file, ['--no-billed']);
  const [r] = await query(`SELECT count(*) FILTER (WHERE x_source <> 'metered')::VARCHAR AS other, sum(BilledCost::DECIMAL(38,18))::VARCHAR AS cost FROM ${csvFrom(file)}`);
  assert.deepEqual([r?.['other'], Decimal.parse(String(r?.['cost'])).toString()], ['0', '7.25']);
});
