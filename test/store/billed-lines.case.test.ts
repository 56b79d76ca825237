/**
 * Billed line items: one conformance suite, run against the embedded DuckDB store and the
 * PostgreSQL store (a schema of its own, dropped afterwards). With CI=true an unreachable
 * PostgreSQL fails the run.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import type { BilledImportMeta, BilledLine } from '../../src/store/billed-line.js';
import { BILLED_PARQUET_COLUMNS } from '../../src/store/billed-lines-repository.js';
import { DuckDbStore } from '../../src/store/embedded/duckdb-store.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { Store } from '../../src/store/store.js';
import { dropSchemas, PG_URL, postgresAvailable } from '../helpers/postgres.js';
import { tempDir } from '../helpers/temp-dir.js';

function line(n: number, over: Partial<BilledLine> = {}): BilledLine {
  return {
    provider: 'openai',
    account: 'proj_abc',
    service: 'OpenAI API',
    model: 'gpt-4o',
    charge_kind: 'usage',
    token_class: 'input',
    quantity: '10000',
    unit: 'tokens',
    amount: '0.06',
    currency: 'USD',
    amount_usd: '0.06',
    charge_start: '2026-11-05T00:00:00.000Z',
    charge_end: '2026-11-06T00:00:00.000Z',
    invoice_period: '2026-11',
    team: null,
    description: 'gpt-4o, input',
    line: n,
    ...over,
  };
}

const meta = (id: string, over: Partial<BilledImportMeta> = {}): BilledImportMeta => ({ import_id: id, format: 'openai-costs', source: 'openai-costs', file: 'costs.json', ...over });

async function importAll(s: Store, m: BilledImportMeta, lines: BilledLine[]): Promise<string> {
  const state = await s.billed.begin(m);
  if (state === 'already_imported') return state;
  await s.billed.append(m.import_id, lines);
  await s.billed.commit(m.import_id);
  return state;
}

function billedConformance(name: string, open: () => Promise<Store>): void {
  describe(`billed line items: ${name}`, () => {
    const opened: Store[] = [];
    const fresh = async (): Promise<Store> => {
      const s = await open();
      opened.push(s);
      return s;
    };
    after(async () => {
      for (const s of opened) await s.close();
    });

    it('round-trips every field exactly, money included', async () => {
      const s = await fresh();
      const lines = [
        line(1),
        line(2, { amount: '12345678.123456789012345678', amount_usd: '12345678.123456789012345678', quantity: '0.000000000000000001' }),
        line(3, { charge_kind: 'credit', amount: '-5', amount_usd: '-5', model: null, token_class: null, quantity: null, unit: null, account: null, team: 'search', description: 'tab\there \\N, "quoted",\nnew line\r\nand \'\'' }),
        line(4, { currency: 'EUR', amount: '2.5', amount_usd: null, invoice_period: null }),
        line(5, { description: '', account: '', unit: 'NULL', amount: '123456789012.5', amount_usd: '-0.0000000001' }),
      ];
      assert.equal(await importAll(s, meta('imp-1'), lines), 'new');
      assert.deepEqual(await s.billed.lines('imp-1'), lines);
      assert.equal(await s.billed.count(), 5);
      const [imp] = await s.billed.imports();
      assert.equal(imp?.lines, 5);
      assert.equal(imp?.period_start, '2026-11-05T00:00:00.000Z');
      assert.equal(imp?.period_end, '2026-11-06T00:00:00.000Z');
    });

    it('the same export twice changes nothing', async () => {
      const s = await fresh();
      await importAll(s, meta('imp-1'), [line(1), line(2)]);
      assert.equal(await importAll(s, meta('imp-1'), [line(1), line(2)]), 'already_imported');
      assert.equal(await s.billed.count(), 2);
      assert.equal((await s.billed.imports()).length, 1);
    });

    it('a later export of the same period replaces that period for that source only', async () => {
      const s = await fresh();
      const day = (d: number): Partial<BilledLine> => ({ charge_start: `2026-11-0${d}T00:00:00.000Z`, charge_end: `2026-11-0${d + 1}T00:00:00.000Z` });
      await importAll(s, meta('early'), [line(1, day(4)), line(2, day(5)), line(3, day(6))]);
      await importAll(s, meta('other', { source: 'anthropic-cost-report', format: 'anthropic-cost-report' }), [line(1, { ...day(5), provider: 'anthropic' })]);
      // The later export covers the 5th and 6th only: the 4th stays from the earlier import.
      await s.billed.begin(meta('later'));
      await s.billed.append('later', [line(1, { ...day(5), amount: '1', amount_usd: '1' }), line(2, { ...day(6), amount: '2', amount_usd: '2' })]);
      const summary = await s.billed.commit('later');
      assert.equal(summary.replaced, 2);
      const totals = await s.billed.totals({ from: '2026-11-01T00:00:00Z', to: '2026-12-01T00:00:00Z' });
      assert.deepEqual(
        totals.map((t) => [t.provider, t.charge_start.slice(0, 10), t.amount_usd]),
        [
          ['openai', '2026-11-04', '0.06'],
          ['anthropic', '2026-11-05', '0.06'],
          ['openai', '2026-11-05', '1'],
          ['openai', '2026-11-06', '2'],
        ],
      );
      assert.equal((await s.billed.imports()).find((i) => i.import_id === 'early')?.lines, 1);
    });

    it('pending imports are invisible, and abort leaves nothing behind', async () => {
      const s = await fresh();
      await importAll(s, meta('kept'), [line(1)]);
      await s.billed.begin(meta('half'));
      await s.billed.append('half', [line(1, { amount_usd: '100', amount: '100' })]);
      assert.equal(await s.billed.count(), 1);
      assert.equal((await s.billed.totals({ from: '2026-11-01T00:00:00Z', to: '2026-12-01T00:00:00Z' }))[0]?.amount_usd, '0.06');
      await s.billed.abort('half');
      assert.deepEqual((await s.billed.imports()).map((i) => i.import_id), ['kept']);
      // A crashed pending import of the same export starts over cleanly.
      await s.billed.begin(meta('again'));
      await s.billed.append('again', [line(1)]);
      assert.equal(await s.billed.begin(meta('again')), 'new');
      await s.billed.append('again', [line(1)]);
      assert.equal((await s.billed.commit('again')).lines, 1);
    });

    it('a Parquet file of lines (an importer\'s bulk path) loads exactly, only into a pending import', async () => {
      const s = await fresh();
      const dir = tempDir('costrail-billed-pq-');
      const file = path.join(dir, 'lines.parquet');
      const inst = await DuckDBInstance.create(':memory:');
      const conn = await inst.connect();
      // Columns and types as src/billing/aws-cur-bulk.ts writes them.
      await conn.run(`COPY (SELECT * FROM (VALUES
          (CAST(2 AS BIGINT), 'bedrock', 'arn:aws:iam::1:role/x', 'AmazonBedrock', 'claude4.6sonnet', 'usage', 'output', CAST('4800000' AS DECIMAL(38,18)), 'tokens', CAST('12345678901234567890.123456789012345678' AS DECIMAL(38,18)), 'USD', CAST('12345678901234567890.123456789012345678' AS DECIMAL(38,18)), CAST(1785715200000 AS BIGINT), CAST(1785718800000 AS BIGINT), '2026-08', 'search', 'USW2-Claude4.6Sonnet-output-tokens'),
          (CAST(3 AS BIGINT), 'bedrock', NULL, 'AmazonBedrock', NULL, 'credit', NULL, NULL, NULL, CAST('-10' AS DECIMAL(38,18)), 'EUR', NULL, CAST(1785715200000 AS BIGINT), CAST(1785718800000 AS BIGINT), NULL, NULL, NULL)
        ) AS t(${BILLED_PARQUET_COLUMNS.join(', ')})) TO '${file}' (FORMAT parquet)`);
      conn.closeSync();
      inst.closeSync();
      await assert.rejects(s.billed.appendParquet('nope', file), /not pending/);
      await s.billed.begin(meta('pq', { format: 'aws-cur', source: 'aws-cur:111' }));
      assert.equal(await s.billed.appendParquet('pq', file), 2);
      assert.equal((await s.billed.commit('pq')).lines, 2);
      const got = await s.billed.lines('pq');
      assert.deepEqual(
        got.map((l) => [l.line, l.account, l.model, l.token_class, l.quantity, l.amount, l.amount_usd, l.currency, l.charge_start, l.invoice_period, l.team]),
        [
          [2, 'arn:aws:iam::1:role/x', 'claude4.6sonnet', 'output', '4800000', '12345678901234567890.123456789012345678', '12345678901234567890.123456789012345678', 'USD', '2026-08-03T00:00:00.000Z', '2026-08', 'search'],
          [3, null, null, null, null, '-10', null, 'EUR', '2026-08-03T00:00:00.000Z', null, null],
        ],
      );
    });

    it('totals sum exactly by provider, account, model, kind, team presence and charge start', async () => {
      const s = await fresh();
      const many = Array.from({ length: 2500 }, (_v, i) => line(i + 1, { amount: '0.000000000000000001', amount_usd: '0.000000000000000001', team: i % 2 ? 'ads' : null }));
      await importAll(s, meta('big'), [...many, line(2501, { charge_kind: 'tax', amount: '0.1', amount_usd: '0.1', model: null, token_class: null }), line(2502, { amount_usd: null, currency: 'EUR' })]);
      const totals = await s.billed.totals({ from: '2026-11-05T00:00:00Z', to: '2026-11-06T00:00:00Z' });
      const usage = totals.filter((t) => t.charge_kind === 'usage');
      assert.deepEqual(usage.map((t) => [t.has_team, t.amount_usd, t.unconverted_lines]).sort(), [
        [false, '0.00000000000000125', 1],
        [true, '0.00000000000000125', 0],
      ]);
      assert.equal(totals.find((t) => t.charge_kind === 'tax')?.amount_usd, '0.1');
      assert.deepEqual(await s.billed.totals({ from: '2026-11-06T00:00:00Z', to: '2026-11-07T00:00:00Z' }), []);
    });
  });
}

billedConformance('embedded DuckDB', () => DuckDbStore.open(tempDir('costrail-billed-')));

const available = await postgresAvailable('the billed line item conformance tests');
if (available) {
  const run = `costrail_billed_${process.pid}_${randomBytes(3).toString('hex')}`;
  const schemas: string[] = [];
  after(() => dropSchemas(schemas));
  billedConformance('PostgreSQL', () => {
    const schema = `${run}_${schemas.length}`;
    schemas.push(schema);
    return PostgresStore.open(PG_URL, { schema, maxConnections: 3 });
  });
}
