/**
 * Money for reading when some calls have no known price. Their cost is unknown, not zero, so a
 * line made only of them reads "unpriced (N calls)" and a mixed line names them beside the
 * amount; a report must never turn missing prices into $0.00.
 */
import { Decimal } from '../pricing/decimal.js';

export function unpricedText(calls: number): string {
  return `unpriced (${calls} ${calls === 1 ? 'call' : 'calls'})`;
}

/** `format(cost)`, or "unpriced (N calls)" when nothing in it is priced, or both when mixed. */
export function costOrUnpriced(cost: string, unpricedCalls: number, format: (v: string) => string): string {
  if (unpricedCalls <= 0) return format(cost);
  if (Decimal.parse(cost).isZero()) return unpricedText(unpricedCalls);
  return `${format(cost)} + ${unpricedText(unpricedCalls)}`;
}
