/** The budget reservation's worst case must include peak-hour windows, not only the base rates. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorstCaseEstimator } from '../../src/policy/worst-case-cost.js';
import { loadPriceBook } from '../../src/pricing/catalog-loader.js';

test('DeepSeek V4 Pro reserves at its peak rates (1.32 / 3.96 per MTok), even when called off-peak', () => {
  const est = new WorstCaseEstimator(loadPriceBook());
  // Saturday 2026-11-21 03:00 Beijing: off-peak, yet the next call may start in peak hours.
  const w = est.estimate('deepseek', 'deepseek-v4-pro', { max_tokens: 1000 }, 0, Date.parse('2026-11-20T19:00:00Z'), 1000);
  // 1000 x 1.32e-6 + 1000 x 3.96e-6 = 0.00528 USD = 5,280,000,000 picodollars.
  assert.equal(w.usdPico, 5_280_000_000n);
});
