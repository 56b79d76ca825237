/**
 * Splitting a pool of shared or unattributed spend between owners, exactly: the parts always sum
 * to the pool to the last digit (largest-remainder at 18 decimals, the ledger's DECIMAL scale),
 * so allocated totals reconcile with the ledger instead of drifting by rounding.
 */
import { Decimal } from '../pricing/decimal.js';

export type AllocationRule = { kind: 'none' } | { kind: 'proportional' } | { kind: 'even' } | { kind: 'fixed'; shares: { owner: string; percent: Decimal }[] };

const SCALE = 18;

function coefAt(d: Decimal, scale: number): bigint {
  if (d.scale > scale) throw new RangeError(`more than ${scale} decimals: ${d.toString()}`);
  return d.coef * 10n ** BigInt(scale - d.scale);
}

/** Splits `amount` in proportion to non-negative `weights` (not all zero); the parts sum to `amount` exactly. */
export function splitExact(amount: Decimal, weights: readonly Decimal[]): Decimal[] {
  const scale = Math.max(SCALE, amount.scale, ...weights.map((w) => w.scale));
  const total = coefAt(amount, scale);
  const w = weights.map((x) => coefAt(x, scale));
  const sumW = w.reduce((a, b) => a + b, 0n);
  if (sumW <= 0n || w.some((x) => x < 0n)) throw new RangeError('weights must be non-negative and not all zero');
  const negative = total < 0n;
  const abs = negative ? -total : total;
  const parts = w.map((x) => (abs * x) / sumW);
  let left = abs - parts.reduce((a, b) => a + b, 0n);
  // Hand the leftover units to the largest remainders (ties: earlier first), one unit each.
  const order = w.map((x, i) => ({ i, rem: (abs * x) % sumW })).sort((a, b) => (b.rem > a.rem ? 1 : b.rem < a.rem ? -1 : a.i - b.i));
  for (const { i } of order) {
    if (left <= 0n) break;
    parts[i] = (parts[i] ?? 0n) + 1n;
    left--;
  }
  return parts.map((p) => Decimal.fromBigInt(negative ? -p : p, scale));
}

/**
 * `proportional` | `even` | `none` | `fixed:search=60,ops=40` (percentages of the first
 * showback dimension's values, summing to 100).
 */
export function parseAllocationRule(text: string | undefined): AllocationRule {
  const t = (text ?? 'none').trim();
  if (t === 'none' || t === '') return { kind: 'none' };
  if (t === 'proportional' || t === 'even') return { kind: t };
  const m = /^fixed:(.+)$/.exec(t);
  if (!m) throw new RangeError(`allocate must be proportional, even, none or fixed:owner=percent,…, not "${t}"`);
  const shares = (m[1] ?? '').split(',').map((part) => {
    const eq = /^([^=]+)=(\d+(?:\.\d+)?)$/.exec(part.trim());
    if (!eq) throw new RangeError(`allocate fixed: "${part}" is not owner=percent`);
    return { owner: (eq[1] ?? '').trim(), percent: Decimal.parse(eq[2] ?? '0') };
  });
  const sum = Decimal.sum(shares.map((s) => s.percent));
  if (!sum.eq(Decimal.fromInt(100))) throw new RangeError(`allocate fixed: percentages sum to ${sum.toString()}, not 100`);
  if (new Set(shares.map((s) => s.owner)).size !== shares.length) throw new RangeError('allocate fixed: an owner is named twice');
  return { kind: 'fixed', shares };
}

export function describeRule(rule: AllocationRule): string {
  if (rule.kind === 'fixed') return `fixed:${rule.shares.map((s) => `${s.owner}=${s.percent.toString()}`).join(',')}`;
  return rule.kind;
}
