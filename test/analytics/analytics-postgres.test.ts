/**
 * The analytics layer on the PostgreSQL store (the real server; a schema of its own, dropped
 * after): showback reconciles, FOCUS sums to the ledger, re-pricing and retention work the same
 * as on DuckDB. With CI=true an unreachable server fails the run; otherwise these tests skip.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import pg from 'pg';
import { parseAllocationRule } from '../../src/analytics/allocation.js';
import { buildFocusRows } from '../../src/reports/focus-export.js';
import { repriceLedger } from '../../src/ledger-admin/reprice.js';
import { applyRetention } from '../../src/ledger-admin/retention.js';
import { buildShowback } from '../../src/reports/showback.js';
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import { loadPriceBook, overridesPath } from '../../src/pricing/catalog-loader.js';
import { Decimal } from '../../src/pricing/decimal.js';
import { planTraffic } from '../../src/simulator/traffic-model.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { PG_URL, postgresAvailable } from '../helpers/postgres.js';
import { tempDir } from '../helpers/temp-dir.js';

const URL = PG_URL;
const SCHEMA = `costrail_an${process.pid}_${randomBytes(3).toString('hex')}`;

const available = await postgresAvailable('the PostgreSQL analytics tests');

const D = (s: string) => Decimal.parse(s);
const sum = (xs: string[]) => Decimal.sum(xs.map(D)).toString();

describe('analytics on PostgreSQL', { skip: !available && 'PostgreSQL not reachable' }, () => {
  let store: PostgresStore;
  let october = Decimal.ZERO;
  before(async () => {
    store = await PostgresStore.open(URL, { schema: SCHEMA, maxConnections: 3 });
    const plan = planTraffic({ days: 61, requests: 12000, seed: 5, start: '2026-09-01', book: loadPriceBook() });
    let batch: LedgerRecord[] = [];
    for (const { record } of plan.calls()) {
      if (record.started_at.startsWith('2026-10') && record.cost) october = october.add(D(record.cost.total));
      batch.push(record);
      if (batch.length === 4000) {
        await store.insertRecords(batch);
        batch = [];
      }
    }
    await store.insertRecords(batch);
  });
  after(async () => {
    await store?.close();
    const c = new pg.Client({ connectionString: URL });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
    await c.end();
  });

  it('showback reconciles to the ledger under every rule', async () => {
    for (const allocate of ['none', 'proportional', 'even', 'fixed:search=70,data=30']) {
      const r = await buildShowback(store, { period: '2026-10', by: ['team', 'feature'], allocate: parseAllocationRule(allocate), shared: ['platform'] });
      assert.equal(r.totals.ledger, october.toString());
      assert.equal(sum([...r.owners.map((o) => o.direct), ...r.pools.map((p) => p.cost)]), october.toString());
      assert.equal(sum([...r.owners.map((o) => o.total), ...r.pools.map((p) => p.unallocated)]), october.toString());
    }
  });

  it('FOCUS BilledCost sums to getSpend exactly', async () => {
    const rows = await buildFocusRows(store, { from: '2026-10-01', to: '2026-10-08', grain: 'hour' });
    const spend = await store.getSpend({ from: '2026-10-01T00:00:00Z', to: '2026-10-08T00:00:00Z' });
    assert.equal(sum(rows.map((r) => String(r.BilledCost))), D(spend.total.cost).toString());
  });

  it('re-prices with a back-dated discount, then applies retention', async () => {
    const data = tempDir('costrail-pg-reprice-');
    writeFileSync(overridesPath(data), JSON.stringify({ discounts: [{ provider: 'anthropic', percent: '10', effective_from: '2026-10-15' }] }));
    const book = loadPriceBook({ dataDir: data });
    const before = await store.getSpend({ from: '2026-10-15', to: '2026-11-01', group_by: ['provider'] });
    const anthropic = before.rows.find((r) => r.groups.provider === 'anthropic')?.cost ?? '0';
    const dry = await repriceLedger(store, { from: '2026-09-01T00:00:00Z', to: '2026-11-01T00:00:00Z', dryRun: true, book });
    assert.equal(dry.totals.difference, D(anthropic).mulInt(-10).shift(2).toString());
    assert.deepEqual(await store.getSpend({ from: '2026-10-15', to: '2026-11-01', group_by: ['provider'] }), before);
    const real = await repriceLedger(store, { from: '2026-09-01T00:00:00Z', to: '2026-11-01T00:00:00Z', dryRun: false, book });
    assert.equal(real.changed, dry.changed);
    const afterSpend = await store.getSpend({ from: '2026-10-15', to: '2026-11-01' });
    assert.equal(D(afterSpend.total.cost).toString(), D(before.total.cost).add(D(dry.totals.difference)).toString());
    assert.equal((await repriceLedger(store, { from: '2026-09-01T00:00:00Z', to: '2026-11-01T00:00:00Z', dryRun: false, book })).changed, 0);

    const now = Date.parse('2026-10-16T00:00:00Z');
    const counted = await applyRetention(store, { days: 30, dryRun: true, now });
    const total = await store.countRecords();
    const deleted = await applyRetention(store, { days: 30, now });
    assert.equal(deleted.deleted, counted.deleted);
    assert.ok(deleted.deleted > 0);
    assert.equal(await store.countRecords(), total - deleted.deleted);
  });
});
