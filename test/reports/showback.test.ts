/** Showback on a real DuckDB store: owners, pools, allocations on their own lines, exact reconciliation. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseAllocationRule, splitExact } from '../../src/analytics/allocation.js';
import { monthPeriod } from '../../src/reports/report-period.js';
import { showbackCsv } from '../../src/reports/showback-csv.js';
import { showbackMarkdown } from '../../src/reports/showback-markdown.js';
import { buildShowback, type ShowbackReport } from '../../src/reports/showback.js';
import { emptyAttribution, type LedgerRecord } from '../../src/ledger/ledger-record.js';
import { loadPriceBook } from '../../src/pricing/catalog-loader.js';
import { Decimal } from '../../src/pricing/decimal.js';
import { planTraffic } from '../../src/simulator/traffic-model.js';
import { DuckDbStore } from '../../src/store/embedded/duckdb-store.js';
import { makeRecord } from '../store/ledger-fixtures.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/temp-dir.js';

const D = (s: string) => Decimal.parse(s);
const sum = (xs: string[]) => Decimal.sum(xs.map(D)).toString();

function rec(id: string, at: string, team: string | null, model: string, total: string, feature: string | null = 'f'): LedgerRecord {
  return makeRecord(0, {
    id,
    started_at: at,
    model,
    attribution: { ...emptyAttribution(), team, feature },
    cost: { total, input: total, cache_read: '0', cache_write: '0', output: '0', reasoning: '0', audio: '0', image: '0', tools: '0', other: '0', currency: 'USD', source: 'price_book' },
  });
}

let dir: string;
let hand: DuckDbStore;
before(async () => {
  dir = tempDir('costrail-showback-');
  hand = await DuckDbStore.open(join(dir, 'hand'));
  await hand.insertRecords([
    rec('s1', '2026-09-10T10:00:00Z', 'search', 'gpt-4o-mini', '10'),
    rec('s2', '2026-10-02T10:00:00Z', 'search', 'gpt-4o-mini', '12'),
    rec('s3', '2026-10-03T10:00:00Z', 'search', 'gpt-4.1', '18'),
    rec('u1', '2026-10-04T10:00:00Z', 'support', 'claude-haiku-4-5', '10'),
    rec('n1', '2026-10-05T10:00:00Z', null, 'gpt-4o-mini', '7', null),
    rec('p1', '2026-10-06T10:00:00Z', 'platform', 'gpt-5-mini', '3'),
    // Outside October: the last instant before, and the first after.
    rec('x1', '2026-09-30T23:59:59.999Z', 'support', 'gpt-4o-mini', '100'),
    rec('x2', '2026-11-01T00:00:00Z', 'support', 'gpt-4o-mini', '100'),
  ]);
});
after(async () => {
  await hand.close();
});

test('splitExact: parts sum to the pool exactly, shares follow the weights', () => {
  const parts = splitExact(D('10'), [D('1'), D('1'), D('1')]);
  assert.equal(sum(parts.map(String)), '10');
  assert.deepEqual(parts.map(String), ['3.333333333333333334', '3.333333333333333333', '3.333333333333333333']);
  assert.deepEqual(splitExact(D('7'), [D('30'), D('10')]).map(String), ['5.25', '1.75']);
  assert.throws(() => parseAllocationRule('fixed:a=60,b=30'), /sum to 90, not 100/);
  assert.throws(() => parseAllocationRule('weighted'), /allocate must be/);
});

test('month boundaries honour the time zone', () => {
  assert.deepEqual(monthPeriod('2026-01').previous, { label: '2025-12', from: '2025-12-01T00:00:00.000Z', to: '2026-01-01T00:00:00.000Z' });
  assert.equal(monthPeriod('2026-10', 'America/New_York').current.from, '2026-10-01T04:00:00.000Z');
  assert.equal(monthPeriod('2026-10', 'America/New_York').current.to, '2026-11-01T04:00:00.000Z');
  assert.equal(monthPeriod('2026-11', 'America/New_York').current.to, '2026-12-01T05:00:00.000Z');
});

test('owners, pools and a proportional allocation on separate lines', async () => {
  const r = await buildShowback(hand, { period: '2026-10', by: ['team'], allocate: parseAllocationRule('proportional'), shared: ['platform'] });
  assert.equal(r.totals.ledger, '50');
  assert.equal(r.totals.previous_ledger, '110');
  assert.deepEqual(r.owners.map((o) => [o.label, o.direct, o.allocated, o.total]), [
    ['search', '30', '7.5', '37.5'],
    ['support', '10', '2.5', '12.5'],
  ]);
  const search = r.owners[0];
  assert.deepEqual(search?.allocations, [
    { pool: '(unattributed)', amount: '5.25' },
    { pool: 'platform', amount: '2.25' },
  ]);
  assert.equal(search?.previous, '10');
  assert.equal(search?.change, '20');
  assert.equal(search?.change_pct, 200);
  assert.deepEqual(search?.drivers[0], { kind: 'model', name: 'gpt-4.1', previous: '0', current: '18', change: '18' });
  assert.deepEqual(search?.models.map((m) => [m.model, m.cost, m.requests]), [['gpt-4.1', '18', 1], ['gpt-4o-mini', '12', 1]]);
  assert.deepEqual(r.pools.map((p) => [p.kind, p.label, p.cost, p.allocated, p.unallocated]), [
    ['unattributed', '(unattributed)', '7', '7', '0'],
    ['shared', 'platform', '3', '3', '0'],
  ]);
  assert.equal(r.drivers[0]?.owner, 'support');
  assert.equal(r.drivers[0]?.change, '-100');
  assert.equal(r.drivers[0]?.name, 'gpt-4o-mini');

  const none = await buildShowback(hand, { period: '2026-10', by: ['team'] });
  assert.deepEqual(none.owners.map((o) => [o.label, o.total]), [['search', '30'], ['platform', '3'], ['support', '10']].sort((a, b) => Number(b[1]) - Number(a[1])));
  assert.equal(none.totals.unallocated, '7');

  const fixed = await buildShowback(hand, { period: '2026-10', by: ['team'], allocate: parseAllocationRule('fixed:support=60,ops=40') });
  assert.deepEqual(fixed.owners.map((o) => [o.label, o.direct, o.allocated]), [['search', '30', '0'], ['support', '10', '4.2'], ['platform', '3', '0'], ['ops', '0', '2.8']]);

  await assert.rejects(buildShowback(hand, { period: '2026-10', by: ['team'], allocate: parseAllocationRule('fixed:platform=50,search=50'), shared: ['platform'] }), /"platform" is shared spend/);

  const md = showbackMarkdown(r);
  assert.match(md, /\| search \| \$30\.00 \| \$7\.50 \| \$37\.50 \| \$10\.00 \| \+\$20\.00 \(\+200\.0%\)/);
  assert.match(md, /\| search \| \(unattributed\) \| \$5\.25 \|/);
});

function checkReconciles(r: ShowbackReport, ledger: Decimal): void {
  assert.equal(r.totals.ledger, ledger.toString());
  assert.equal(sum([...r.owners.map((o) => o.direct), ...r.pools.map((p) => p.cost)]), ledger.toString());
  assert.equal(sum([...r.owners.map((o) => o.total), ...r.pools.map((p) => p.unallocated)]), ledger.toString());
  assert.equal(sum(r.owners.map((o) => o.allocated)), r.totals.allocated);
  for (const o of r.owners) {
    assert.equal(sum(o.models.map((m) => m.cost)), o.direct, o.label);
    assert.equal(sum(o.allocations.map((a) => a.amount)), o.allocated, o.label);
  }
  // The CSV's direct and pool lines add up to its ledger line.
  const lines = showbackCsv(r).trim().split('\r\n').map((l) => l.split(','));
  const header = lines[0] ?? [];
  const cost = header.indexOf('cost');
  const pick = (kind: string) => lines.filter((l) => l[1] === kind).map((l) => l[cost] ?? '');
  assert.equal(sum([...pick('direct'), ...pick('pool')]), ledger.toString());
  assert.equal(pick('ledger_total')[0], ledger.toString());
}

test('on two months of simulated traffic every rule reconciles to the ledger to the last digit', async () => {
  const store = await DuckDbStore.open(join(dir, 'sim'));
  try {
    const plan = planTraffic({ days: 61, requests: 30000, seed: 3, start: '2026-09-01', book: loadPriceBook() });
    let october = Decimal.ZERO;
    let batch: LedgerRecord[] = [];
    for (const { record } of plan.calls()) {
      if (record.started_at.startsWith('2026-10') && record.cost) october = october.add(D(record.cost.total));
      batch.push(record);
      if (batch.length === 5000) {
        await store.insertRecords(batch);
        batch = [];
      }
    }
    await store.insertRecords(batch);
    for (const allocate of ['none', 'proportional', 'even', 'fixed:search=50,support=30,growth=20']) {
      for (const by of [['team'], ['team', 'feature'], ['customer']]) {
        const r = await buildShowback(store, { period: '2026-10', by, allocate: parseAllocationRule(allocate), shared: by[0] === 'team' ? ['platform'] : [] });
        checkReconciles(r, october);
        if (allocate !== 'none') assert.equal(r.totals.unallocated, '0', `${allocate} ${by}`);
        assert.ok(r.pools.some((p) => p.kind === 'unattributed' && D(p.cost).cmp(Decimal.ZERO) > 0));
      }
    }
  } finally {
    await store.close();
  }
});

test('costrail report showback prints Markdown, CSV and JSON through the API', () => {
  const data = join(dir, 'cli');
  const bin = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
  const sim = spawnSync(process.execPath, [bin, 'simulate', '--days', '40', '--requests', '2000', '--start', '2026-09-01', '--data', data, '--json'], { encoding: 'utf8' });
  assert.equal(sim.status, 0, sim.stderr);
  const json = spawnSync(process.execPath, [bin, 'report', 'showback', '--period', '2026-10', '--by', 'team', '--allocate', 'even', '--data', data, '--json'], { encoding: 'utf8' });
  assert.equal(json.status, 0, json.stderr);
  const r = JSON.parse(json.stdout) as ShowbackReport;
  assert.equal(r.allocation.rule, 'even');
  assert.equal(sum([...r.owners.map((o) => o.total), ...r.pools.map((p) => p.unallocated)]), r.totals.ledger);
  const md = spawnSync(process.execPath, [bin, 'report', 'showback', '--period', '2026-10', '--data', data], { encoding: 'utf8' });
  assert.equal(md.status, 0, md.stderr);
  assert.match(md.stdout, /^# Showback 2026-10 by team/);
  assert.match(md.stdout, /## Unattributed and shared spend/);
  const bad = spawnSync(process.execPath, [bin, 'report', 'showback', '--period', '2026-10', '--allocate', 'fixed:a=1', '--data', data], { encoding: 'utf8' });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^costrail: allocate fixed: percentages sum to 1, not 100 \(HTTP 400\)\n$/);
});
