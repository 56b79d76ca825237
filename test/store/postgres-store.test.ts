/**
 * The PostgreSQL store against the real server (COSTRAIL_TEST_DATABASE_URL, default
 * postgres://postgres@127.0.0.1:5432/test). Each opened store gets a schema of its own, dropped
 * after the run. With CI=true an unreachable server fails the run; otherwise these tests skip.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import { request } from 'undici';
import { startCostrail } from '../../src/server/costrail-runtime.js';
import { openStore } from '../../src/store/open-store.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { SpendQuery } from '../../src/store/store.js';
import { makeRecord } from './ledger-fixtures.js';
import { storeConformance } from './store.case.js';
import { PG_URL, postgresAvailable } from '../helpers/postgres.js';
import { tempDir } from '../helpers/temp-dir.js';

const URL = PG_URL;
const RUN = `costrail_t${process.pid}_${randomBytes(3).toString('hex')}`;
let counter = 0;
const schemas: string[] = [];


const available = await postgresAvailable('the PostgreSQL store tests');

async function openFresh(options: { useRollups?: boolean; copyFrom?: number } = {}): Promise<PostgresStore> {
  const schema = `${RUN}_${counter++}`;
  schemas.push(schema);
  return PostgresStore.open(URL, { schema, maxConnections: 3, ...options });
}

after(async () => {
  if (!available) return;
  const c = new pg.Client({ connectionString: URL });
  await c.connect();
  for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  await c.end();
});

if (available) {
  storeConformance('PostgreSQL', () => openFresh());
  // Every batch through COPY FROM STDIN (bulk imports and large writer batches take that path).
  storeConformance('PostgreSQL via COPY', () => openFresh({ copyFrom: 1 }));

  it('COPY carries text that needs escaping, and replays stay idempotent', async () => {
    const s = await openFresh({ copyFrom: 1 });
    try {
      const awkward = 'tab\there\nnew line\\backslash \\N \r end';
      const records = [
        makeRecord(1, { tags: { note: awkward, '\\N': '\\.' }, error: { type: 'upstream_error', message: awkward }, attribution: { ...makeRecord(1).attribution, team: awkward } }),
        makeRecord(2, { raw_usage: { text: awkward } }),
      ];
      assert.deepEqual(await s.insertRecords(records), { inserted: 2 });
      assert.deepEqual(await s.insertRecords([...records, makeRecord(3)]), { inserted: 1 });
      const back = (await s.getEvents({ limit: 10 })).events.sort((a, b) => a.id.localeCompare(b.id));
      assert.deepEqual(back, [...records, makeRecord(3)]);
    } finally {
      await s.close();
    }
  });

  describe('PostgresStore', () => {
    let store: PostgresStore;
    let raw: PostgresStore;
    before(async () => {
      store = await openFresh();
    });
    after(async () => {
      await store.close();
      await raw?.close();
    });

    it('creates one partition per month on demand, replays idempotently, migrates once', async () => {
      const records = [makeRecord(1, { started_at: '2026-01-31T23:59:59.999999Z' }), makeRecord(2, { started_at: '2026-02-01T00:00:00Z' }), makeRecord(3, { started_at: '2025-12-15T12:00:00Z' })];
      assert.deepEqual(await store.insertRecords(records), { inserted: 3 });
      // A replayed spool segment mixing old and new ids adds only the new ones.
      assert.deepEqual(await store.insertRecords([...records, makeRecord(4, { started_at: '2026-02-02T00:00:00Z' })]), { inserted: 1 });
      const parts = await store.sql.query("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'ledger' AND p.relnamespace = current_schema()::regnamespace ORDER BY 1");
      assert.deepEqual(parts.map((r) => r.relname), ['ledger_p202512', 'ledger_p202601', 'ledger_p202602']);
      assert.equal((await store.getEvents({ limit: 10 })).events.find((e) => e.id === 'rec-000001')?.started_at, '2026-01-31T23:59:59.999999Z');
      // The rollup counted each record once despite the replay.
      assert.equal((await store.getSpend({})).total.requests, 4);
      assert.equal(store.lastSpendFromRollup, true);
      await store.migrate();
      const versions = await store.sql.query('SELECT version, name FROM schema_migrations ORDER BY version');
      assert.deepEqual(versions, [
        { version: 1, name: 'ledger' },
        { version: 2, name: 'ledger_cost_history' },
        { version: 3, name: 'ledger_rollup_daily' },
        { version: 4, name: 'billed_lines' },
        { version: 5, name: 'outcomes_revenue' },
        { version: 6, name: 'inventory' },
        { version: 7, name: 'ledger_request_shape' },
        { version: 8, name: 'inventory_usage' },
        { version: 9, name: 'ledger_response_id' },
        { version: 10, name: 'gpu_usage_vendor' },
      ]);
    });

    it('concurrent writers of the same ids insert each record once', async () => {
      const s = await openFresh();
      try {
        const batch = Array.from({ length: 300 }, (_, i) => makeRecord(i, { started_at: new Date(Date.UTC(2026, 5, 1) + i * 60_000).toISOString() }));
        const results = await Promise.all([s.insertRecords(batch), s.insertRecords([...batch].reverse()), s.insertRecords(batch.slice(100))]);
        assert.equal(results.reduce((n, r) => n + r.inserted, 0), 300);
        assert.equal(await s.countRecords(), 300);
        assert.equal((await s.getSpend({})).total.requests, 300);
      } finally {
        await s.close();
      }
    });

    it('the rollup answers exactly like the raw ledger, before and after re-pricing and retention', async () => {
      const s = await openFresh();
      raw = s;
      const rolled = await openFresh();
      try {
        const teams = ['search', 'ads', null];
        const models = ['gpt-4o', 'claude', 'gemini'];
        const records: LedgerRecord[] = Array.from({ length: 400 }, (_, i) => {
          const r = makeRecord(i, { started_at: new Date(Date.UTC(2026, 9, 25) + i * 37 * 60_000 + (i % 7) * 1000).toISOString(), model: models[i % 3]! });
          return { ...r, attribution: { ...r.attribution, team: teams[i % 3 === 0 ? 0 : (i % 5) % 3]!, feature: i % 4 ? 'answer' : 'rank' }, cost: i % 11 === 0 ? null : { ...r.cost!, total: `0.${String((i * 7919) % 100000).padStart(5, '0')}3` }, status: i % 13 === 0 ? 'error' : 'ok' };
        });
        for (const st of [s, rolled]) await st.insertRecords(records);
        const rawStore = await PostgresStore.open(URL, { schema: schemas[schemas.length - 2]!, useRollups: false, maxConnections: 2 });
        const queries: SpendQuery[] = [
          { group_by: ['team', 'model'], granularity: 'day' },
          { group_by: ['team'], granularity: 'day', tz: 'America/New_York', from: '2026-10-25T00:00:00Z', to: '2026-11-05T00:00:00Z' },
          { group_by: ['feature', 'status'], granularity: 'week', tz: 'Europe/Berlin' },
          { granularity: 'hour', filters: { team: null } },
          { group_by: ['provider'], granularity: 'month', filters: { model: 'claude' } },
        ];
        const sources = ['ledger_rollup_daily', 'ledger_rollup_hourly', 'ledger_rollup_hourly', 'ledger_rollup_hourly', 'ledger_rollup_daily'];
        const compare = async (): Promise<void> => {
          for (const [i, q] of queries.entries()) {
            const viaRollup = await rolled.getSpend(q);
            assert.equal(rolled.lastSpendSource, sources[i], JSON.stringify(q));
            const viaRaw = await rawStore.getSpend(q);
            assert.equal(rawStore.lastSpendFromRollup, false);
            assert.deepEqual(viaRollup, viaRaw, JSON.stringify(q));
          }
        };
        await compare();
        const reprice = records.slice(0, 60).map((r, i) => ({ id: r.id, cost: i % 2 ? null : { ...makeRecord(0).cost!, total: '1.000000000000000001' }, priced: i % 2 === 0, price_version: 'pv-2', unpriced_reason: i % 2 ? 'gone' : null }));
        for (const st of [s, rolled]) assert.equal(await st.updateCosts(reprice, 'test'), 60);
        await compare();
        // Off-hour bounds and zones with half-hour offsets go to the raw ledger.
        await rolled.getSpend({ from: '2026-10-21T00:30:00Z' });
        assert.equal(rolled.lastSpendFromRollup, false);
        await rolled.getSpend({ granularity: 'day', tz: 'Asia/Kolkata' });
        assert.equal(rolled.lastSpendFromRollup, false);
        await rolled.getSpend({ group_by: ['customer'] });
        assert.equal(rolled.lastSpendFromRollup, false);
        await rolled.getSpend({ granularity: 'day', from: '2026-10-26T05:00:00Z' });
        assert.equal(rolled.lastSpendSource, 'ledger_rollup_hourly');
        // Retention drops whole months and deletes the rest; the rollups lose exactly what the ledger lost.
        const deleted = await rolled.deleteRecordsBefore('2026-11-03T00:00:00Z');
        assert.equal(deleted, records.filter((r) => r.started_at < '2026-11-03T00:00:00Z').length);
        assert.equal((await rolled.getSpend({})).total.requests, records.length - deleted);
        assert.equal(rolled.lastSpendFromRollup, true);
        await rolled.insertRecords(records.slice(0, 5));
        assert.equal(await rolled.countRecords(), records.length - deleted + 5);
        await rawStore.close();
      } finally {
        await rolled.close();
      }
    });
  });

  describe('COSTRAIL_DATABASE_URL', () => {
    it('openStore picks PostgreSQL for a postgres:// URL and the embedded store otherwise', async () => {
      const dir = tempDir('costrail-open-');
      const schema = `${RUN}_${counter++}`;
      schemas.push(schema);
      const pgStore = await openStore(dir, { COSTRAIL_DATABASE_URL: URL, COSTRAIL_DATABASE_SCHEMA: schema });
      assert.equal(pgStore.kind, 'postgres');
      await pgStore.close();
      const embedded = await openStore(dir, {});
      assert.equal(embedded.kind, 'embedded');
      await embedded.close();
      await assert.rejects(openStore(dir, { COSTRAIL_DATABASE_URL: 'mysql://x' }), /postgres:\/\//);
    });

    it('costrail runtime writes through the ledger writer into PostgreSQL and serves /api/spend from it', async () => {
      const schema = `${RUN}_${counter++}`;
      schemas.push(schema);
      const saved = { url: process.env.COSTRAIL_DATABASE_URL, schema: process.env.COSTRAIL_DATABASE_SCHEMA };
      process.env.COSTRAIL_DATABASE_URL = URL;
      process.env.COSTRAIL_DATABASE_SCHEMA = schema;
      const rt = await startCostrail({ port: 0, dataDir: tempDir('costrail-pg-rt-'), quiet: true, upstreams: {} });
      try {
        assert.equal(rt.store.kind, 'postgres');
        for (let i = 0; i < 25; i++) rt.writer.write(makeRecord(i));
        await rt.writer.flush();
        const res = await request(`${rt.url}/api/spend?group_by=team`, { headers: { authorization: `Bearer ${rt.adminToken}` } });
        const body = (await res.body.json()) as { rows: { team: string; requests: number }[]; total: { cost: string } };
        assert.deepEqual(body.rows.map((r) => [r.team, r.requests]), [['search', 25]]);
        assert.equal(body.total.cost, '0.003855');
      } finally {
        await rt.close();
        if (saved.url === undefined) delete process.env.COSTRAIL_DATABASE_URL;
        else process.env.COSTRAIL_DATABASE_URL = saved.url;
        if (saved.schema === undefined) delete process.env.COSTRAIL_DATABASE_SCHEMA;
        else process.env.COSTRAIL_DATABASE_SCHEMA = saved.schema;
      }
    });
  });
} else {
  it('PostgreSQL store tests (skipped: server not reachable and CI is not set)', { skip: true }, () => undefined);
}
