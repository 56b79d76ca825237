import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Decimal } from '../../src/pricing/decimal.js';

const d = (s: string | number) => Decimal.parse(s);

test('parses plain, signed and exponent notation exactly', () => {
  assert.equal(d('2.50').toString(), '2.5');
  assert.equal(d('-0.075').toString(), '-0.075');
  assert.equal(d('3.3e-07').toString(), '0.00000033');
  assert.equal(d('1E+3').toString(), '1000');
  assert.equal(d(3.195e-5).toString(), '0.00003195');
  assert.equal(d('.5').toString(), '0.5');
  assert.equal(d('000').toString(), '0');
  assert.throws(() => d('abc'), SyntaxError);
  assert.throws(() => d(''), SyntaxError);
  assert.throws(() => d('.'), SyntaxError);
  assert.throws(() => d(Number.NaN), SyntaxError);
});

test('0.1 + 0.2 is exactly 0.3 (the float trap)', () => {
  assert.equal(d('0.1').add(d('0.2')).toString(), '0.3');
});

test('a provider total: 8174 x $0.40/MTok + 30 x $1.60/MTok + $0.01 = $0.0133176', () => {
  const prompt = d('0.40').shift(6).mulInt(8174);
  const completion = d('1.60').shift(6).mulInt(30);
  assert.equal(prompt.add(completion).add(d('0.01')).toString(), '0.0133176');
});

test('summing a million per-call costs stays exact', () => {
  let acc = Decimal.ZERO;
  const c = d('0.0000001542');
  for (let i = 0; i < 1_000_000; i++) acc = acc.add(c);
  assert.equal(acc.toString(), '0.1542');
});

test('round is half-even', () => {
  assert.equal(d('0.125').round(2).toString(), '0.12');
  assert.equal(d('0.135').round(2).toString(), '0.14');
  assert.equal(d('-0.135').round(2).toString(), '-0.14');
  assert.equal(d('1.2').round(4).toString(), '1.2');
});

test('property: add/sub/mul agree with bigint arithmetic on scaled integers', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.nat({ max: 18 }), fc.nat({ max: 18 }), (a, b, sa, sb) => {
      const x = Decimal.fromBigInt(a, sa);
      const y = Decimal.fromBigInt(b, sb);
      const scale = Math.max(sa, sb);
      const A = a * 10n ** BigInt(scale - sa);
      const B = b * 10n ** BigInt(scale - sb);
      assert.ok(x.add(y).eq(Decimal.fromBigInt(A + B, scale)));
      assert.ok(x.sub(y).add(y).eq(x));
      assert.ok(x.mul(y).eq(Decimal.fromBigInt(a * b, sa + sb)));
      assert.equal(Decimal.parse(x.toString()).toString(), x.toString());
    }),
  );
});
