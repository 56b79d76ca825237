/**
 * The what-if simulator: the window's actual calls re-priced, exactly, under changes the user
 * names (move a feature to another model, send everything through the batch API, assume a prompt
 * cache hit rate). Changes apply in the advisor's stacking order: model, then cache, then batch.
 */
import { Decimal } from '../pricing/decimal.js';
import { isResolved } from '../pricing/price-book.js';
import { initialState, priceState, promptTokens, type AdvisorCall, type CallState } from './advisor-call.js';
import { DEFAULT_ADVISOR_OPTIONS } from './advisor-levers.js';
import { perMonth } from './month-scale.js';
import { collectCalls, type AdviceInput } from './recommendations.js';

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
  changes: WhatIfChanges;
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

function applyCache(calls: readonly AdvisorCall[], states: CallState[], share: Decimal, notes: string[]): void {
  const groups = new Map<string, number[]>();
  calls.forEach((c, i) => {
    const k = `${c.provider}\0${states[i]!.model}\0${c.feature ?? ''}\0${c.prompt_version ?? ''}`;
    groups.set(k, [...(groups.get(k) ?? []), i]);
  });
  let cached = 0;
  for (const idx of groups.values()) {
    const prefix = Math.min(...idx.map((i) => promptTokens(states[i]!.usage)));
    if (prefix < DEFAULT_ADVISOR_OPTIONS.minCacheableTokens) continue;
    idx.sort((a, b) => calls[a]!.at.getTime() - calls[b]!.at.getTime());
    // The earliest calls write the prefix, the rest read it: floor(n x share) reads.
    const misses = idx.length - floorShare(idx.length, share);
    idx.forEach((i, k) => {
      const s = states[i]!;
      const moved = Math.min(prefix, s.usage.input_tokens);
      const u = { ...s.usage, input_tokens: s.usage.input_tokens - moved };
      if (k < misses) u.cache_write_tokens += moved;
      else u.cache_read_tokens += moved;
      states[i] = { ...s, usage: u };
    });
    cached += idx.length;
  }
  notes.push(`prompt cache: ${cached} call(s) in groups (provider, model, feature, prompt_version) whose shortest prompt is at least ${DEFAULT_ADVISOR_OPTIONS.minCacheableTokens} tokens; that shortest prompt is the shared prefix, the earliest calls of each group write it`);
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
  for (const move of changes.moves) {
    let moved = 0;
    calls.forEach((c, i) => {
      if (c.feature !== move.feature) return;
      if (!isResolved(book.resolve(c.provider, move.model, c.at))) throw new WhatIfError(`model "${move.model}" has no price for provider "${c.provider}" in the price book: cannot move feature "${move.feature}" to it`);
      states[i] = { ...states[i]!, model: move.model };
      moved++;
    });
    notes.push(`feature "${move.feature}": ${moved} call(s) moved to ${move.model}, same token counts`);
  }
  if (changes.cache_hit !== undefined) applyCache(calls, states, Decimal.parse(changes.cache_hit), notes);
  if (changes.batch) {
    for (let i = 0; i < states.length; i++) states[i] = { ...states[i]!, batch: true };
    notes.push('every call through the batch API; models without a batch price keep their standard rates');
  }
  const total: Line = { calls: 0, before: Decimal.ZERO, after: Decimal.ZERO };
  const byDay = new Map<string, Line>();
  const byFeature = new Map<string | null, Line>();
  calls.forEach((c, i) => {
    const before = priceState(book, c, initialState(c));
    const after = priceState(book, c, states[i]!);
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
    changes,
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
