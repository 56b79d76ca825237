/**
 * Coverage as a trend, to the last digit, on the embedded DuckDB store and on PostgreSQL (a schema
 * of its own, dropped afterwards; with CI=true an unreachable server fails the run). Planted:
 * metered and unmetered accounts, a team share that changes from day to day, an unmetered account
 * whose bill line names a team, and tax (never counted as usage).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { mulDiv, weekOf } from '../../src/billing/coverage-trend.js';
import { parseReconciliationQuery, reconcile, type ReconciliationQuery } from '../../src/billing/reconciliation.js';
import { ReconciliationSchema } from '../../src/billing/billing-api-schemas.js';
import { emptyAttribution, type LedgerRecord } from '../../src/ledger/ledger-record.js';
import { Decimal } from '../../src/pricing/decimal.js';
import type { BilledLine, ChargeKind } from '../../src/store/billed-line.js';
import { DuckDbStore } from '../../src/store/embedded/duckdb-store.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { Store } from '../../src/store/store.js';
import { dropSchemas, PG_URL, postgresAvailable } from '../helpers/postgres.js';
import { tempDir } from '../helpers/temp-dir.js';
import { makeRecord } from '../store/ledger-fixtures.js';

let n = 0;
function call(provider: string, at: string, total: string, project: string, team: string | null): LedgerRecord {
  const base = makeRecord(++n);
  return { ...base, provider, started_at: at, ended_at: at, cost: { ...base.cost!, total, input: total, cache_read: '0', output: '0' }, attribution: { ...emptyAttribution(), project, team }, key_id: null };
}

function bill(line: number, provider: string, day: string, account: string, amount: string, kind: ChargeKind = 'usage', team: string | null = null): BilledLine {
  const start = `${day}T00:00:00.000Z`;
  return {
    provider, account, service: null, model: null, charge_kind: kind, token_class: null, quantity: null, unit: null,
    amount, currency: 'USD', amount_usd: amount, charge_start: start, charge_end: new Date(Date.parse(start) + 86_400_000).toISOString(), invoice_period: '2026-11', team, description: null, line,
  };
}

async function plant(store: Store): Promise<void> {
  await store.insertRecords([
    // openai, Monday 2 Nov: 3 of 4 observed dollars carry a team.
    call('openai', '2026-11-02T09:00:00Z', '3', 'proj_a', 'search'),
    call('openai', '2026-11-02T10:00:00Z', '1', 'proj_a', null),
    // Tuesday: none does.
    call('openai', '2026-11-03T10:00:00Z', '2', 'proj_a', null),
    // The next Monday: all of it does.
    call('openai', '2026-11-09T10:00:00Z', '5', 'proj_a', 'search'),
    call('anthropic', '2026-11-02T12:00:00Z', '1', 'wrkspc_1', 'research'),
  ]);
  const lines = [
    bill(1, 'openai', '2026-11-02', 'proj_a', '8'),
    bill(2, 'openai', '2026-11-02', 'proj_shadow', '2'),
    bill(3, 'openai', '2026-11-02', 'proj_a', '1.7', 'tax'),
    bill(4, 'openai', '2026-11-03', 'proj_a', '2'),
    bill(5, 'openai', '2026-11-09', 'proj_a', '4'),
    bill(6, 'openai', '2026-11-09', 'proj_ghost', '1', 'usage', 'growth'),
    bill(7, 'anthropic', '2026-11-02', 'wrkspc_1', '3'),
  ];
  const meta = { import_id: 'trend-bill', format: 'openai-costs' as const, source: 'trend-test', file: 'bill.json' };
  await store.billed.begin(meta);
  await store.billed.append(meta.import_id, lines);
  await store.billed.commit(meta.import_id);
}

const query = (trend: string): ReconciliationQuery => {
  const q = parseReconciliationQuery({ from: '2026-11-01T00:00:00Z', to: '2026-12-01T00:00:00Z', trend });
  assert.ok(!('error' in q), JSON.stringify(q));
  return q;
};
type Row = [string, string | null, string, string, string, number | null, number | null];

function trendConformance(name: string, open: () => Promise<Store>): void {
  describe(`coverage trend: ${name}`, () => {
    let store: Store;
    before(async () => {
      store = await open();
      await plant(store);
    });
    after(async () => {
      await store?.close();
    });

    it('per day: each provider and overall, shares of billed usage, exact', async () => {
      const r = await reconcile(store, query('day'));
      assert.deepEqual(ReconciliationSchema.parse(r), r);
      const rows: Row[] = r.coverage_trend.map((p) => [p.period, p.provider, p.billed_usage, p.metered_usage, p.attributed_usage, p.metered_pct, p.attributed_pct]);
      assert.deepEqual(rows, [
        // 8 of 10 on proj_a (metered); 3/4 of the day's observed cost has a team: 8 × 0.75 = 6.
        ['2026-11-02', 'anthropic', '3', '3', '3', 100, 100],
        ['2026-11-02', 'openai', '10', '8', '6', 80, 60],
        ['2026-11-02', null, '13', '11', '9', 84.62, 69.23],
        ['2026-11-03', 'openai', '2', '2', '0', 100, 0],
        ['2026-11-03', null, '2', '2', '0', 100, 0],
        // proj_ghost is unmetered, but its bill line names a team: 4 × 1 + 1.
        ['2026-11-09', 'openai', '5', '4', '5', 80, 100],
        ['2026-11-09', null, '5', '4', '5', 80, 100],
      ]);
      // The trend's metered usage adds up to the range's; the range figure is unchanged (17 of 20).
      const overall = r.coverage_trend.filter((p) => p.provider === null);
      assert.equal(Decimal.sum(overall.map((p) => Decimal.parse(p.metered_usage))).toString(), '17');
      assert.equal(Decimal.sum(overall.map((p) => Decimal.parse(p.billed_usage))).toString(), '20');
      assert.equal(r.coverage.metered_pct, 85);
      // Per provider over the range: openai's observed 11 has 8 with a team, 14 × 8/11 rounded to 12 decimals, + proj_ghost's 1.
      assert.deepEqual(r.coverage_by_provider, [
        { provider: 'anthropic', billed_usage: '3', metered_usage: '3', attributed_usage: '3', metered_pct: 100, attributed_pct: 100 },
        { provider: 'openai', billed_usage: '17', metered_usage: '14', attributed_usage: '11.181818181818', metered_pct: 82.35, attributed_pct: 65.78 },
      ]);
      assert.deepEqual(r.coverage, { metered_pct: 85, attributed_pct: 70.91 });
    });

    it('per week (Monday start): the week\'s own team share', async () => {
      const r = await reconcile(store, query('week'));
      const rows: Row[] = r.coverage_trend.map((p) => [p.period, p.provider, p.billed_usage, p.metered_usage, p.attributed_usage, p.metered_pct, p.attributed_pct]);
      assert.deepEqual(rows, [
        ['2026-11-02', 'anthropic', '3', '3', '3', 100, 100],
        // 10 metered × 3/6 observed with a team = 5.
        ['2026-11-02', 'openai', '12', '10', '5', 83.33, 41.67],
        ['2026-11-02', null, '15', '13', '8', 86.67, 53.33],
        ['2026-11-09', 'openai', '5', '4', '5', 80, 100],
        ['2026-11-09', null, '5', '4', '5', 80, 100],
      ]);
    });
  });
}

describe('coverage trend arithmetic', () => {
  it('rounds the one quotient half-up to 12 decimals, signs kept', () => {
    const d = (s: string): Decimal => Decimal.parse(s);
    assert.equal(mulDiv(d('1'), d('1'), d('3')).toString(), '0.333333333333');
    assert.equal(mulDiv(d('2'), d('1'), d('3')).toString(), '0.666666666667');
    assert.equal(mulDiv(d('-2'), d('1'), d('3')).toString(), '-0.666666666667');
    assert.equal(mulDiv(d('8'), d('0.3'), d('0.4')).toString(), '6');
    assert.equal(mulDiv(d('0.000000000001'), d('1'), d('2')).toString(), '0.000000000001');
  });
  it('weeks start on Monday', () => {
    assert.deepEqual(['2026-11-01', '2026-11-02', '2026-11-08', '2026-11-09'].map(weekOf), ['2026-10-26', '2026-11-02', '2026-11-02', '2026-11-09']);
  });
  it('refuses an unknown trend grain', () => {
    assert.deepEqual(parseReconciliationQuery({ from: '2026-11-01', to: '2026-11-02', trend: 'month' }), { error: 'trend must be day or week (got "month")' });
  });
});

trendConformance('embedded DuckDB', () => DuckDbStore.open(tempDir('costrail-trend-')));

const available = await postgresAvailable('the coverage trend tests');
if (available) {
  const schema = `costrail_trend_${process.pid}_${randomBytes(3).toString('hex')}`;
  after(() => dropSchemas([schema]));
  trendConformance('PostgreSQL', () => PostgresStore.open(PG_URL, { schema, maxConnections: 3 }));
}
