/**
 * A reviewer's decision on a queued expense line. Confirming it as a vendor also teaches the
 * matcher: a descriptor rule (the descriptor without its processor prefix and trailing reference
 * numbers, or the pattern the reviewer gives) is added, so later imports match such lines on
 * their own, and the other queued lines that rule matches are confirmed with it (recorded as
 * `rule` matches with the pattern, not as manual ones). Rejecting marks the one line as not AI.
 */
import type { ExpenseRule, SpendCategory } from '../store/spend-source.js';
import type { Store } from '../store/store.js';
import { DescriptorMatcher } from './descriptor-matcher.js';
import { descriptorKey } from './descriptor-key.js';
import { ensureDiscoveredSources } from './discovered-sources.js';

export type ReviewInput = { confirm: { vendor: string; product: string; category: SpendCategory; pattern?: string | undefined } } | { reject: true };

export interface ReviewOutcome {
  line_hash: string;
  state: 'matched' | 'rejected';
  /** The descriptor rule added by a confirmation (null for a rejection). */
  rule: ExpenseRule | null;
  /** Other queued lines the new rule matched and confirmed. */
  also_matched: number;
}

export class ReviewInputError extends Error {}

const PROCESSOR = /^\s*(PAYPAL|PADDLE\.NET|SQ|SP|FS|TST|DNH|PY)\s*\*\s*/i;

/**
 * The rule pattern a descriptor suggests: without a payment processor's prefix, cut before the
 * first word holding a digit or `#` (invoice, store and phone numbers vary per charge).
 */
export function rulePatternOf(descriptor: string): string {
  const words = descriptor.replace(PROCESSOR, '').trim().split(/\s+/);
  const kept: string[] = [];
  for (const w of words) {
    if (/[0-9#]/.test(w)) break;
    kept.push(w);
  }
  const pattern = kept.join(' ').replace(/[\s*]+$/, '').toUpperCase();
  return descriptorKey(pattern).length >= 2 ? pattern.slice(0, 100) : descriptor.trim().toUpperCase().slice(0, 100);
}

/** Returns null when no such line exists; a line no longer in the queue is refused. */
export async function decideReview(store: Store, hash: string, input: ReviewInput): Promise<ReviewOutcome | null> {
  const line = (await store.inventory.lines({ state: 'review' })).find((l) => l.line_hash === hash);
  if (!line) {
    const stored = (await store.inventory.lines()).find((l) => l.line_hash === hash);
    if (!stored) return null;
    throw new ReviewInputError(`expense line ${hash} is not in the review queue (it is ${stored.state})`);
  }
  if ('reject' in input) {
    await store.inventory.decide(hash, { reject: true });
    return { line_hash: hash, state: 'rejected', rule: null, also_matched: 0 };
  }
  const { vendor, product, category } = input.confirm;
  const pattern = input.confirm.pattern ?? rulePatternOf(line.descriptor);
  if (descriptorKey(pattern).length < 2) throw new ReviewInputError('pattern needs at least two letters or digits');
  const rule: ExpenseRule = { pattern, vendor, product, category };
  const only = new DescriptorMatcher([], [rule]);
  if (only.match(line.descriptor).kind !== 'matched') throw new ReviewInputError(`pattern "${pattern}" does not match this line's descriptor "${line.descriptor}": a rule must start the descriptor`);
  await store.inventory.putRule(rule);
  const decision = { confirm: { vendor, product, category } };
  await store.inventory.decide(hash, decision);
  let also = 0;
  for (const other of await store.inventory.lines({ state: 'review' })) {
    if (only.match(other.descriptor).kind !== 'matched') continue;
    await store.inventory.decide(other.line_hash, decision, pattern);
    also++;
  }
  await ensureDiscoveredSources(store, [{ ...line, state: 'matched', vendor, product, category }]);
  return { line_hash: hash, state: 'matched', rule, also_matched: also };
}
