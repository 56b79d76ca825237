/**
 * The rates that apply to one call: a catalog price period, completed by the fallback rules,
 * then adjusted for long-context tier, fine-tuning, batch or service tier, regional endpoint
 * and negotiated discounts, in that order.
 */
import type { Modifier, PricePeriod, RateKey, Rates, RateWindow } from './catalog-schema.js';
import { Decimal } from './decimal.js';

/** A complete rate card: every kind has a rate (USD per MTok; web_search_call USD per call), or undefined for web search when unknown. */
export type RateCard = Record<Exclude<RateKey, 'web_search_call'>, Decimal> & { web_search_call: Decimal | undefined };

/**
 * Where a kind without its own rate takes one from. Chosen so a gap never prices below list:
 * cached input without a cached rate is billed as plain input, reasoning as output, and so on.
 * Ordered parents-first so completion is a single pass.
 */
const FALLBACK: ReadonlyArray<[RateKey, RateKey | undefined]> = [
  ['input', undefined],
  ['output', undefined],
  ['cache_read', 'input'],
  ['cache_write', 'input'],
  ['cache_write_1h', 'cache_write'],
  ['reasoning', 'output'],
  ['audio_input', 'input'],
  ['audio_cache_read', 'cache_read'],
  ['audio_output', 'output'],
  ['image_input', 'input'],
  ['web_search_call', undefined],
];

const parsed = new WeakMap<object, Partial<Record<RateKey, Decimal>>>();

function parseRates(r: Rates): Partial<Record<RateKey, Decimal>> {
  let out = parsed.get(r);
  if (!out) {
    out = {};
    for (const [k, v] of Object.entries(r) as [RateKey, string | undefined][]) if (v !== undefined) out[k] = Decimal.parse(v);
    parsed.set(r, out);
  }
  return out;
}

/**
 * Completes `explicit` with fallbacks. A kind missing from `explicit` follows its parent when
 * the parent was given explicitly at this level (so a tier's input rate also moves image input),
 * else it inherits the rate from `inherit` (the level below).
 */
function complete(explicit: Partial<Record<RateKey, Decimal>>, inherit?: Partial<Record<RateKey, Decimal>>): Partial<Record<RateKey, Decimal>> {
  const out: Partial<Record<RateKey, Decimal>> = {};
  const given = new Set(Object.keys(explicit));
  for (const [k, parent] of FALLBACK) {
    const own = explicit[k];
    if (own) out[k] = own;
    else if (parent && given.has(parent)) {
      out[k] = out[parent];
      given.add(k); // children of a derived key follow it too
    } else if (inherit?.[k]) out[k] = inherit[k];
    else if (parent && out[parent]) out[k] = out[parent];
  }
  return out;
}

function scale(rates: Partial<Record<RateKey, Decimal>>, m: Decimal): Partial<Record<RateKey, Decimal>> {
  if (m.eq(Decimal.ONE)) return rates;
  const out: Partial<Record<RateKey, Decimal>> = {};
  for (const [k, v] of Object.entries(rates) as [RateKey, Decimal][]) out[k] = v.mul(m);
  return out;
}

export interface RateAdjustments {
  /** Whole-request long-context tier threshold crossed (index into period.tiers), if any. */
  tierIndex?: number;
  /** Time-of-day window the call started in (peak hours), if any. */
  window?: RateWindow;
  fineTuned?: boolean;
  /** batch / flex / priority variant of the period, if the call used one. */
  modifier?: Modifier;
  regional?: boolean;
  /** Percent-off discounts, applied multiplicatively. */
  discountPercents?: Decimal[];
  /** Provisioned throughput: tokens are covered by a subscription. */
  zero?: boolean;
}

export function buildRateCard(period: PricePeriod, adj: RateAdjustments, notes: string[]): RateCard {
  let rates = complete(parseRates(period.rates));
  const tier = adj.tierIndex !== undefined ? period.tiers?.[adj.tierIndex] : undefined;
  if (tier) rates = complete(parseRates(tier.rates), rates);
  // Peak-hour rates replace the card before batch, regional and discounts stack on top of them.
  if (adj.window) rates = applyModifier(rates, adj.window, false, notes);
  if (adj.fineTuned && period.fine_tuned) rates = applyModifier(rates, period.fine_tuned, tier !== undefined, notes);
  if (adj.modifier) rates = applyModifier(rates, adj.modifier, tier !== undefined, notes);
  if (adj.regional && period.regional_multiplier) rates = scale(rates, Decimal.parse(period.regional_multiplier));
  for (const pct of adj.discountPercents ?? []) rates = scale(rates, Decimal.ONE.sub(pct.shift(2)));
  if (adj.zero) rates = scale(rates, Decimal.ZERO);
  const z = Decimal.ZERO;
  return {
    input: rates.input ?? z,
    output: rates.output ?? z,
    cache_read: rates.cache_read ?? z,
    cache_write: rates.cache_write ?? z,
    cache_write_1h: rates.cache_write_1h ?? z,
    reasoning: rates.reasoning ?? z,
    audio_input: rates.audio_input ?? z,
    audio_cache_read: rates.audio_cache_read ?? z,
    audio_output: rates.audio_output ?? z,
    image_input: rates.image_input ?? z,
    web_search_call: rates.web_search_call,
  };
}

function applyModifier(rates: Partial<Record<RateKey, Decimal>>, mod: Modifier, inTier: boolean, notes: string[]): Partial<Record<RateKey, Decimal>> {
  const mult = mod.multiplier ? Decimal.parse(mod.multiplier) : Decimal.ONE;
  if (inTier || !mod.rates) {
    if (inTier && mod.rates && !mod.multiplier) notes.push('variant rates are for the standard context tier; long-context rates applied unchanged');
    return scale(rates, mult);
  }
  const explicit = parseRates(mod.rates);
  // Kinds the variant does not list keep the base rate times its multiplier (1 when absent).
  return complete(explicit, scale(rates, mult));
}
