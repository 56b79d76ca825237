/**
 * The advisor on a synthetic month whose savings are known exactly (advisor-fixtures.ts): each
 * planted opportunity is found with its hand-computed dollars, and savings stack rather than add.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { batchLever, modelFitLever } from '../../src/advisor/advisor-levers.js';
import { Decimal } from '../../src/pricing/decimal.js';
import { buildAdvice } from '../../src/advisor/recommendations.js';
import { ADVISOR_FROM, ADVISOR_TO, advisorBook, advisorLedger } from './advisor-fixtures.js';

const advise = (levers?: Parameters<typeof buildAdvice>[0]['levers'], to = ADVISOR_TO) => buildAdvice({ from: ADVISOR_FROM, to, book: advisorBook(), records: [advisorLedger()], ...(levers ? { levers } : {}) });

describe('advisor recommendations', () => {
  it('finds each planted opportunity with its exact saving, ordered by saving', async () => {
    const r = await advise();
    assert.deepEqual(
      r.recommendations.map((x) => [x.kind, x.scope['feature'], x.evidence.current_cost, x.evidence.projected_cost, x.monthly_savings]),
      [
        // support: 10 x (3000 x $10 + 400 x $40)/MTok = 0.46; cached: 1 write (3000 x 12.5) + 9 reads (3000 x 1) + outputs.
        ['prompt_caching', 'support', '0.46', '0.2245', '0.2355'],
        // summaries: the 4,000-token runaway trimmed to twice the 95th percentile (2 x 500): 3,000 x $40/MTok.
        ['output_limit', 'summaries', '0.56', '0.44', '0.12'],
        // triage: 10 x (500 x 10 + 20 x 40)/MTok = 0.058 on gpt-4o, 0.0058 on gpt-4o-mini.
        ['model_fit', 'triage', '0.058', '0.0058', '0.0522'],
        // ...and batch stacked on the smaller model: half of 0.0058, not half of 0.058.
        ['batch', 'triage', '0.0058', '0.0029', '0.0029'],
      ],
    );
    const caching = r.recommendations[0]!;
    assert.equal(caching.evidence['prefix_tokens'], 3000);
    assert.equal(caching.evidence['simulated_hits'], 9);
    // (12.5 - 10) / (12.5 - 1): caching pays from a 21.7% hit rate.
    assert.equal(caching.evidence['break_even_hit_rate'], '0.2174');
    assert.equal(r.recommendations[2]!.evidence['candidate_model'], 'gpt-4o-mini');
    assert.deepEqual(r.summary, { calls: 40, unpriced_calls: 1, baseline_cost: '1.078', projected_cost: '0.6674', period_savings: '0.4106', monthly_savings: '0.4106' });
  });

  it('stacks savings: their sum is baseline minus everything applied, less than the levers added alone', async () => {
    const stacked = await advise();
    const sum = Decimal.sum(stacked.recommendations.map((x) => Decimal.parse(x.evidence.period_savings)));
    assert.equal(sum.toString(), stacked.summary.period_savings);
    assert.equal(Decimal.parse(stacked.summary.baseline_cost).sub(Decimal.parse(stacked.summary.projected_cost)).toString(), '0.4106');
    const fitAlone = await advise([modelFitLever]);
    const batchAlone = await advise([batchLever]);
    assert.equal(fitAlone.summary.period_savings, '0.0522');
    // Batch on gpt-4o alone saves half of 0.058.
    assert.equal(batchAlone.summary.period_savings, '0.029');
    // Both on triage, stacked: 0.058 - 0.0029 = 0.0551, not 0.0522 + 0.029 = 0.0812.
    const triage = stacked.recommendations.filter((x) => x.scope['feature'] === 'triage');
    assert.deepEqual(triage.map((x) => x.evidence.period_savings), ['0.0522', '0.0029']);
    // Model fit is applied first (1), batch after caching (3).
    assert.deepEqual(triage.map((x) => x.stack_order), [1, 3]);
  });

  it('scales a shorter window to 30 days exactly', async () => {
    const r = await advise(undefined, '2026-11-16T00:00:00.000Z');
    assert.equal(r.summary.period_savings, '0.4106');
    assert.equal(r.summary.monthly_savings, '0.8212');
  });

  it('recommends nothing where nothing is planted', async () => {
    const r = await buildAdvice({ from: ADVISOR_FROM, to: ADVISOR_TO, book: advisorBook(), records: [advisorLedger().filter((c) => c.model === 'mystery-model-9')] });
    assert.deepEqual(r.recommendations, []);
    assert.equal(r.summary.baseline_cost, '0');
    assert.equal(r.summary.unpriced_calls, 1);
  });
});
