/**
 * Conformance for the analytics half of the Store interface (getSpend, scanRecords, updateCosts,
 * deleteRecordsBefore, events filters by any dimension). Called inside storeConformance, so every
 * engine runs it. Expected figures are derived from the inserted records with Decimal, never floats.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import { Decimal } from '../../src/pricing/decimal.js';
import { StoreQueryError, type SpendRow, type Store } from '../../src/store/store.js';
import { makeRecord, makeRefusedRecord } from './ledger-fixtures.js';

interface Spec {
  at: string;
  team?: string | null;
  model?: string;
  cost?: string | null;
  tags?: Record<string, string>;
  input?: number;
}

let seq = 0;
function rec(s: Spec): LedgerRecord {
  const i = seq++;
  // cost null: a call that used tokens of a model without a known price (unpriced, never $0).
  const base = s.cost === null ? makeRecord(i, { cost: null, priced: false, price_version: null, unpriced_reason: 'no price for model' }) : makeRecord(i);
  const cost = s.cost === null || base.cost === null ? null : { ...base.cost, total: s.cost ?? base.cost.total };
  const usage = base.usage && s.input !== undefined ? { ...base.usage, input_tokens: s.input } : base.usage;
  return {
    ...base,
    id: `a-${String(i).padStart(7, '0')}`,
    started_at: new Date(s.at).toISOString(),
    ended_at: null,
    model: s.model ?? base.model,
    cost,
    usage,
    attribution: { ...base.attribution, team: s.team === undefined ? 'search' : s.team },
    tags: s.tags ?? {},
  };
}

const sumOf = (rs: readonly LedgerRecord[]): string => Decimal.sum(rs.filter((r) => r.cost).map((r) => Decimal.parse(r.cost!.total))).toString();
const brief = (rows: readonly SpendRow[]): string[] => rows.map((r) => `${r.period ?? '-'} ${JSON.stringify(r.groups)} ${r.cost} ${r.requests}/${r.unpriced_requests}`);

export function analyticsConformance(fresh: () => Promise<Store>): void {
  it('getSpend: groups, exact totals, unpriced calls counted not zeroed, ordered by cost', async () => {
    const s = await fresh();
    const records = [
      rec({ at: '2026-11-22T08:00:00Z', team: 'search', model: 'gpt-4o', cost: '1.25', input: 10 }),
      rec({ at: '2026-11-22T08:01:00Z', team: 'search', model: 'gpt-4o', cost: '0.75', input: 5 }),
      rec({ at: '2026-11-22T08:02:00Z', team: 'search', model: 'claude', cost: '3.5' }),
      rec({ at: '2026-11-22T08:03:00Z', team: 'ads', model: 'gpt-4o', cost: '0.000000000000000001' }),
      rec({ at: '2026-11-22T08:04:00Z', team: 'ads', model: 'gpt-4o', cost: null }),
      rec({ at: '2026-11-22T08:05:00Z', team: null, model: 'gpt-4o', cost: '10' }),
    ];
    await s.insertRecords(records);
    const res = await s.getSpend({ group_by: ['team', 'model'] });
    assert.deepEqual(brief(res.rows), [
      '- {"team":null,"model":"gpt-4o"} 10 1/0',
      '- {"team":"search","model":"claude"} 3.5 1/0',
      '- {"team":"search","model":"gpt-4o"} 2 2/0',
      '- {"team":"ads","model":"gpt-4o"} 0.000000000000000001 2/1',
    ]);
    const searchGpt = res.rows[2]!;
    assert.equal(searchGpt.input_tokens, 15);
    assert.equal(searchGpt.output_tokens, 170);
    assert.equal(searchGpt.cache_read_tokens, 2048);
    assert.equal(searchGpt.cache_write_tokens, 0);
    assert.equal(searchGpt.reasoning_tokens, 0);
    assert.deepEqual(res.total, { cost: sumOf(records), requests: 6, unpriced_requests: 1 });
    assert.equal(res.total.cost, '15.500000000000000001');
    // A refused call that used no tokens is a request, but not an unpriced one: there is nothing to price.
    const refused = { ...makeRefusedRecord(seq++), id: 'refused-1', started_at: '2026-11-23T08:00:00.000Z' };
    await s.insertRecords([refused]);
    assert.deepEqual((await s.getSpend({ from: '2026-11-23T00:00:00Z' })).total, { cost: '0', requests: 1, unpriced_requests: 0 });

    const none = await s.getSpend({});
    assert.deepEqual(none.rows.length, 1);
    assert.equal(none.rows[0]!.period, null);
    assert.deepEqual(none.rows[0]!.groups, {});
    assert.equal(none.rows[0]!.cost, '15.500000000000000001');

    // Only unpriced calls in range: cost is "0" with every call counted as unpriced, never dropped.
    const onlyUnpriced = await s.getSpend({ from: '2026-11-22T08:04:00Z', to: '2026-11-22T08:05:00Z', group_by: ['team'] });
    assert.deepEqual(brief(onlyUnpriced.rows), ['- {"team":"ads"} 0 1/1']);
    const empty = await s.getSpend({ from: '2027-01-01T00:00:00Z' });
    assert.deepEqual(empty, { rows: [], total: { cost: '0', requests: 0, unpriced_requests: 0 } });
  });

  it('getSpend: sums thousands of tiny decimals exactly where floats drift', async () => {
    const s = await fresh();
    const parts = ['0.1', '0.2', '0.000000000000000007', '0.0000001542', '0.3'];
    const records = Array.from({ length: 3000 }, (_, i) => rec({ at: new Date(Date.UTC(2026, 10, 1) + i * 60_000).toISOString(), cost: parts[i % parts.length]! }));
    for (let i = 0; i < records.length; i += 1000) await s.insertRecords(records.slice(i, i + 1000));
    const expected = sumOf(records);
    const floatSum = records.reduce((a, r) => a + Number(r.cost!.total), 0);
    assert.notEqual(String(floatSum), expected, 'the fixture must be one floats get wrong');
    const res = await s.getSpend({ granularity: 'day' });
    assert.equal(res.total.cost, expected);
    assert.equal(res.rows.length, 3);
    assert.equal(Decimal.sum(res.rows.map((r) => Decimal.parse(r.cost))).toString(), expected);
    assert.equal(res.total.requests, 3000);
  });

  it('getSpend: day buckets in a time zone, across a DST change and a non-UTC midnight', async () => {
    const s = await fresh();
    await s.insertRecords([
      // New York: EDT until 2026-11-01 06:00Z, then EST.
      rec({ at: '2026-11-01T03:30:00Z', cost: '1' }), // Oct 31 23:30 EDT
      rec({ at: '2026-11-01T04:30:00Z', cost: '2' }), // Nov 1 00:30 EDT
      rec({ at: '2026-11-02T04:30:00Z', cost: '4' }), // Nov 1 23:30 EST (a 25-hour day)
      rec({ at: '2026-11-02T05:30:00Z', cost: '8' }), // Nov 2 00:30 EST
    ]);
    const ny = await s.getSpend({ granularity: 'day', tz: 'America/New_York' });
    assert.deepEqual(ny.rows.map((r) => [r.period, r.cost]), [
      ['2026-10-31T04:00:00.000Z', '1'],
      ['2026-11-01T04:00:00.000Z', '6'],
      ['2026-11-02T05:00:00.000Z', '8'],
    ]);
    const utc = await s.getSpend({ granularity: 'day' });
    assert.deepEqual(utc.rows.map((r) => [r.period, r.cost]), [
      ['2026-11-01T00:00:00.000Z', '3'],
      ['2026-11-02T00:00:00.000Z', '12'],
    ]);
    // Kolkata is UTC+5:30: local midnight is 18:30Z, and its hours start at :30 UTC.
    const kol = await s.getSpend({ granularity: 'day', tz: 'Asia/Kolkata' });
    assert.deepEqual(kol.rows.map((r) => [r.period, r.cost]), [
      ['2026-10-31T18:30:00.000Z', '3'],
      ['2026-11-01T18:30:00.000Z', '12'],
    ]);
    const kolHours = await s.getSpend({ granularity: 'hour', tz: 'Asia/Kolkata' });
    // Every record is at :30 UTC, which is on the hour in Kolkata.
    assert.deepEqual(kolHours.rows.map((r) => r.period), ['2026-11-01T03:30:00.000Z', '2026-11-01T04:30:00.000Z', '2026-11-02T04:30:00.000Z', '2026-11-02T05:30:00.000Z']);
    const nyHours = await s.getSpend({ granularity: 'hour', tz: 'America/New_York' });
    assert.deepEqual(nyHours.rows.map((r) => r.period), ['2026-11-01T03:00:00.000Z', '2026-11-01T04:00:00.000Z', '2026-11-02T04:00:00.000Z', '2026-11-02T05:00:00.000Z']);
    const minutes = await s.getSpend({ granularity: 'minute', tz: 'Asia/Kolkata' });
    assert.deepEqual(minutes.rows.map((r) => r.period), ['2026-11-01T03:30:00.000Z', '2026-11-01T04:30:00.000Z', '2026-11-02T04:30:00.000Z', '2026-11-02T05:30:00.000Z']);
  });

  it('getSpend: weeks start on Monday and months follow the zone', async () => {
    const s = await fresh();
    await s.insertRecords([
      rec({ at: '2026-11-22T23:30:00Z', cost: '1' }), // Sunday 22 Nov UTC; Monday 23 Nov 00:30 in Berlin (UTC+1)
      rec({ at: '2026-11-23T10:00:00Z', cost: '2' }), // Monday
      rec({ at: '2026-11-30T23:30:00Z', cost: '4' }), // Monday 30 Nov UTC; Tuesday 1 Dec in Berlin
    ]);
    const utcWeeks = await s.getSpend({ granularity: 'week' });
    assert.deepEqual(utcWeeks.rows.map((r) => [r.period, r.cost]), [
      ['2026-11-16T00:00:00.000Z', '1'],
      ['2026-11-23T00:00:00.000Z', '2'],
      ['2026-11-30T00:00:00.000Z', '4'],
    ]);
    const berlinWeeks = await s.getSpend({ granularity: 'week', tz: 'Europe/Berlin' });
    assert.deepEqual(berlinWeeks.rows.map((r) => [r.period, r.cost]), [
      ['2026-11-22T23:00:00.000Z', '3'],
      ['2026-11-29T23:00:00.000Z', '4'],
    ]);
    const berlinMonths = await s.getSpend({ granularity: 'month', tz: 'Europe/Berlin' });
    assert.deepEqual(berlinMonths.rows.map((r) => [r.period, r.cost]), [
      ['2026-10-31T23:00:00.000Z', '3'],
      ['2026-11-30T23:00:00.000Z', '4'],
    ]);
    const utcMonths = await s.getSpend({ granularity: 'month' });
    assert.deepEqual(utcMonths.rows.map((r) => [r.period, r.cost]), [['2026-11-01T00:00:00.000Z', '7']]);
  });

  it('getSpend: rows ordered by period, then cost descending', async () => {
    const s = await fresh();
    await s.insertRecords([
      rec({ at: '2026-11-02T01:00:00Z', team: 'a', cost: '1' }),
      rec({ at: '2026-11-02T02:00:00Z', team: 'b', cost: '5' }),
      rec({ at: '2026-11-01T01:00:00Z', team: 'a', cost: '3' }),
      rec({ at: '2026-11-01T02:00:00Z', team: 'b', cost: '0.5' }),
      rec({ at: '2026-11-01T03:00:00Z', team: 'c', cost: '9' }),
    ]);
    const res = await s.getSpend({ group_by: ['team'], granularity: 'day' });
    assert.deepEqual(brief(res.rows), [
      '2026-11-01T00:00:00.000Z {"team":"c"} 9 1/0',
      '2026-11-01T00:00:00.000Z {"team":"a"} 3 1/0',
      '2026-11-01T00:00:00.000Z {"team":"b"} 0.5 1/0',
      '2026-11-02T00:00:00.000Z {"team":"b"} 5 1/0',
      '2026-11-02T00:00:00.000Z {"team":"a"} 1 1/0',
    ]);
  });

  it('getSpend: group and filter by tag, filter by any dimension, null meaning absent', async () => {
    const s = await fresh();
    await s.insertRecords([
      rec({ at: '2026-11-22T08:00:00Z', team: 'search', cost: '1', tags: { experiment: 'a', 'ab.test': 'x' } }),
      rec({ at: '2026-11-22T08:01:00Z', team: 'search', cost: '2', tags: { experiment: 'b' } }),
      rec({ at: '2026-11-22T08:02:00Z', team: 'ads', cost: '4', tags: { experiment: 'a' } }),
      rec({ at: '2026-11-22T08:03:00Z', team: null, cost: '8', tags: {} }),
      rec({ at: '2026-11-22T08:04:00Z', team: null, cost: null, tags: { 'ab.test': 'x' } }),
    ]);
    const byTag = await s.getSpend({ group_by: ['tag:experiment'] });
    assert.deepEqual(brief(byTag.rows), ['- {"tag:experiment":null} 8 2/1', '- {"tag:experiment":"a"} 5 2/0', '- {"tag:experiment":"b"} 2 1/0']);
    const dotted = await s.getSpend({ group_by: ['tag:ab.test', 'team'] });
    assert.deepEqual(brief(dotted.rows), ['- {"tag:ab.test":null,"team":null} 8 1/0', '- {"tag:ab.test":null,"team":"ads"} 4 1/0', '- {"tag:ab.test":null,"team":"search"} 2 1/0', '- {"tag:ab.test":"x","team":"search"} 1 1/0', '- {"tag:ab.test":"x","team":null} 0 1/1']);

    const unattributed = await s.getSpend({ filters: { team: null } });
    assert.deepEqual(unattributed.total, { cost: '8', requests: 2, unpriced_requests: 1 });
    const untagged = await s.getSpend({ filters: { 'tag:experiment': null, team: null } });
    assert.deepEqual(untagged.total, { cost: '8', requests: 2, unpriced_requests: 1 });
    const expA = await s.getSpend({ filters: { 'tag:experiment': 'a' }, group_by: ['team'] });
    assert.deepEqual(brief(expA.rows), ['- {"team":"ads"} 4 1/0', '- {"team":"search"} 1 1/0']);
    const byStatus = await s.getSpend({ filters: { status: 'ok' } });
    assert.equal(byStatus.total.requests, 5);
    assert.equal((await s.getSpend({ filters: { status: 'blocked' } })).total.requests, 0);
    const keyed = await s.getSpend({ group_by: ['key_id', 'provider', 'api', 'source', 'priority'] });
    assert.deepEqual(keyed.rows[0]!.groups, { key_id: 'key-1', provider: 'openai', api: 'chat.completions', source: 'gateway', priority: 'normal' });

    const tagEvents = await s.getEvents({ filters: { 'tag:experiment': 'a' } });
    assert.deepEqual(tagEvents.events.map((e) => e.cost?.total), ['4', '1']);
    const nullTeamEvents = await s.getEvents({ filters: { team: null }, limit: 10 });
    assert.equal(nullTeamEvents.events.length, 2);
    assert.ok(nullTeamEvents.events.every((e) => e.attribution.team === null));
  });

  it('getSpend: bad dimensions, granularity, zone or range are query errors naming the field', async () => {
    const s = await fresh();
    const bad = async (q: Parameters<Store['getSpend']>[0], field: RegExp): Promise<void> => {
      await assert.rejects(s.getSpend(q), (e: unknown) => e instanceof StoreQueryError && field.test(e.message));
    };
    await bad({ group_by: ['team; DROP TABLE ledger'] }, /^group_by/);
    await bad({ group_by: ['tag:'] }, /^group_by/);
    await bad({ group_by: ['team', 'team'] }, /^group_by/);
    await bad({ granularity: 'year' as never }, /^granularity/);
    await bad({ tz: 'Mars/Olympus' }, /^tz/);
    await bad({ tz: "UTC'; --" }, /^tz/);
    await bad({ from: 'last tuesday' }, /^from/);
    await bad({ filters: { colour: 'red' } }, /colour/);
    await assert.rejects(s.getEvents({ filters: { 'tag:x y': 'z' } }), StoreQueryError);
  });

  it('scanRecords: every match, oldest first, in keyset batches', async () => {
    const s = await fresh();
    const records = Array.from({ length: 23 }, (_, i) => rec({ at: new Date(Date.UTC(2026, 10, 20) + (i % 11) * 3_600_000).toISOString(), team: i % 4 === 0 ? 'ads' : 'search' }));
    await s.insertRecords([...records].reverse());
    const batches: LedgerRecord[][] = [];
    for await (const b of s.scanRecords({ batchSize: 5 })) batches.push(b);
    assert.deepEqual(batches.map((b) => b.length), [5, 5, 5, 5, 3]);
    const order = [...records].sort((a, b) => (a.started_at === b.started_at ? (a.id < b.id ? -1 : 1) : a.started_at < b.started_at ? -1 : 1));
    assert.deepEqual(batches.flat().map((r) => r.id), order.map((r) => r.id));
    assert.deepEqual(batches.flat()[0], order[0]);

    const from = '2026-11-20T03:00:00.000Z';
    const to = '2026-11-20T06:00:00.000Z';
    const windowed: string[] = [];
    for await (const b of s.scanRecords({ from, to, filters: { team: 'search' }, batchSize: 2 })) windowed.push(...b.map((r) => r.id));
    assert.deepEqual(windowed, order.filter((r) => r.started_at >= from && r.started_at < to && r.attribution.team === 'search').map((r) => r.id));
    assert.ok(windowed.length > 2);

    let none = 0;
    for await (const b of s.scanRecords({ from: '2030-01-01T00:00:00Z' })) none += b.length;
    assert.equal(none, 0);
  });

  it('updateCosts: replaces costs, audits old and new, skips unchanged and unknown ids', async () => {
    const s = await fresh();
    const a = rec({ at: '2026-11-22T08:00:00Z', cost: '1.5' });
    const b = rec({ at: '2026-11-22T09:00:00Z', cost: '2' });
    const c = rec({ at: '2026-11-22T10:00:00Z', cost: null });
    await s.insertRecords([a, b, c]);
    const newCost = { ...a.cost!, total: '1.2', input: '1.2', output: '0', cache_read: '0', source: 'price_book' as const };
    const changed = await s.updateCosts(
      [
        { id: a.id, cost: newCost, priced: true, price_version: 'pv-new', unpriced_reason: null },
        { id: b.id, cost: b.cost, priced: b.priced, price_version: b.price_version, unpriced_reason: b.unpriced_reason ?? null },
        { id: c.id, cost: { ...newCost, total: '0.3' }, priced: true, price_version: 'pv-new', unpriced_reason: null },
        { id: 'no-such-record', cost: newCost, priced: true, price_version: 'pv-new', unpriced_reason: null },
      ],
      'negotiated discount',
    );
    assert.equal(changed, 2);
    const { events } = await s.getEvents({ limit: 10 });
    const byId = new Map(events.map((e) => [e.id, e]));
    assert.deepEqual(byId.get(a.id), { ...a, cost: newCost, price_version: 'pv-new' });
    assert.deepEqual(byId.get(b.id), b);
    assert.equal(byId.get(c.id)?.cost?.total, '0.3');
    assert.equal(byId.get(c.id)?.priced, true);
    assert.equal(byId.get(c.id)?.unpriced_reason, null);
    assert.deepEqual((await s.getSpend({})).total, { cost: '3.5', requests: 3, unpriced_requests: 0 });

    const history = await s.sql.query('SELECT record_id, started_at, reason, old_cost_total, old_priced, old_price_version, new_cost_total, new_priced, new_price_version, changed_at FROM ledger_cost_history ORDER BY record_id');
    assert.equal(history.length, 2);
    const [ha, hc] = history;
    assert.equal(ha!.record_id, a.id);
    assert.equal(String(ha!.started_at), String(Date.parse(a.started_at)));
    assert.equal(ha!.reason, 'negotiated discount');
    assert.equal(Decimal.parse(String(ha!.old_cost_total)).toString(), '1.5');
    assert.equal(ha!.old_price_version, 'pv-abc123');
    assert.equal(Decimal.parse(String(ha!.new_cost_total)).toString(), '1.2');
    assert.equal(ha!.new_price_version, 'pv-new');
    assert.ok(Math.abs(Number(ha!.changed_at) - Date.now()) < 600_000);
    assert.equal(hc!.old_cost_total, null);
    assert.equal(hc!.old_priced, false);
    assert.equal(hc!.new_priced, true);

    // Back to unpriced: the cost becomes null again and the audit keeps the priced figure.
    assert.equal(await s.updateCosts([{ id: a.id, cost: null, priced: false, price_version: null, unpriced_reason: 'model withdrawn' }], 'model removed'), 1);
    const back = (await s.getEvents({ filters: { team: 'search' }, limit: 10 })).events.find((e) => e.id === a.id)!;
    assert.equal(back.cost, null);
    assert.equal(back.unpriced_reason, 'model withdrawn');
    assert.deepEqual((await s.getSpend({})).total, { cost: '2.3', requests: 3, unpriced_requests: 1 });
    assert.equal(await s.updateCosts([], 'nothing'), 0);
  });

  it('getEvents: pages newest first across sparse history, with and without bounds and filters', async () => {
    const s = await fresh();
    const offsets = [0, 1, 30, 3_600, 86_400, 86_401, 40 * 86_400, 400 * 86_400, 1_100 * 86_400, 1_100 * 86_400];
    const records = offsets.map((o, i) => rec({ at: new Date(Date.UTC(2026, 10, 20) - o * 1000).toISOString(), team: i % 3 === 0 ? 'ads' : 'search' }));
    // Before 2001-09-09 an epoch-µs instant has one digit fewer: ordering must not be textual.
    records.push(rec({ at: '1999-12-31T00:00:00Z', team: 'ads' }));
    await s.insertRecords(records);
    const newestFirst = (rs: LedgerRecord[]): string[] => [...rs].sort((a, b) => (a.started_at === b.started_at ? (a.id < b.id ? 1 : -1) : a.started_at < b.started_at ? 1 : -1)).map((r) => r.id);
    const pageAll = async (q: Parameters<Store['getEvents']>[0]): Promise<string[]> => {
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await s.getEvents({ ...q, limit: 2, cursor });
        ids.push(...page.events.map((e) => e.id));
        cursor = page.next_cursor;
      } while (cursor);
      return ids;
    };
    assert.deepEqual(await pageAll({}), newestFirst(records));
    assert.deepEqual(await pageAll({ team: 'ads' }), newestFirst(records.filter((r) => r.attribution.team === 'ads')));
    const to = '2026-11-19T00:00:00.000Z';
    const from = '2025-01-01T00:00:00.000Z';
    assert.deepEqual(await pageAll({ from, to }), newestFirst(records.filter((r) => r.started_at >= from && r.started_at < to)));
    // Records added after a first read are seen by the next one.
    await s.getEvents({ limit: 1 });
    const later = rec({ at: '2027-03-01T00:00:00Z' });
    await s.insertRecords([later]);
    assert.equal((await s.getEvents({ limit: 1 })).events[0]?.id, later.id);
  });

  it('deleteRecordsBefore: removes only older raw records', async () => {
    const s = await fresh();
    await s.insertRecords([rec({ at: '2026-10-01T00:00:00Z' }), rec({ at: '2026-10-31T23:59:59.999Z' }), rec({ at: '2026-11-01T00:00:00Z' }), rec({ at: '2026-11-15T00:00:00Z' })]);
    assert.equal(await s.deleteRecordsBefore('2026-11-01T00:00:00Z'), 2);
    assert.equal(await s.countRecords(), 2);
    assert.equal(await s.deleteRecordsBefore('2026-11-01T00:00:00Z'), 0);
    const left = await s.getEvents({});
    assert.deepEqual(left.events.map((e) => e.started_at), ['2026-11-15T00:00:00.000Z', '2026-11-01T00:00:00.000Z']);
    await assert.rejects(s.deleteRecordsBefore('soon'), StoreQueryError);
  });

  it('getSpend with_saved: response-cache savings per row and in the total, exact; absent without it', async () => {
    const s = await fresh();
    const hit = (spec: Spec, saved: string): LedgerRecord => {
      const r = rec({ ...spec, cost: '0' });
      return { ...r, status: 'cached', usage: null, usage_source: null, raw_usage: null, saved };
    };
    const records = [
      rec({ at: '2026-11-22T08:00:00Z', team: 'search', cost: '1.5' }),
      hit({ at: '2026-11-22T08:10:00Z', team: 'search' }, '1.5'),
      hit({ at: '2026-11-22T09:20:00Z', team: 'search' }, '0.000000000000000001'),
      rec({ at: '2026-11-22T09:30:00Z', team: 'ads', cost: '2' }),
      hit({ at: '2026-11-22T09:40:00Z', team: null }, '0.25'),
    ];
    await s.insertRecords(records);
    const plain = await s.getSpend({ group_by: ['team'] });
    assert.equal(plain.total.saved, undefined);
    assert.ok(plain.rows.every((r) => r.saved === undefined));

    const byTeam = await s.getSpend({ group_by: ['team'], with_saved: true });
    assert.deepEqual(
      byTeam.rows.map((r) => [r.groups['team'], r.cost, r.saved, r.requests]),
      [
        ['ads', '2', '0', 1],
        ['search', '1.5', '1.500000000000000001', 3],
        [null, '0', '0.25', 1],
      ],
    );
    assert.equal(byTeam.total.saved, '1.750000000000000001');
    assert.equal(byTeam.total.cost, '3.5');

    // Whole hours (the rollups answer the cost side) with hourly buckets: savings land in their hour.
    const hourly = await s.getSpend({ from: '2026-11-22T08:00:00Z', to: '2026-11-22T10:00:00Z', granularity: 'hour', with_saved: true });
    assert.deepEqual(
      hourly.rows.map((r) => [r.period, r.saved]),
      [
        ['2026-11-22T08:00:00.000Z', '1.5'],
        ['2026-11-22T09:00:00.000Z', '0.250000000000000001'],
      ],
    );
    const okOnly = await s.getSpend({ filters: { status: 'ok' }, with_saved: true });
    assert.equal(okOnly.total.saved, '0');
    const cachedOnly = await s.getSpend({ filters: { status: 'cached' }, with_saved: true });
    assert.equal(cachedOnly.total.saved, '1.750000000000000001');
    assert.equal(cachedOnly.total.requests, 3);
  });
}
