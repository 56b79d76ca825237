/** Exact ratios and the compare statistics against values computed independently (SciPy 1.17). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ratio, ratioText } from '../../src/economics/decimal-ratio.js';
import { erfc, twoProportionZTest, wilsonInterval } from '../../src/economics/proportion-stats.js';
import { Decimal } from '../../src/pricing/decimal.js';

const d = (s: string): Decimal => Decimal.parse(s);
const close = (actual: number, expected: number, tol: number): void => assert.ok(Math.abs(actual - expected) <= tol, `${actual} is not within ${tol} of ${expected}`);

describe('ratio', () => {
  it('divides exactly where the quotient terminates and rounds half-even once where it does not', () => {
    assert.equal(ratioText(d('0.6'), d('3'), 18), '0.2');
    assert.equal(ratioText(d('1'), d('60'), 18), '0.016666666666666667');
    assert.equal(ratioText(d('2'), d('3'), 6), '0.666667');
    assert.equal(ratioText(d('-2'), d('3'), 6), '-0.666667');
    assert.equal(ratioText(d('1'), d('-8'), 2), '-0.12'); // -0.125 → half-even → -0.12
    assert.equal(ratioText(d('0.375'), d('1'), 2), '0.38'); // 0.375 → 0.38 (7 is odd)
    assert.equal(ratioText(d('0.000000000000000001'), d('0.000000000000000003'), 6), '0.333333');
    assert.equal(ratio(d('5'), d('0'), 18), null);
  });
});

describe('compare statistics', () => {
  it('Wilson interval matches the reference values, including 0 successes', () => {
    const [lo, hi] = wilsonInterval(60, 100)!;
    close(lo, 0.5020025867910618, 1e-12);
    close(hi, 0.6905987135675411, 1e-12);
    const [lo0, hi0] = wilsonInterval(0, 10)!;
    assert.equal(lo0, 0);
    close(hi0, 0.2775327998628892, 1e-12);
    assert.equal(wilsonInterval(0, 0), null);
  });

  it('two-proportion z-test matches the reference z and p', () => {
    const t = twoProportionZTest(60, 100, 45, 100)!;
    close(t.z, 2.1239769762143657, 1e-12);
    close(t.p_value, 0.033672068856345855, 1e-7);
    close(t.difference, 0.15, 1e-15);
    assert.equal(twoProportionZTest(10, 10, 5, 5), null); // pooled rate 1: no variance, no test
    assert.equal(twoProportionZTest(1, 0, 1, 1), null);
  });

  it('erfc stays within its stated error', () => {
    close(erfc(0), 1, 2e-7);
    close(erfc(1), 0.15729920705028513, 2e-7 * 0.158);
    close(erfc(-1), 1.8427007929497148, 2e-7 * 1.85);
    close(erfc(3), 2.209049699858544e-5, 2e-7 * 2.3e-5);
  });
});
