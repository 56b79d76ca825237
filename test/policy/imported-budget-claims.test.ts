/**
 * Vendor / category budget thresholds are announced once per budget, period and threshold, on both
 * stores, however many processes evaluate them: two policy services sharing one store (replicas)
 * evaluate the same imported spend, and only the first announces; a rise past the next threshold
 * is announced once more; a lower threshold crossed in the same jump is claimed silently.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { loadPriceBook } from '../../src/pricing/catalog-loader.js';
import { PolicyService, type ThresholdEvent } from '../../src/policy/policy-service.js';
import { DuckDbStore } from '../../src/store/embedded/duckdb-store.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { Store } from '../../src/store/store.js';
import { dropSchemas, PG_URL, postgresAvailable } from '../helpers/postgres.js';
import { tempDir } from '../helpers/temp-dir.js';

function claimsCase(name: string, open: () => Promise<Store>): void {
  describe(`imported-spend budget thresholds: ${name}`, () => {
    it('announces each threshold once across replicas, the highest of a jump', async () => {
      const store = await open();
      let spent = '0';
      const meter = async (): Promise<string> => spent;
      const book = loadPriceBook();
      const a = await PolicyService.open({ store, book, importedSpend: meter, syncIntervalMs: 100_000 });
      const b = await PolicyService.open({ store, book, importedSpend: meter, syncIntervalMs: 100_000 });
      const heard: ThresholdEvent[] = [];
      a.onThreshold((e) => heard.push(e));
      b.onThreshold((e) => heard.push(e));
      try {
        const spec = await a.put('budget', { id: 'seats', name: 'Seats', scope: { category: 'coding_assistant', team: 'eng' }, period: 'month', timezone: 'UTC', fiscal_month_start_day: 1, limit_usd: '200', thresholds: [0.5, 0.8, 1], action: 'notify', on_counter_error: 'open' });
        assert.equal(spec.action, 'notify');
        // b learns the rule as a replica would (its own copy of the rules).
        await b.put('budget', spec);
        assert.equal(heard.length, 0);

        spent = '170.50'; // 85.25%: 50% and 80% in one jump
        assert.equal(await a.evaluateImportedBudgets(), 1);
        assert.equal(await b.evaluateImportedBudgets(), 0, 'the replica finds the thresholds claimed');
        assert.deepEqual(heard.map((e) => [e.budget_id, e.threshold, e.spent, e.limit, e.action]), [['seats', 0.8, '170.5', '200', 'notify']]);

        spent = '200.00';
        assert.equal(await b.evaluateImportedBudgets(), 1);
        assert.equal(await a.evaluateImportedBudgets(), 0);
        assert.deepEqual(heard.map((e) => e.threshold), [0.8, 1]);

        const [status] = await a.budgetStatuses();
        assert.deepEqual([status?.spent, status?.reserved, status?.remaining, status?.used_fraction, status?.thresholds_crossed], ['200', '0', '0', 1, [0.5, 0.8, 1]]);
      } finally {
        await a.close();
        await b.close();
        await store.close();
      }
    });
  });
}

claimsCase('embedded DuckDB', () => DuckDbStore.open(tempDir('costrail-imported-claims-')));

const available = await postgresAvailable('the imported-spend budget claim tests');
if (available) {
  const schema = `costrail_imported_claims_${process.pid}_${randomBytes(3).toString('hex')}`;
  after(() => dropSchemas([schema]));
  claimsCase('PostgreSQL', () => PostgresStore.open(PG_URL, { schema, maxConnections: 3 }));
}
