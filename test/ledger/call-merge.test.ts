/**
 * The merge rule of one call's records (src/ledger/call-merge.ts), on its own: the most trusted
 * source is the base whatever the order, attribution is filled key by key, usage and cost travel
 * together, and the fold gives the same record in every arrival order.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { foldBatchCalls, mergeCallRecords } from '../../src/ledger/call-merge.js';
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import { makeRecord } from '../store/ledger-fixtures.js';

const base = makeRecord(1, { response_id: 'msg_01merge' });
const gateway: LedgerRecord = { ...base, id: 'gw', attribution: { ...base.attribution, user: null, agent: null }, tags: { a: 'gw' } };
const sdk: LedgerRecord = { ...base, id: 'sdk', source: 'sdk', ttft_ms: null, attribution: { ...base.attribution, team: 'sdk', user: 'u-sdk', agent: null }, tags: { a: 'sdk', b: 'sdk' } };
const span: LedgerRecord = { ...base, id: 'span', source: 'otel', api: null, usage: null, cost: null, priced: false, attribution: { ...base.attribution, team: 'span', user: 'u-span', agent: 'planner' }, tags: { c: 'span' } };

const permutations = <T>(xs: T[]): T[][] => (xs.length <= 1 ? [xs] : xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p])));

test('the gateway record is the base in every arrival order; attribution and tags fill by source rank', () => {
  const results = permutations([gateway, sdk, span]).map((order) => mergeCallRecords(order));
  for (const r of results) assert.deepEqual(r, results[0]);
  const r = results[0]!;
  assert.equal(r.id, 'gw');
  assert.equal(r.source, 'gateway');
  assert.equal(r.attribution.team, gateway.attribution.team);
  assert.equal(r.attribution.user, 'u-sdk', 'the SDK outranks the span');
  assert.equal(r.attribution.agent, 'planner', 'only the span had it');
  assert.deepEqual(r.tags, { a: 'gw', b: 'sdk', c: 'span' });
  // Folding stepwise gives the same record (associative).
  assert.deepEqual(mergeCallRecords([mergeCallRecords([span, sdk]), gateway]), r);
});

test('usage and cost come as one group from the base, or from another record when the base counted nothing', () => {
  const spanFirst = mergeCallRecords([span, { ...sdk, source: 'import' }]);
  assert.equal(spanFirst.source, 'import');
  assert.deepEqual(spanFirst.usage, sdk.usage);
  const noUsageBase = mergeCallRecords([{ ...gateway, usage: null, cost: null, priced: false, usage_source: null }, sdk]);
  assert.equal(noUsageBase.id, 'gw');
  assert.deepEqual(noUsageBase.usage, sdk.usage);
  assert.deepEqual(noUsageBase.cost, sdk.cost);
  assert.equal(noUsageBase.priced, sdk.priced);
});

test('a batch keeps each call once, at its first position; records without a response id are untouched', () => {
  const other = makeRecord(2);
  const plain = { ...makeRecord(3), response_id: null };
  const folded = foldBatchCalls([span, other, plain, gateway, sdk]);
  assert.deepEqual(folded.map((r) => r.id), ['gw', other.id, plain.id]);
  assert.equal(folded[0]!.attribution.agent, 'planner');
});
