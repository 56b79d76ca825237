/**
 * Recommendations with exact dollars, stacked: the levers run in a fixed order over the same
 * calls, each starting from the states the previous ones left, and each recommendation's saving is
 * the exact price-book difference its change makes on top of the ones before it. The savings
 * therefore add up to what doing all of them would save (baseline minus the fully changed cost),
 * never to more: a call moved to a smaller model and then to batch saves half of the smaller
 * model's price on the batch step, not half of the original's.
 */
import type { LedgerRecord } from '../ledger/ledger-record.js';
import { Decimal } from '../pricing/decimal.js';
import type { PriceBook } from '../pricing/price-book.js';
import { initialState, priceState, toAdvisorCall, type AdvisorCall, type CallState } from './advisor-call.js';
import { DEFAULT_ADVISOR_OPTIONS, LEVERS, type AdvisorOptions, type Lever, type RecommendationKind } from './advisor-levers.js';
import type { EvidenceValue } from './lever-support.js';
import { perMonth } from './month-scale.js';

export interface Recommendation {
  id: string;
  kind: RecommendationKind;
  scope: Record<string, string | null>;
  /** Position in the stacking order (1 = applied first). */
  stack_order: number;
  evidence: {
    calls: number;
    /** What these calls cost after the recommendations stacked before this one (exact USD). */
    current_cost: string;
    /** What they cost with this change as well. */
    projected_cost: string;
    period_savings: string;
  } & Record<string, EvidenceValue>;
  /** period_savings scaled to 30 days (exact, rounded half-even at 18 places). */
  monthly_savings: string;
  confidence: 'measured' | 'estimated';
  assumptions: string[];
  how: string;
  risk: string;
}

export interface AdviceReport {
  from: string;
  to: string;
  price_version: string;
  summary: {
    calls: number;
    /** Calls the price book cannot price (unknown model, no usage): left out, never counted as $0. */
    unpriced_calls: number;
    /** The window's calls re-priced as they were, with today's price book. */
    baseline_cost: string;
    /** The same calls with every recommendation applied. */
    projected_cost: string;
    period_savings: string;
    monthly_savings: string;
  };
  /** Ordered by monthly savings, largest first; savings are stacked (see stack_order). */
  recommendations: Recommendation[];
}

export interface AdviceInput {
  from: string;
  to: string;
  book: PriceBook;
  records: AsyncIterable<readonly LedgerRecord[]> | Iterable<readonly LedgerRecord[]>;
  options?: Partial<AdvisorOptions>;
  levers?: readonly Lever[];
}

/** Collects the calls the advisor can re-price; counts the rest. */
export async function collectCalls(book: PriceBook, records: AdviceInput['records']): Promise<{ calls: AdvisorCall[]; unpriced: number }> {
  const calls: AdvisorCall[] = [];
  let unpriced = 0;
  for await (const batch of records) {
    for (const r of batch) {
      // Refused calls moved no tokens; a cached answer cost nothing: neither has anything to save.
      if (r.status === 'blocked' || r.status === 'cached' || r.usage === null) continue;
      const c = toAdvisorCall(book, r);
      if (c) calls.push(c);
      else if (r.usage !== null) unpriced++;
    }
  }
  return { calls, unpriced };
}

function sumPrices(book: PriceBook, calls: readonly AdvisorCall[], states: readonly CallState[], idx: Iterable<number>): Decimal {
  let sum = Decimal.ZERO;
  for (const i of idx) sum = sum.add(priceState(book, calls[i]!, states[i]!) ?? Decimal.ZERO);
  return sum;
}

export async function buildAdvice(input: AdviceInput): Promise<AdviceReport> {
  const opts = { ...DEFAULT_ADVISOR_OPTIONS, ...input.options };
  const { book } = input;
  const periodMs = Date.parse(input.to) - Date.parse(input.from);
  const { calls, unpriced } = await collectCalls(book, input.records);
  const states = calls.map(initialState);
  const all = calls.map((_c, i) => i);
  const baseline = sumPrices(book, calls, states, all);
  const recs: Recommendation[] = [];
  for (const lever of input.levers ?? LEVERS) {
    for (const g of lever(calls, states, book, opts)) {
      const before = sumPrices(book, calls, states, g.indices);
      const proposed = g.indices.map((i, k) => g.next(k, states[i]!));
      // A change that leaves a call unpriced (a target with no price) cannot be sized: skip the group.
      if (proposed.some((s, k) => priceState(book, calls[g.indices[k]!]!, s) === undefined)) continue;
      const after = Decimal.sum(proposed.map((s, k) => priceState(book, calls[g.indices[k]!]!, s)!));
      const saving = before.sub(after);
      if (saving.cmp(Decimal.ZERO) <= 0) continue;
      g.indices.forEach((i, k) => (states[i] = proposed[k]!));
      const scopeKey = Object.entries(g.scope).map(([k, v]) => `${k}=${v ?? ''}`).join(',');
      recs.push({
        id: `${g.kind}:${scopeKey}`,
        kind: g.kind,
        scope: g.scope,
        stack_order: recs.length + 1,
        evidence: { calls: g.indices.length, current_cost: before.toString(), projected_cost: after.toString(), period_savings: saving.toString(), ...g.evidence },
        monthly_savings: perMonth(saving, periodMs).toString(),
        confidence: g.confidence,
        assumptions: g.assumptions,
        how: g.how,
        risk: g.risk,
      });
    }
  }
  const projected = sumPrices(book, calls, states, all);
  const saved = baseline.sub(projected);
  recs.sort((a, b) => Decimal.parse(b.monthly_savings).cmp(Decimal.parse(a.monthly_savings)) || a.stack_order - b.stack_order);
  return {
    from: input.from,
    to: input.to,
    price_version: book.version,
    summary: {
      calls: calls.length,
      unpriced_calls: unpriced,
      baseline_cost: baseline.toString(),
      projected_cost: projected.toString(),
      period_savings: saved.toString(),
      monthly_savings: perMonth(saved, periodMs).toString(),
    },
    recommendations: recs,
  };
}
