/**
 * Store conformance: every Store implementation (embedded DuckDB, PostgreSQL) must pass these.
 * `open` must return a migrated, EMPTY store each time it is called.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { Store } from '../../src/store/store.js';
import { StoreQueryError } from '../../src/store/store.js';
import { makeRecord, makeRefusedRecord } from './ledger-fixtures.js';
import { analyticsConformance } from './store-analytics.case.js';
import { rollupConformance } from './store-rollup.case.js';
import { overviewConformance } from './store-overview.case.js';
import { economicsConformance } from './store-economics.case.js';
import { callMergeConformance } from './store-call-merge.case.js';
import { agentRunsConformance } from './store-agent-runs.case.js';

export function storeConformance(name: string, open: () => Promise<Store>): void {
  describe(`Store conformance: ${name}`, () => {
    const opened: Store[] = [];
    const fresh = async (): Promise<Store> => {
      const s = await open();
      opened.push(s);
      return s;
    };
    after(async () => {
      for (const s of opened) await s.close();
    });

    it('migrate() is idempotent', async () => {
      const s = await fresh();
      await s.migrate();
      await s.migrate();
      assert.equal(await s.countRecords(), 0);
    });

    it('insertRecords is idempotent by id', async () => {
      const s = await fresh();
      const batch = [makeRecord(1), makeRecord(2), makeRecord(3)];
      assert.deepEqual(await s.insertRecords(batch), { inserted: 3 });
      assert.deepEqual(await s.insertRecords([makeRecord(2), makeRecord(4)]), { inserted: 1 });
      // A duplicate inside one batch is also kept once.
      assert.deepEqual(await s.insertRecords([makeRecord(5), makeRecord(5)]), { inserted: 1 });
      assert.deepEqual(await s.insertRecords([]), { inserted: 0 });
      assert.equal(await s.countRecords(), 5);
    });

    it('round-trips records exactly, money included', async () => {
      const s = await fresh();
      const records = [
        makeRecord(1),
        makeRefusedRecord(2),
        makeRecord(3, {
          cost: { total: '12345678.123456789012345678', input: '12345678.123456789012345678', cache_read: '0', cache_write: '0', output: '0', reasoning: '0', audio: '0', image: '0', tools: '0', currency: 'USD' },
          started_at: '2026-11-22T08:00:00.123456Z',
          tags: {},
          source: 'import',
          // The provider's response id (migration 011 / 009); absent on the others.
          response_id: 'chatcmpl-BX8r5y0Kq3yQb1',
        }),
        makeRecord(4, { cost: { ...makeRecord(4).cost!, total: '-0.000000000000000001', other: '-0.000000000000000001', source: 'provider' } }),
        // The request's shape, a cache saving and a retry link (migration 009 / 007); a record
        // without them (the others) reads back without the keys.
        makeRecord(5, {
          status: 'cached',
          request_hash: 'a'.repeat(64),
          prompt_prefix_hash: 'b'.repeat(64),
          prompt_prefix_tokens: 3012,
          message_count: 4,
          tool_count: 0,
          max_output_tokens: 4096,
          finish_reason: 'end_turn',
          saved: '0.012345678901234567',
          attempt_of: 'rec-000004',
        }),
      ];
      await s.insertRecords(records);
      const { events } = await s.getEvents({ limit: 10 });
      const byId = new Map(events.map((e) => [e.id, e]));
      for (const r of records) assert.deepEqual(byId.get(r.id), r);
      assert.equal(byId.get('rec-000001')?.cost?.total, '0.0001542');
    });

    it('getEvents: newest first, filters, cursor paging', async () => {
      const s = await fresh();
      const records = Array.from({ length: 25 }, (_, i) => makeRecord(i, { attribution: { ...makeRecord(i).attribution, team: i % 2 ? 'search' : 'ads' }, provider: i % 5 === 0 ? 'anthropic' : 'openai' }));
      // Two records share a started_at so the id tie-break is exercised across a page boundary.
      records.push(makeRecord(100, { started_at: records[10]!.started_at }));
      await s.insertRecords(records);

      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page = await s.getEvents({ limit: 4, cursor });
        seen.push(...page.events.map((e) => e.id));
        cursor = page.next_cursor;
        pages++;
      } while (cursor);
      assert.equal(pages, 7);
      const expected = [...records].sort((a, b) => (a.started_at === b.started_at ? (a.id < b.id ? 1 : -1) : a.started_at < b.started_at ? 1 : -1)).map((r) => r.id);
      assert.deepEqual(seen, expected);

      const last = await s.getEvents({ limit: 26 });
      assert.equal(last.events.length, 26);
      assert.equal(last.next_cursor, null);

      const ads = await s.getEvents({ team: 'ads', limit: 100 });
      assert.equal(ads.events.length, 13);
      assert.ok(ads.events.every((e) => e.attribution.team === 'ads'));
      const anth = await s.getEvents({ provider: 'anthropic', team: 'search', limit: 100 });
      assert.deepEqual(anth.events.map((e) => e.id), ['rec-000015', 'rec-000005']);
      const trace = await s.getEvents({ trace_id: 'trace-1', limit: 100 });
      assert.ok(trace.events.length > 0 && trace.events.every((e) => e.trace_id === 'trace-1'));
      assert.equal((await s.getEvents({ customer: 'nobody' })).events.length, 0);
      assert.equal((await s.getEvents({ model: 'gpt-4o-mini-2024-07-18', limit: 1000 })).events.length, 26);
      assert.equal((await s.getEvents({ feature: 'answer', limit: 1000 })).events.length, 26);

      const window = await s.getEvents({ from: records[3]!.started_at, to: records[6]!.started_at, limit: 100 });
      assert.deepEqual(window.events.map((e) => e.id), ['rec-000005', 'rec-000004', 'rec-000003']);
    });

    it('rejects a malformed cursor, date or limit as a query error', async () => {
      const s = await fresh();
      await assert.rejects(s.getEvents({ cursor: 'not-a-cursor' }), StoreQueryError);
      await assert.rejects(s.getEvents({ from: 'yesterday-ish' }), StoreQueryError);
      await assert.rejects(s.getEvents({ limit: 0 }), StoreQueryError);
    });

    analyticsConformance(fresh);
    rollupConformance(fresh);
    overviewConformance(fresh);
    economicsConformance(fresh);
    callMergeConformance(fresh);
    agentRunsConformance(fresh);
  });
}
