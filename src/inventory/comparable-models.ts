/**
 * Which API models a self-hosted model is comparable to (data/comparable-models.json), and the one
 * that would have served a given token mix cheapest at price-book rates. "Comparable" is a table a
 * person keeps, not a guess: the same open weights served by an API, or the same size class and
 * generation where the exact weights are no longer offered.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { Decimal } from '../pricing/decimal.js';
import { isResolved, type PriceBook } from '../pricing/price-book.js';
import { BUILTIN_VENDOR_CATALOG_PATH } from './vendor-catalog.js';
import { ratio } from './money-ratio.js';

const ComparableTableSchema = z.object({
  version: z.string(),
  families: z.array(
    z.object({
      family: z.string().min(1),
      served_names: z.array(z.string()).default([]),
      api: z.array(z.object({ provider: z.string().min(1), model: z.string().min(1) })).min(1),
      note: z.string().optional(),
    }),
  ),
});
export type ComparableTable = z.infer<typeof ComparableTableSchema>;

export const BUILTIN_COMPARABLES_PATH = join(BUILTIN_VENDOR_CATALOG_PATH, '..', 'comparable-models.json');

export function loadComparableTable(file = BUILTIN_COMPARABLES_PATH): ComparableTable {
  return ComparableTableSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

/** Variant words that say how a model is packaged or tuned, not which model it is. */
const VARIANT_WORDS = new Set(['instruct', 'chat', 'hf', 'turbo', 'fp8', 'fp16', 'bf16', 'awq', 'gptq', 'int4', 'int8', 'w4a16', 'w8a8', '4bit', '8bit', 'it', 'versatile', 'instant', 'dynamic', 'quantized']);

/**
 * `meta-llama/Meta-Llama-3.1-70B-Instruct-AWQ-INT4` → `llama3.170b`: organisation prefix, a leading
 * `meta` and trailing variant words dropped, separators removed (so `llama3.1:70b` is the same key).
 */
export function servedModelKey(name: string): string {
  const base = name.toLowerCase().trim().split('/').pop() ?? '';
  const words = base.split(/[-_:\s]+/).filter((w) => w.length > 0);
  if (words[0] === 'meta' && words.length > 1) words.shift();
  while (words.length > 1 && VARIANT_WORDS.has(words[words.length - 1]!)) words.pop();
  return words.join('');
}

export interface ComparablePrice {
  provider: string;
  model: string;
  /** USD per 1M tokens at the price book's rates. */
  input_per_1m: string;
  output_per_1m: string;
  /** What the model's own input and output tokens would have cost there. */
  api_cost_usd: string;
}

export interface ComparableVerdict {
  family: string | null;
  /** The cheapest comparable API model for the token mix, or null (no family, or none priced). */
  cheapest: ComparablePrice | null;
  /** API models of the family the price book could not price (named so the table can be fixed). */
  unpriced: string[];
}

export class ComparableModels {
  private readonly byKey = new Map<string, ComparableTable['families'][number]>();

  constructor(
    private readonly table: ComparableTable,
    private readonly book: PriceBook,
  ) {
    for (const f of table.families) for (const n of [f.family, ...f.served_names]) this.byKey.set(servedModelKey(n), f);
  }

  get version(): string {
    return this.table.version;
  }

  familyOf(model: string): string | null {
    return this.byKey.get(servedModelKey(model))?.family ?? null;
  }

  /** The comparable API model that would have cost least for `input` and `output` tokens at `at`. */
  cheapestFor(model: string, input: bigint, output: bigint, at: Date): ComparableVerdict {
    const family = this.byKey.get(servedModelKey(model));
    if (!family) return { family: null, cheapest: null, unpriced: [] };
    const unpriced: string[] = [];
    let best: { price: ComparablePrice; cost: Decimal; rateSum: Decimal } | null = null;
    for (const api of family.api) {
      const r = this.book.resolve(api.provider, api.model, at);
      const inRate = isResolved(r) ? r.period.rates.input : undefined;
      const outRate = isResolved(r) ? r.period.rates.output : undefined;
      if (inRate === undefined || outRate === undefined) {
        unpriced.push(`${api.provider}/${api.model}`);
        continue;
      }
      const rin = Decimal.parse(inRate);
      const rout = Decimal.parse(outRate);
      // Rates are USD per 1M tokens: cost = (input × rin + output × rout) / 10^6, exact.
      const cost = Decimal.fromBigInt(input).mul(rin).add(Decimal.fromBigInt(output).mul(rout)).shift(6);
      const rateSum = rin.add(rout);
      // Ties (e.g. no tokens at all) go to the lower list rates, then the name, so the choice is stable.
      if (best === null || cost.cmp(best.cost) < 0 || (cost.eq(best.cost) && (rateSum.cmp(best.rateSum) < 0 || (rateSum.eq(best.rateSum) && `${api.provider}/${api.model}` < `${best.price.provider}/${best.price.model}`)))) {
        best = { price: { provider: api.provider, model: api.model, input_per_1m: rin.toString(), output_per_1m: rout.toString(), api_cost_usd: ratio(cost, 1n, 1n, 6).toString() }, cost, rateSum };
      }
    }
    return { family: family.family, cheapest: best?.price ?? null, unpriced };
  }
}
