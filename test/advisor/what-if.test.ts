/** The what-if simulator re-prices the synthetic month exactly as a hand re-pricing does. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { simulateWhatIf, WhatIfError, type WhatIfChanges } from '../../src/advisor/what-if.js';
import { ADVISOR_FROM, ADVISOR_TO, advisorBook, advisorLedger } from './advisor-fixtures.js';

const whatIf = (changes: Partial<WhatIfChanges>) => simulateWhatIf({ from: ADVISOR_FROM, to: ADVISOR_TO, book: advisorBook(), records: [advisorLedger()], changes: { moves: [], batch: false, ...changes } });

describe('what-if simulator', () => {
  it('with no change, after equals before', async () => {
    const r = await whatIf({});
    assert.deepEqual(r.total, { calls: 40, before: '1.078', after: '1.078', savings: '0', monthly_savings: '0', unpriced_calls: 1 });
  });

  it('moving triage to gpt-4o-mini and batching re-prices exactly, by feature and by day', async () => {
    const r = await whatIf({ moves: [{ feature: 'triage', model: 'gpt-4o-mini' }], batch: true });
    // triage 0.058 -> 0.0029 (mini at half price); everything else at half price: support 0.23, summaries 0.28.
    assert.deepEqual(r.by_feature, [
      { feature: 'summaries', calls: 20, before: '0.56', after: '0.28', savings: '0.28' },
      { feature: 'support', calls: 10, before: '0.46', after: '0.23', savings: '0.23' },
      { feature: 'triage', calls: 10, before: '0.058', after: '0.0029', savings: '0.0551' },
    ]);
    assert.equal(r.total.after, '0.5129');
    assert.deepEqual(r.by_day.map((d) => [d.day, d.calls, d.after]), [
      ['2026-11-02', 10, '0.0029'],
      ['2026-11-03', 10, '0.23'],
      // summaries alternate days: 10 x (100 x 10 + 500 x 40)/MTok / 2, and the day with the runaway (9 x 0.021 + 0.161) / 2.
      ['2026-11-04', 10, '0.105'],
      ['2026-11-05', 10, '0.175'],
    ]);
  });

  it('a cache hit rate re-prices only prompts long enough to cache', async () => {
    const r = await whatIf({ cache_hit: '0.6' });
    // support: 6 reads, 4 writes of the 3,000-token prefix: 4 x 0.0535 + 6 x 0.019 = 0.328.
    const support = r.by_feature.find((f) => f.feature === 'support');
    assert.deepEqual(support, { feature: 'support', calls: 10, before: '0.46', after: '0.328', savings: '0.132' });
    assert.equal(r.total.savings, '0.132');
  });

  it('refuses a target model the price book cannot price', async () => {
    await assert.rejects(whatIf({ moves: [{ feature: 'triage', model: 'gpt-9-ultra' }] }), WhatIfError);
  });
});
