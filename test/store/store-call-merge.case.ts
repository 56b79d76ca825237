/**
 * One record per call (src/ledger/call-merge.ts), on every store: records of one call (same
 * provider and response id) from the gateway, the SDK and spans become one record whichever
 * arrives first, in one batch or several, and when two ingests race; the spend sums and rollups
 * count the call once, under the merged attribution.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Store } from '../../src/store/store.js';
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import { makeRecord } from './ledger-fixtures.js';

const RESPONSE = 'chatcmpl-merge-0001';

/** The same call as the gateway, the SDK and a span saw it (ids and start times differ a little). */
function views(n = 1): { gateway: LedgerRecord; sdk: LedgerRecord; span: LedgerRecord } {
  const base = makeRecord(n, { response_id: `${RESPONSE}-${n}` });
  return {
    gateway: { ...base, id: `gw-${n}`, attribution: { ...base.attribution, user: null, env: 'prod' }, tags: { route: 'a' } },
    sdk: { ...base, id: `sdk-${n}`, source: 'sdk', started_at: new Date(Date.parse(base.started_at) - 40).toISOString(), ttft_ms: null, key_id: null, trace_id: null, span_id: null, attribution: { ...base.attribution, team: 'sdk-team', user: null, env: null }, tags: {} },
    span: {
      ...base,
      id: `otel-${n}`,
      source: 'otel',
      started_at: new Date(Date.parse(base.started_at) - 55).toISOString(),
      api: null,
      http_status: null,
      ttft_ms: null,
      key_id: null,
      trace_id: 'a'.repeat(32),
      span_id: 'b'.repeat(16),
      attribution: { ...base.attribution, team: 'span-team', user: 'u-span', agent: 'planner', env: null },
      tags: { route: 'span-route', 'otel.scope': 'openinference' },
    },
  };
}

async function only(s: Store): Promise<LedgerRecord> {
  const { events } = await s.getEvents({ limit: 10 });
  assert.equal(events.length, 1, `one record, got ${events.map((e) => e.id).join(', ')}`);
  return events[0]!;
}

export function callMergeConformance(fresh: () => Promise<Store>): void {
  it('one call: an SDK record and a span become one record, whichever arrives first', async () => {
    for (const order of ['sdk-first', 'span-first'] as const) {
      const s = await fresh();
      const { sdk, span } = views();
      const [first, second] = order === 'sdk-first' ? [sdk, span] : [span, sdk];
      assert.deepEqual(await s.insertRecords([first]), { inserted: 1 });
      assert.deepEqual(await s.insertRecords([second]), { inserted: 0 });
      const r = await only(s);
      // The SDK's record is the base (id, source, times); the span fills what the SDK lacked.
      assert.equal(r.id, sdk.id, order);
      assert.equal(r.source, 'sdk');
      assert.equal(r.started_at, sdk.started_at);
      assert.equal(r.attribution.team, 'sdk-team');
      assert.equal(r.attribution.user, 'u-span');
      assert.equal(r.attribution.agent, 'planner');
      assert.equal(r.trace_id, span.trace_id);
      assert.equal(r.span_id, span.span_id);
      assert.equal(r.api, sdk.api);
      assert.deepEqual(r.tags, span.tags);
      // The sums count the call once, under the merged attribution (rollup included).
      const spend = await s.getSpend({ group_by: ['team'] });
      assert.deepEqual(spend.rows.map((x) => [x.groups['team'], x.requests, x.cost]), [['sdk-team', 1, sdk.cost!.total]]);
      assert.equal((await s.getSpend({ group_by: ['user'] })).rows[0]?.groups['user'], 'u-span');
    }
  });

  it("one call: a span's attribution merges into the gateway's record, never a second record", async () => {
    for (const order of ['gateway-first', 'span-first', 'same-batch'] as const) {
      const s = await fresh();
      const { gateway, span } = views(2);
      if (order === 'same-batch') assert.deepEqual(await s.insertRecords([span, gateway]), { inserted: 1 });
      else {
        const [a, b] = order === 'gateway-first' ? [gateway, span] : [span, gateway];
        await s.insertRecords([a]);
        await s.insertRecords([b]);
      }
      const r = await only(s);
      assert.equal(r.id, gateway.id, order);
      assert.equal(r.source, 'gateway');
      assert.equal(r.started_at, gateway.started_at);
      assert.equal(r.attribution.team, gateway.attribution.team, 'a value the gateway had is kept');
      assert.equal(r.attribution.env, 'prod');
      assert.equal(r.attribution.user, 'u-span');
      assert.equal(r.attribution.agent, 'planner');
      assert.equal(r.tags['route'], 'a', "the gateway's tag wins on a shared name");
      assert.equal(r.tags['otel.scope'], 'openinference');
      assert.equal(r.key_id, gateway.key_id);
      const spend = await s.getSpend({ group_by: ['team', 'model'], granularity: 'hour' });
      assert.equal(spend.total.requests, 1);
      assert.equal(spend.total.cost, gateway.cost!.total);
    }
  });

  it('one call seen three ways is one record, in any order; replays change nothing', async () => {
    const { gateway, sdk, span } = views(3);
    const orders = [
      [[span], [sdk], [gateway]],
      [[gateway], [span, sdk]],
      [[sdk, gateway, span]],
    ];
    let expected: LedgerRecord | undefined;
    for (const batches of orders) {
      const s = await fresh();
      for (const b of batches) await s.insertRecords(b);
      const r = await only(s);
      assert.equal(r.id, gateway.id);
      expected ??= r;
      assert.deepEqual(r, expected, 'the same record whatever the order');
      // Exporter retries and spool replays of any of the three leave it as it is.
      assert.deepEqual(await s.insertRecords([span, sdk, gateway]), { inserted: 0 });
      assert.deepEqual(await only(s), expected);
      assert.equal((await s.getSpend({})).total.requests, 1);
    }
  });

  it('two ingests racing over one call still leave one record', async () => {
    const s = await fresh();
    const calls = Array.from({ length: 20 }, (_, i) => views(10 + i));
    await Promise.all([
      ...calls.map((c) => s.insertRecords([c.sdk])),
      ...calls.map((c) => s.insertRecords([c.span])),
      s.insertRecords(calls.map((c) => c.gateway)),
    ]);
    const { events } = await s.getEvents({ limit: 100 });
    assert.equal(events.length, 20);
    assert.ok(events.every((e) => e.source === 'gateway' && e.attribution.user === 'u-span'));
    assert.equal((await s.getSpend({ group_by: ['team'] })).total.requests, 20);
  });

  it('the key is provider and response id: the same id at another provider is another call', async () => {
    const s = await fresh();
    const { gateway } = views(4);
    await s.insertRecords([gateway, { ...gateway, id: 'other-provider', provider: 'mistral' }, { ...gateway, id: 'no-response-id', response_id: null }]);
    assert.equal(await s.countRecords(), 3);
  });
}
