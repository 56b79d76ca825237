/** The descriptor rule a review confirmation suggests: stable across charges of one merchant. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DescriptorMatcher } from '../../src/inventory/descriptor-matcher.js';
import { rulePatternOf } from '../../src/inventory/review-decision.js';

test('drops processor prefixes and reference numbers, and still matches the line it came from', () => {
  const cases: [string, string][] = [
    ['ACME NEURAL LABS 4411', 'ACME NEURAL LABS'],
    ['SP * WRITERLY AI', 'WRITERLY AI'],
    ['PAYPAL *GPTZERO 4029357733', 'GPTZERO'],
    ['Neuralink Tools #8812 SF', 'NEURALINK TOOLS'],
    ['4411 LABS AI', '4411 LABS AI'],
  ];
  for (const [descriptor, pattern] of cases) {
    assert.equal(rulePatternOf(descriptor), pattern, descriptor);
    const m = new DescriptorMatcher([], [{ pattern, vendor: 'V', product: 'P', category: 'other' }]).match(descriptor);
    assert.equal(m.kind, 'matched', descriptor);
  }
});
