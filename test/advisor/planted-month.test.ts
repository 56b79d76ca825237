/**
 * The Done-when: a simulated month with planted opportunities (planted-month.ts), written
 * through the store's real insert path (embedded DuckDB, and PostgreSQL), read back by `advise` and
 * `whatif`. Each finding's saving is checked against the hand computation below (within 5%, and in
 * fact exactly), the stacking against the levers alone, and the what-if against a hand re-pricing,
 * exactly.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { batchLever, modelFitLever } from '../../src/advisor/advisor-levers.js';
import { buildAdvice, type AdviceReport } from '../../src/advisor/recommendations.js';
import { parseChange } from '../../src/advisor/what-if-changes.js';
import { simulateWhatIf } from '../../src/advisor/what-if.js';
import { Decimal } from '../../src/pricing/decimal.js';
import { DuckDbStore } from '../../src/store/embedded/duckdb-store.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { Store } from '../../src/store/store.js';
import { dropSchemas, PG_URL, postgresAvailable } from '../helpers/postgres.js';
import { tempDir } from '../helpers/temp-dir.js';
import { MONTH_FROM, MONTH_TO, plantedBook, plantedMonth } from './planted-month.js';

/*
 * Hand computation (USD; rates per million tokens, 30 days, so monthly = period):
 *
 * classify, 3,000 calls on gpt-4o: 400 x 10 + 5 x 40 = 4,200 -> $0.0042 each, $12.60.
 *   model fit -> gpt-4o-mini: 400 x 1 + 5 x 4 = 420 -> $0.00042 each, $1.26: saves 12.60 - 1.26 = $11.34.
 *   batch (priority background), stacked on the mini: 1.26 / 2 = $0.63 (on gpt-4o alone it would be 12.60 / 2 = $6.30).
 * support, 6,000 calls on claude-sonnet-4-5: 3,200 x 3 + 350 x 15 = 14,850 -> $0.01485 each, $89.10.
 *   caching the 3,000-token prefix; calls 2 minutes apart within a day hit a 5-minute cache, the
 *   first call of each day (after ~17 hours) misses: 30 writes, 5,970 reads.
 *   write: 3,000 x 3.75 + 200 x 3 + 350 x 15 = 17,100 -> $0.0171; read: 3,000 x 0.3 + 600 + 5,250 = 6,750 -> $0.00675.
 *   30 x 0.0171 + 5,970 x 0.00675 = 0.513 + 40.2975 = $40.8105: saves 89.10 - 40.8105 = $48.2895.
 *   break-even hit rate (3.75 - 3) / (3.75 - 0.3) = 0.2174; simulated 5,970 / 6,000 = 0.995.
 * nightly-report, 1,500 calls on gpt-4o, 02:00-02:49 UTC every day, streamed at normal priority:
 *   2,000 x 10 + 800 x 40 = 52,000 -> $0.052 each, $78: batch saves 78 / 2 = $39.
 * summarize, 3,000 calls on gpt-4o-mini, 2,940 of 200 out, 60 runaways of 4,096 (finish length):
 *   95th percentile 200, suggested limit 2 x 200 = 400; each runaway saves (4,096 - 400) x 4 = 14,784 -> $0.014784;
 *   60 x 0.014784 = $0.88704.
 * Baseline: 12.60 + 89.10 + 78 + 6.33504 (2,940 x 0.0018 + 60 x 0.017384) = $186.03504.
 * Stacked total: 11.34 + 48.2895 + 0.63 + 39 + 0.88704 = $100.14654; projected 186.03504 - 100.14654 = $85.8885.
 */
const HAND: [kind: string, feature: string, saving: string][] = [
  ['prompt_caching', 'support', '48.2895'],
  ['batch', 'nightly-report', '39'],
  ['model_fit', 'classify', '11.34'],
  ['output_limit', 'summarize', '0.88704'],
  ['batch', 'classify', '0.63'],
];

/** |found - hand| <= 5% of hand. */
function within5Percent(found: string, hand: string): boolean {
  const diff = Decimal.parse(found).sub(Decimal.parse(hand));
  const abs = diff.cmp(Decimal.ZERO) < 0 ? Decimal.ZERO.sub(diff) : diff;
  return abs.mulInt(20).cmp(Decimal.parse(hand)) <= 0;
}

function checkAdvice(r: AdviceReport): void {
  assert.deepEqual(r.recommendations.map((x) => [x.kind, x.scope['feature']]), HAND.map(([k, f]) => [k, f]));
  for (const [k, [kind, feature, hand]] of HAND.entries()) {
    const found = r.recommendations[k]!;
    assert.ok(within5Percent(found.monthly_savings, hand), `${kind} ${feature}: ${found.monthly_savings} vs hand ${hand}`);
    assert.equal(found.monthly_savings, hand, `${kind} ${feature} exactly`);
  }
  const caching = r.recommendations[0]!;
  assert.equal(caching.evidence['prefix_tokens'], 3000);
  assert.equal(caching.evidence['prefix_source'], 'prompt_prefix_hash');
  assert.equal(caching.evidence['already_caching'], false);
  assert.equal(caching.evidence['simulated_hits'], 5970);
  assert.equal(caching.evidence['break_even_hit_rate'], '0.2174');
  assert.equal(caching.evidence['min_cacheable_tokens'], 1024);
  const nightly = r.recommendations[1]!;
  assert.equal(nightly.evidence['schedule'], 'daily 02:00-02:49 UTC on 30 days');
  assert.equal(nightly.evidence['streamed_calls'], 1500);
  assert.equal(r.recommendations[2]!.evidence['candidate_model'], 'gpt-4o-mini');
  const limit = r.recommendations[3]!;
  assert.equal(limit.evidence['median_max_output_tokens_asked'], 4096);
  assert.equal(limit.evidence['p95_output_tokens'], 200);
  assert.equal(limit.evidence['truncated_calls'], 60);
  assert.equal(limit.evidence['suggested_max_output_tokens'], 400);
  assert.deepEqual(r.summary, { calls: 13_500, unpriced_calls: 0, baseline_cost: '186.03504', projected_cost: '85.8885', period_savings: '100.14654', monthly_savings: '100.14654' });
  // Stacked: the savings add up to what doing everything saves.
  assert.equal(Decimal.sum(r.recommendations.map((x) => Decimal.parse(x.monthly_savings))).toString(), r.summary.monthly_savings);
}

/*
 * What-if hand re-pricing of four changes, in order:
 *   model:gpt-4o->gpt-4o-mini where feature=classify   classify 12.60 -> 1.26
 *   batch where feature=nightly-report                  nightly 78 -> 39
 *   cache prefix where feature=support                  support: the month's first call writes, the 5,999 others read:
 *                                                         0.0171 + 5,999 x 0.00675 = 40.51035
 *   price provider=anthropic -12%                       support x 0.88 = 35.649108
 * summarize unchanged 6.33504. After: 1.26 + 39 + 35.649108 + 6.33504 = 82.244148; savings 103.790892.
 * Day 1: 0.042 + 1.3 + (0.0171 + 199 x 0.00675) x 0.88 + 0.211168 = 2.750276; every other day 0.042 + 1.3 + 1.188 + 0.211168 = 2.741168.
 */
const CHANGES = ['model:gpt-4o->gpt-4o-mini where feature=classify', 'batch where feature=nightly-report', 'cache prefix where feature=support', 'price provider=anthropic -12%'];

async function checkWhatIf(store: Store): Promise<void> {
  const r = await simulateWhatIf({ from: MONTH_FROM, to: MONTH_TO, book: plantedBook(), records: store.scanRecords({ from: MONTH_FROM, to: MONTH_TO }), changes: { moves: [], batch: false, steps: CHANGES.map(parseChange) } });
  assert.deepEqual(r.total, { calls: 13_500, before: '186.03504', after: '82.244148', savings: '103.790892', monthly_savings: '103.790892', unpriced_calls: 0 });
  assert.deepEqual(r.by_day[0], { day: '2026-11-01', calls: 450, before: '6.201168', after: '2.750276', savings: '3.450892' });
  assert.equal(r.by_day.length, 30);
  for (const d of r.by_day.slice(1)) assert.equal(d.after, '2.741168', d.day);
  assert.deepEqual(
    r.by_feature.map((f) => [f.feature, f.before, f.after]),
    [
      ['support', '89.1', '35.649108'],
      ['nightly-report', '78', '39'],
      ['classify', '12.6', '1.26'],
      ['summarize', '6.33504', '6.33504'],
    ],
  );
}

async function advise(store: Store, levers?: Parameters<typeof buildAdvice>[0]['levers']): Promise<AdviceReport> {
  return buildAdvice({ from: MONTH_FROM, to: MONTH_TO, book: plantedBook(), records: store.scanRecords({ from: MONTH_FROM, to: MONTH_TO }), ...(levers ? { levers } : {}) });
}

describe('the planted month, embedded store', () => {
  let store: DuckDbStore;
  before(async () => {
    store = await DuckDbStore.open(tempDir('costrail-planted-'));
    await store.insertRecords(plantedMonth());
  });
  after(() => store?.close());

  it('advise finds each planted opportunity with the hand-computed saving, stacked', async () => {
    checkAdvice(await advise(store));
  });

  it('stacking: model fit and batch on classify save less together than the two alone, added', async () => {
    const fitAlone = await advise(store, [modelFitLever]);
    const batchAlone = await advise(store, [batchLever]);
    assert.equal(fitAlone.summary.period_savings, '11.34');
    // Batch alone: classify at gpt-4o's batch rates (6.30) and the nightly job (39).
    assert.equal(batchAlone.recommendations.find((x) => x.scope['feature'] === 'classify')?.monthly_savings, '6.3');
    const stacked = (await advise(store)).recommendations.filter((x) => x.scope['feature'] === 'classify');
    // 11.34 + 0.63 = 11.97 = 12.60 - 0.63, not 11.34 + 6.30 = 17.64.
    assert.equal(Decimal.sum(stacked.map((x) => Decimal.parse(x.monthly_savings))).toString(), '11.97');
    assert.ok(stacked.every((x, k) => k === 0 || x.stack_order > stacked[0]!.stack_order));
  });

  it('whatif equals the hand re-pricing exactly', async () => {
    await checkWhatIf(store);
  });
});

const pgAvailable = await postgresAvailable('the advisor planted-month run on PostgreSQL');

describe('the planted month, PostgreSQL store', { skip: pgAvailable ? false : 'no PostgreSQL at ' + PG_URL }, () => {
  const schema = `costrail_adv${process.pid}_${randomBytes(3).toString('hex')}`;
  let store: PostgresStore;
  before(async () => {
    store = await PostgresStore.open(PG_URL, { schema, maxConnections: 3 });
    await store.insertRecords(plantedMonth());
  });
  after(async () => {
    await store?.close();
    await dropSchemas([schema]);
  });

  it('advise and whatif read the same month back from PostgreSQL with the same figures', async () => {
    checkAdvice(await advise(store));
    await checkWhatIf(store);
  });
});
