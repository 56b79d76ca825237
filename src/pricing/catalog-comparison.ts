/**
 * Stale-price detection: prices the same usage cases under the active catalog and under a
 * community catalog (LiteLLM or genai-prices), both through Costrail's exact engine, and lists
 * every model and case where the two disagree by more than a tolerance. A disagreement is
 * *stale* when the other source's price period is newer than ours: it has seen a change we lack.
 */
import type { ModelPrice, PricePeriod, RateKey } from './catalog-schema.js';
import { priceUsage } from './cost.js';
import { Decimal } from './decimal.js';
import { PriceBook } from './price-book.js';
import { emptyUsage, type Usage } from '../providers/spec.js';

/** Where a reference catalog's price for one of our entries comes from. */
export interface ReferenceSource {
  /** `litellm` or `genai-prices`: the name explanations are filed under. */
  name: string;
  describe: string;
  periodsFor(entry: ModelPrice): { key: string; periods: PricePeriod[] } | undefined;
}

export interface Explanation {
  source: string;
  provider: string;
  model: string;
  reason: string;
}

export interface Disagreement {
  provider: string;
  model: string;
  reference_key: string;
  case: string;
  ours: string;
  theirs: string;
  /** |ours - theirs| / max(ours, theirs) in percent, rounded to 0.01. */
  diff_pct: string;
  our_period_from: string;
  their_period_from: string;
  stale: boolean;
  explained: string | null;
}

export interface ComparisonReport {
  source: string;
  at: string;
  tolerance_pct: string;
  compared_models: number;
  compared_cases: number;
  missing_in_reference: number;
  disagreements: Disagreement[];
  /** Disagreements where the reference's period is newer than ours and no explanation is on file. */
  stale: number;
}

interface UsageCase {
  name: string;
  usage: Partial<Usage>;
  /** Compared only when both sides state an explicit rate for these kinds. */
  needs: RateKey[];
  longContext?: boolean;
}

/** Small cases stay under every long-context threshold; the long one is compared only where either side has tiers. */
const CASES: UsageCase[] = [
  { name: 'input 10k', usage: { input_tokens: 10_000 }, needs: ['input'] },
  { name: 'output 10k', usage: { output_tokens: 10_000 }, needs: ['output'] },
  { name: 'cache read 10k', usage: { cache_read_tokens: 10_000 }, needs: ['cache_read'] },
  { name: 'cache write 5m 10k', usage: { cache_write_tokens: 10_000 }, needs: ['cache_write'] },
  { name: 'cache write 1h 10k', usage: { cache_write_1h_tokens: 10_000 }, needs: ['cache_write_1h'] },
  { name: 'input 300k + output 10k', usage: { input_tokens: 300_000, output_tokens: 10_000 }, needs: ['input', 'output'], longContext: true },
];

function activePeriod(periods: readonly PricePeriod[], at: Date): PricePeriod | undefined {
  let hit: PricePeriod | undefined;
  for (const p of periods) if (Date.parse(p.effective_from) <= at.getTime()) hit = p;
  return hit;
}

export function compareCatalog(entries: readonly ModelPrice[], ref: ReferenceSource, opts: { at: Date; tolerancePct?: Decimal; explanations?: readonly Explanation[] }): ComparisonReport {
  const tolerance = opts.tolerancePct ?? Decimal.parse('0.5');
  const explain = new Map((opts.explanations ?? []).filter((e) => e.source === ref.name).map((e) => [`${e.provider}\u0000${e.model}`, e.reason]));
  const disagreements: Disagreement[] = [];
  let models = 0;
  let cases = 0;
  let missing = 0;
  for (const entry of entries) {
    const ours = activePeriod(entry.prices, opts.at);
    if (!ours) continue;
    const theirsAll = ref.periodsFor(entry);
    const theirs = theirsAll ? activePeriod(theirsAll.periods, opts.at) : undefined;
    if (!theirsAll || !theirs) {
      missing++;
      continue;
    }
    models++;
    // Both sides priced by one engine: the same entry name under each side's periods.
    const ourBook = new PriceBook([{ version: 'ours', models: [{ ...entry, aliases: [], prices: [ours] }] }]);
    const refBook = new PriceBook([{ version: 'ref', models: [{ ...entry, aliases: [], prices: [theirs] }] }]);
    const tiered = (ours.tiers?.length ?? 0) > 0 || (theirs.tiers?.length ?? 0) > 0;
    for (const c of CASES) {
      if (c.longContext ? !tiered : !c.needs.every((k) => ours.rates[k] !== undefined && theirs.rates[k] !== undefined)) continue;
      const usage: Usage = { ...emptyUsage(), ...c.usage };
      const a = priceUsage(ourBook, { provider: entry.provider, model: entry.model, usage, at: opts.at });
      const b = priceUsage(refBook, { provider: entry.provider, model: entry.model, usage, at: opts.at });
      if (!a.cost || !b.cost) continue;
      cases++;
      const x = Decimal.parse(a.cost.total);
      const y = Decimal.parse(b.cost.total);
      const big = x.cmp(y) > 0 ? x : y;
      if (big.isZero()) continue;
      const diff = x.cmp(y) > 0 ? x.sub(y) : y.sub(x);
      // diff / big > tolerance / 100  <=>  diff * 100 > tolerance * big (no division needed).
      if (diff.mulInt(100).cmp(tolerance.mul(big)) <= 0) continue;
      const explained = explain.get(`${entry.provider}\u0000${entry.model}`) ?? null;
      disagreements.push({
        provider: entry.provider,
        model: entry.model,
        reference_key: theirsAll.key,
        case: c.name,
        ours: x.toString(),
        theirs: y.toString(),
        diff_pct: percent(diff, big),
        our_period_from: ours.effective_from,
        their_period_from: theirs.effective_from,
        stale: Date.parse(theirs.effective_from) > Date.parse(ours.effective_from),
        explained,
      });
    }
  }
  return {
    source: ref.describe,
    at: opts.at.toISOString(),
    tolerance_pct: tolerance.toString(),
    compared_models: models,
    compared_cases: cases,
    missing_in_reference: missing,
    disagreements,
    stale: disagreements.filter((d) => d.stale && d.explained === null).length,
  };
}

/** 100 * diff / big to two decimals: a display figure, not money, so a float is fine here. */
function percent(diff: Decimal, big: Decimal): string {
  return ((diff.toNumber() / big.toNumber()) * 100).toFixed(2);
}
