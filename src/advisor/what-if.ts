/**
 * The what-if simulator: the window's actual calls re-priced, exactly, under changes the user
 * names (move a feature to another model, send everything through the batch API, assume a prompt
 * cache hit rate). Changes apply in the advisor's stacking order: model, then cache, then batch.
 */
import { Decimal } from '../pricing/decimal.js';
import { isResolved } from '../pricing/price-book.js';
import { initialState, priceState, type AdvisorCall, type CallState } from './advisor-call.js';
import { cachePrefix, prefixGroups } from './advisor-levers.js';
import { minCacheablePrefixTokens } from './cache-minimums.js';
import { byTime } from './lever-support.js';
import { perMonth } from './month-scale.js';
import { collectCalls, type AdviceInput } from './recommendations.js';
import type { ChangeCondition, WhatIfChange } from './what-if-changes.js';

export interface ModelMove {
  feature: string;
  model: string;
}

export interface WhatIfChanges {
  moves: ModelMove[];
  /** Every call in the window through the provider's batch API (batch rates where the book has them). */
  batch: boolean;
  /** Share of calls that read their stable prefix from cache, as a decimal 0..1 ("0.6"). */
  cache_hit?: string;
  /** Grammar changes (what-if-changes.ts), applied in order after the options above. */
  steps?: WhatIfChange[];
}

export interface WhatIfLine {
  calls: number;
  before: string;
  after: string;
  savings: string;
}

export interface WhatIfReport {
  from: string;
  to: string;
  price_version: string;
  changes: Omit<WhatIfChanges, 'steps'>;
  /** Every change applied, in order, in the grammar's words. */
  applied: string[];
  total: WhatIfLine & { monthly_savings: string; unpriced_calls: number };
  by_day: (WhatIfLine & { day: string })[];
  by_feature: (WhatIfLine & { feature: string | null })[];
  notes: string[];
}

/** A change the price book cannot honour (a target model it does not price): the caller's error. */
export class WhatIfError extends Error {
  override readonly name = 'WhatIfError';
}

/** floor(n * share) for an exact decimal share. */
function floorShare(n: number, share: Decimal): number {
  const scaled = share.mulInt(n);
  return Number(scaled.coef / 10n ** BigInt(scaled.scale));
}

function applyCache(calls: readonly AdvisorCall[], states: CallState[], share: Decimal | undefined, notes: string[], only: (i: number) => boolean = () => true): void {
  let cached = 0;
  for (const g of prefixGroups(calls, states, only)) {
    const first = calls[g.idx[0]!]!;
    if (g.prefix < minCacheablePrefixTokens(first.provider, states[g.idx[0]!]!.model)) continue;
    const idx = byTime(calls, g.idx);
    // The earliest calls write the prefix, the rest read it: floor(n x share) reads.
    // Without a share, only the earliest call of the group writes.
    const misses = share === undefined ? 1 : idx.length - floorShare(idx.length, share);
    idx.forEach((i, k) => (states[i] = cachePrefix(states[i]!, g.prefix, k >= misses)));
    cached += idx.length;
  }
  notes.push(`prompt cache: ${cached} call(s) in groups sharing a prompt prefix (by prompt_prefix_hash; calls without one by provider, model, feature and prompt_version, bounded by the shortest prompt) at least as long as the provider's minimum cacheable prefix; the earliest calls of each group write it`);
}

type Line = { calls: number; before: Decimal; after: Decimal };

function line(l: Line): WhatIfLine {
  return { calls: l.calls, before: l.before.toString(), after: l.after.toString(), savings: l.before.sub(l.after).toString() };
}

export async function simulateWhatIf(input: Omit<AdviceInput, 'options' | 'levers'> & { changes: WhatIfChanges }): Promise<WhatIfReport> {
  const { book, changes } = input;
  const notes: string[] = [];
  const { calls, unpriced } = await collectCalls(book, input.records);
  const states = calls.map(initialState);
  const factors = calls.map(() => Decimal.ONE);
  const steps = stepsOf(changes);
  for (const step of steps) applyStep(step, { book, calls, states, factors, notes });
  const total: Line = { calls: 0, before: Decimal.ZERO, after: Decimal.ZERO };
  const byDay = new Map<string, Line>();
  const byFeature = new Map<string | null, Line>();
  calls.forEach((c, i) => {
    const before = priceState(book, c, initialState(c));
    const unscaled = priceState(book, c, states[i]!);
    const after = unscaled === undefined ? undefined : unscaled.mul(factors[i]!);
    if (before === undefined || after === undefined) throw new WhatIfError(`call ${c.id} cannot be priced under the changes`);
    for (const l of [total, getLine(byDay, c.at.toISOString().slice(0, 10)), getLine(byFeature, c.feature)]) {
      l.calls++;
      l.before = l.before.add(before);
      l.after = l.after.add(after);
    }
  });
  const periodMs = Date.parse(input.to) - Date.parse(input.from);
  return {
    from: input.from,
    to: input.to,
    price_version: book.version,
    changes: { moves: changes.moves, batch: changes.batch, ...(changes.cache_hit !== undefined ? { cache_hit: changes.cache_hit } : {}) },
    applied: steps.map((st) => st.text),
    total: { ...line(total), monthly_savings: perMonth(total.before.sub(total.after), periodMs).toString(), unpriced_calls: unpriced },
    by_day: [...byDay].sort(([a], [b]) => a.localeCompare(b)).map(([day, l]) => ({ day, ...line(l) })),
    by_feature: [...byFeature].sort(([, a], [, b]) => b.before.sub(b.after).cmp(a.before.sub(a.after))).map(([feature, l]) => ({ feature, ...line(l) })),
    notes,
  };
}

function getLine<K>(m: Map<K, Line>, k: K): Line {
  let l = m.get(k);
  if (!l) m.set(k, (l = { calls: 0, before: Decimal.ZERO, after: Decimal.ZERO }));
  return l;
}

/** The legacy options as grammar steps (model moves, then cache, then batch), followed by the named steps. */
function stepsOf(changes: WhatIfChanges): WhatIfChange[] {
  const steps: WhatIfChange[] = changes.moves.map((m) => ({ kind: 'model', from: '*', to: m.model, where: { field: 'feature', value: m.feature }, text: `model:*->${m.model} where feature=${m.feature}` }));
  if (changes.cache_hit !== undefined) steps.push({ kind: 'cache', hit: changes.cache_hit, text: `cache prefix hit=${changes.cache_hit}` });
  if (changes.batch) steps.push({ kind: 'batch', text: 'batch' });
  return [...steps, ...(changes.steps ?? [])];
}

interface SimState {
  book: AdviceInput['book'];
  calls: readonly AdvisorCall[];
  states: CallState[];
  /** Price-change multipliers, one per call (1 unless a `price` change matched it). */
  factors: Decimal[];
  notes: string[];
}

function matches(c: AdvisorCall, s: CallState, where: ChangeCondition | undefined): boolean {
  if (!where) return true;
  const v = where.field === 'model' ? s.model : where.field === 'provider' ? c.provider : c[where.field];
  return v === where.value;
}

function whereText(where: ChangeCondition | undefined): string {
  return where ? ` where ${where.field}=${where.value}` : '';
}

function applyStep(step: WhatIfChange, sim: SimState): void {
  const { book, calls, states, factors, notes } = sim;
  const hit = (i: number): boolean => matches(calls[i]!, states[i]!, step.where);
  if (step.kind === 'model') {
    let moved = 0;
    calls.forEach((c, i) => {
      if (!hit(i) || (step.from !== '*' && states[i]!.model !== step.from)) return;
      if (!isResolved(book.resolve(c.provider, step.to, c.at))) throw new WhatIfError(`model "${step.to}" has no price for provider "${c.provider}" in the price book: cannot apply "${step.text}"`);
      states[i] = { ...states[i]!, model: step.to };
      moved++;
    });
    notes.push(`${step.text}: ${moved} call(s) moved to ${step.to}, same token counts`);
  } else if (step.kind === 'batch') {
    let n = 0;
    states.forEach((s, i) => {
      if (!hit(i)) return;
      states[i] = { ...s, batch: true };
      n++;
    });
    notes.push(`${step.text}: ${n} call(s) through the batch API; models without a batch price keep their standard rates`);
  } else if (step.kind === 'cache') {
    applyCache(calls, states, step.hit === undefined ? undefined : Decimal.parse(step.hit), notes, hit);
  } else {
    const factor = Decimal.ONE.add(Decimal.parse(step.percent).shift(2));
    let n = 0;
    factors.forEach((f, i) => {
      if (!hit(i)) return;
      factors[i] = f.mul(factor);
      n++;
    });
    notes.push(`${step.text}: ${n} call(s) priced at ${factor.toString()}x their price-book cost${whereText(step.where)}`);
  }
}
