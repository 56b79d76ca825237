/** FOCUS 1.2 export on a real DuckDB store, checked against the reference column list. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { buildFocusRows, FOCUS_COLUMNS, focusCsv, type FocusRow } from '../../src/reports/focus-export.js';
import { emptyAttribution, type LedgerRecord } from '../../src/ledger/ledger-record.js';
import { loadPriceBook } from '../../src/pricing/catalog-loader.js';
import { Decimal } from '../../src/pricing/decimal.js';
import { planTraffic } from '../../src/simulator/traffic-model.js';
import { DuckDbStore } from '../../src/store/embedded/duckdb-store.js';
import { makeRecord } from '../store/ledger-fixtures.js';
import type { BilledLine } from '../../src/store/billed-line.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/temp-dir.js';

interface RefColumn {
  name: string;
  feature_level: string;
  allows_nulls: boolean;
  allowed_values: { value: string }[] | null;
}
const REF = (JSON.parse(readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'reference', 'focus_columns.json'), 'utf8')) as { columns: RefColumn[] }).columns;
const sum = (rows: FocusRow[], c: 'BilledCost' | 'EffectiveCost' | 'ListCost' | 'ContractedCost') => Decimal.sum(rows.map((r) => Decimal.parse(String(r[c])))).toString();

let dir: string;
let data: string;
let store: DuckDbStore;
before(async () => {
  dir = tempDir('costrail-focus-');
  data = join(dir, 'data');
  store = await DuckDbStore.open(data);
  const plan = planTraffic({ days: 3, requests: 4000, seed: 11, start: '2026-10-30', book: loadPriceBook() });
  await store.insertRecords([...plan.calls()].map((c) => c.record));
  const edge = (id: string, at: string, over: Partial<LedgerRecord> = {}) => makeRecord(0, { id, started_at: at, attribution: { ...emptyAttribution(), team: 'edge' }, ...over });
  await store.insertRecords([
    edge('edge-1', '2026-10-31T10:59:59.999Z'),
    edge('edge-2', '2026-10-31T11:00:00.000Z'),
    // A provider-reported total with no parts: an `other` row carries it.
    edge('edge-3', '2026-10-31T10:15:00.000Z', { usage: null, cost: { total: '0.5', input: '0', cache_read: '0', cache_write: '0', output: '0', reasoning: '0', audio: '0', image: '0', tools: '0', other: '0.5', currency: 'USD', source: 'provider' } }),
  ]);
});
after(async () => {
  await store.close();
});

test('every mandatory FOCUS 1.2 column is present, the rest are reference columns or x_ prefixed, header order stable', () => {
  const names = new Set(REF.map((c) => c.name));
  for (const c of REF.filter((c) => c.feature_level === 'Mandatory')) assert.ok((FOCUS_COLUMNS as readonly string[]).includes(c.name), c.name);
  for (const c of FOCUS_COLUMNS) assert.ok(names.has(c) || c.startsWith('x_'), c);
  for (const c of ['ConsumedQuantity', 'ConsumedUnit', 'SkuId', 'SkuPriceId', 'Tags']) assert.ok((FOCUS_COLUMNS as readonly string[]).includes(c), c);
  assert.equal(focusCsv([]), FOCUS_COLUMNS.join(',') + '\r\n');
});

test('values: non-null where FOCUS forbids nulls, allowed values, dates in FOCUS format, ServiceCategory AI and Machine Learning', async () => {
  const rows = await buildFocusRows(store, { from: '2026-10-30', to: '2026-11-02', grain: 'day' });
  assert.ok(rows.length > 50);
  for (const ref of REF.filter((c) => (FOCUS_COLUMNS as readonly string[]).includes(c.name))) {
    for (const r of rows) {
      const v = r[ref.name as keyof FocusRow];
      if (!ref.allows_nulls) assert.ok(v !== null && v !== undefined && v !== '', `${ref.name} is null`);
      if (v !== null && ref.allowed_values && ref.name !== 'ServiceSubcategory') assert.ok(ref.allowed_values.some((a) => a.value === v), `${ref.name}=${String(v)}`);
    }
  }
  assert.ok(rows.every((r) => r.ServiceCategory === 'AI and Machine Learning' && r.ChargeCategory === 'Usage'));
  assert.ok(rows.every((r) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(String(r.ChargePeriodStart))));
  assert.ok(rows.some((r) => r.x_usage_kind === 'cache_read' && r.ConsumedUnit === 'Tokens' && Number(r.ConsumedQuantity) > 0));
  assert.ok(rows.some((r) => r.x_priced === false && r.BilledCost === '0' && Number(r.ConsumedQuantity) > 0), 'unpriced consumption is exported, flagged');
  const other = rows.find((r) => r.x_team === 'edge' && r.x_usage_kind === 'other');
  assert.equal(other?.BilledCost, '0.5');
  assert.equal(other?.ConsumedQuantity, null);
  assert.ok(rows.some((r) => typeof r.Tags === 'string' && (JSON.parse(r.Tags) as Record<string, string>)['costrail/team'] === r.x_team));
});

test('BilledCost and EffectiveCost sum exactly to the ledger spend, per grain and period; charge periods are whole hours or days', async () => {
  for (const grain of ['hour', 'day'] as const) {
    for (const [from, to] of [['2026-10-30T00:00:00Z', '2026-11-02T00:00:00Z'], ['2026-10-31T10:00:00Z', '2026-11-01T00:00:00Z']] as const) {
      const rows = await buildFocusRows(store, { from, to, grain });
      const spend = await store.getSpend({ from, to, granularity: 'none' });
      for (const c of ['BilledCost', 'EffectiveCost', 'ListCost', 'ContractedCost'] as const) assert.equal(sum(rows, c), Decimal.parse(spend.total.cost).toString(), `${grain} ${c}`);
      const size = grain === 'hour' ? 3_600_000 : 86_400_000;
      for (const r of rows) {
        const s = Date.parse(String(r.ChargePeriodStart));
        assert.equal(Date.parse(String(r.ChargePeriodEnd)) - s, size);
        assert.equal(s % size, 0);
        assert.ok(s >= Date.parse(from) - size && s < Date.parse(to));
        const billing = new Date(s);
        assert.equal(r.BillingPeriodStart, `${billing.toISOString().slice(0, 7)}-01T00:00:00Z`);
      }
    }
  }
  const hourly = await buildFocusRows(store, { from: '2026-10-31', to: '2026-11-01', grain: 'hour' });
  const edgeInput = hourly.filter((r) => r.x_team === 'edge' && r.x_usage_kind === 'input');
  assert.deepEqual(edgeInput.map((r) => [r.ChargePeriodStart, r.ConsumedQuantity, r.x_requests]), [['2026-10-31T10:00:00Z', '176', 1], ['2026-10-31T11:00:00Z', '176', 1]]);
  // Across the month boundary, billing periods follow the charge period.
  const days = await buildFocusRows(store, { from: '2026-10-30', to: '2026-11-02', grain: 'day' });
  assert.ok(days.some((r) => r.BillingPeriodStart === '2026-11-01T00:00:00Z' && r.BillingPeriodEnd === '2026-12-01T00:00:00Z'));
});

test('costrail export focus writes CSV and typed Parquet that agree', async () => {
  const bin = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
  const copy = join(dir, 'copy');
  const sim = spawnSync(process.execPath, [bin, 'simulate', '--days', '2', '--requests', '800', '--start', '2026-10-01', '--data', copy, '--json'], { encoding: 'utf8' });
  assert.equal(sim.status, 0, sim.stderr);
  const simCost = (JSON.parse(sim.stdout) as { cost: string }).cost;
  const csv = spawnSync(process.execPath, [bin, 'export', 'focus', '--from', '2026-10-01', '--to', '2026-10-03', '--grain', 'hour', '--data', copy], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  assert.equal(csv.status, 0, csv.stderr);
  const lines = csv.stdout.trimEnd().split('\r\n');
  assert.equal(lines[0], FOCUS_COLUMNS.join(','));
  const out = join(dir, 'focus.parquet');
  const pq = spawnSync(process.execPath, [bin, 'export', 'focus', '--from', '2026-10-01', '--to', '2026-10-03', '--grain', 'hour', '--data', copy, '--out', out], { encoding: 'utf8' });
  assert.equal(pq.status, 0, pq.stderr);
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  const res = await conn.runAndReadAll(`SELECT count(*)::VARCHAR AS n, sum("BilledCost")::VARCHAR AS cost, typeof(any_value("BilledCost")) AS t FROM read_parquet('${out}')`);
  const [row] = res.getRowObjects();
  conn.closeSync();
  db.closeSync();
  assert.equal(Number(row?.n), lines.length - 1);
  assert.equal(Decimal.parse(String(row?.cost)).toString(), simCost);
  assert.equal(row?.t, 'DECIMAL(38,18)');
  const bad = spawnSync(process.execPath, [bin, 'export', 'focus', '--from', '2026-10-03', '--to', '2026-10-01', '--data', copy], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^costrail: --from .* must be before to/);
});

test('billed line items join the export: the bill carries a covered provider-day, its metered rows keep their figure in x_metered_cost only', async () => {
  const from = '2026-10-30';
  const to = '2026-11-02';
  const before = await buildFocusRows(store, { from, to, grain: 'day' });
  const covered = '2026-10-31';
  const provider = String(before.find((r) => String(r.ChargePeriodStart).startsWith(covered))?.x_provider);
  const meteredThatDay = Decimal.sum(before.filter((r) => r.x_provider === provider && String(r.ChargePeriodStart).startsWith(covered)).map((r) => Decimal.parse(String(r.BilledCost))));
  const bill = (n: number, charge_kind: 'usage' | 'tax' | 'credit' | 'discount', amount: string): BilledLine => ({
    provider, account: 'acct-1', service: null, model: charge_kind === 'usage' ? 'gpt-4o' : null, charge_kind, token_class: null, quantity: null, unit: null,
    amount, currency: 'USD', amount_usd: amount, charge_start: `${covered}T00:00:00.000Z`, charge_end: '2026-11-01T00:00:00.000Z', invoice_period: '2026-10', team: null, description: null, line: n,
  });
  const lines = [bill(1, 'usage', '41.250000000000000001'), bill(2, 'usage', '0.75'), bill(3, 'tax', '3.3'), bill(4, 'credit', '-5'), bill(5, 'discount', '-1.25')];
  const meta = { import_id: 'focus-bill', format: 'openai-costs' as const, source: 'focus-test', file: 'bill.json' };
  await store.billed.begin(meta);
  await store.billed.append(meta.import_id, lines);
  await store.billed.commit(meta.import_id);
  const billedTotal = Decimal.sum(lines.map((l) => Decimal.parse(l.amount)));

  const rows = await buildFocusRows(store, { from, to, grain: 'day' });
  const billed = rows.filter((r) => r.x_source === 'billed');
  assert.deepEqual(billed.map((r) => [r.ChargeCategory, r.BilledCost]).sort(), [['Adjustment', '-1.25'], ['Credit', '-5'], ['Tax', '3.3'], ['Usage', '42.000000000000000001']]);
  assert.ok(billed.every((r) => r.x_provider === provider && r.BillingAccountId === 'acct-1' && r.ChargePeriodStart === `${covered}T00:00:00Z` && r.InvoiceIssuerName === before.find((b) => b.x_provider === provider)?.InvoiceIssuerName));
  // The covered day's metered rows: zero in every cost column, the metered figure kept apart.
  const coveredMetered = rows.filter((r) => r.x_source === 'metered' && r.x_provider === provider && String(r.ChargePeriodStart).startsWith(covered));
  assert.ok(coveredMetered.length > 0 && coveredMetered.every((r) => r.BilledCost === '0' && r.EffectiveCost === '0'));
  assert.equal(Decimal.sum(coveredMetered.map((r) => Decimal.parse(String(r.x_metered_cost)))).toString(), meteredThatDay.toString());
  // No dollar twice: the sum of BilledCost is the metered spend minus the covered day's plus the bill.
  const spend = await store.getSpend({ from, to, granularity: 'none' });
  for (const c of ['BilledCost', 'EffectiveCost'] as const) assert.equal(sum(rows, c), Decimal.parse(spend.total.cost).sub(meteredThatDay).add(billedTotal).toString(), c);
  // Every billed row passes the FOCUS reference's null and allowed-value rules too.
  for (const ref of REF.filter((c) => (FOCUS_COLUMNS as readonly string[]).includes(c.name))) {
    for (const r of billed) {
      const v = r[ref.name as keyof FocusRow];
      if (!ref.allows_nulls) assert.ok(v !== null && v !== undefined && v !== '', `${ref.name} is null on a billed row`);
      if (v !== null && ref.allowed_values && ref.name !== 'ServiceSubcategory') assert.ok(ref.allowed_values.some((a) => a.value === v), `${ref.name}=${String(v)}`);
    }
  }
  // Asked without the bill, the export is the metered ledger alone, as before.
  assert.equal(sum(await buildFocusRows(store, { from, to, grain: 'day', billed: false }), 'BilledCost'), Decimal.parse(spend.total.cost).toString());
});
