/**
 * Cost of one call: usage (disjoint kinds) x the call's rate card, in exact decimals,
 * broken down by kind, stamped with the price-book version that produced it.
 */
import { totalInputTokens, type Usage } from '../providers/spec.js';
import { Decimal } from './decimal.js';
import { isResolved, type PriceBook } from './price-book.js';
import { buildRateCard, type RateAdjustments, type RateCard } from './rate-card.js';
import { activeRateWindow, describeTier, pickTier, tierApplies } from './conditional-rates.js';

export interface PricingInput {
  provider: string;
  model: string;
  usage: Usage;
  /** When the call happened: selects the effective-dated price. */
  at: Date;
  /** Submitted through a batch API (50% off where the provider offers it). */
  batch?: boolean;
  /** As the response reports it: flex, priority, batch, standard/default/auto/scale. */
  service_tier?: string;
  tier_basis_tokens?: number | null;
  traffic_type?: 'on_demand' | 'provisioned';
  inference_geo?: string;
  /** What the provider says it charged (exact decimal string). */
  provider_cost_usd?: string;
}

/** The ledger record's `cost` object. All amounts are exact decimal strings in USD. */
export interface CostBreakdown {
  total: string;
  input: string;
  cache_read: string;
  cache_write: string;
  output: string;
  reasoning: string;
  audio: string;
  image: string;
  tools: string;
  /** Provider-reported charge not explained by the parts above (fees, rounding, unpriced tools). */
  other: string;
  currency: 'USD';
  /** `price_book`: computed here; `provider`: the provider's own reported charge is the total. */
  source: 'price_book' | 'provider';
}

export interface PricingResult {
  priced: boolean;
  cost: CostBreakdown | null;
  price_version: string;
  /** Catalog model and provider the price came from. */
  priced_as?: { provider: string; model: string; effective_from: string; source: string; match: string };
  /** The dated model a moving alias (`*-latest`) meant at the call's date: the ledger's `model`. */
  resolved_model?: string;
  /** Why the call is unpriced, when it is. */
  reason?: string;
  /** Every assumption that shaped the figure (tier chosen, fallback rate, missing fee, ...). */
  notes: string[];
  rates?: Record<string, string>;
}

const PER_MTOK = 6;

export function priceUsage(book: PriceBook, input: PricingInput): PricingResult {
  const notes: string[] = [];
  const resolved = book.resolve(input.provider, input.model, input.at);
  if (!isResolved(resolved)) {
    if (input.provider_cost_usd !== undefined) {
      notes.push(`${resolved.reason}; the provider-reported charge is the cost`);
      return { priced: true, cost: providerOnly(Decimal.parse(input.provider_cost_usd)), price_version: book.version, notes };
    }
    return { priced: false, cost: null, price_version: book.version, reason: resolved.reason, notes };
  }
  const { period, entry } = resolved;
  const adj: RateAdjustments = { fineTuned: resolved.fineTuned };
  if (resolved.alias) notes.push(`"${resolved.alias.name}" pointed at "${resolved.alias.model}" from ${resolved.alias.effective_from} (${resolved.alias.source})`);

  // Long-context tiers: the whole request moves to the tier's rates once its input crosses the line.
  const tiers = period.tiers ?? [];
  if (tiers.length > 0) {
    const total = totalInputTokens(input.usage);
    if (input.tier_basis_tokens === null) {
      if (tiers.some((t) => tierApplies(t, total))) {
        notes.push(`input (${total}) aggregates several internal model calls; no single call is known to cross a long-context threshold, standard rates applied`);
      }
    } else {
      const basis = input.tier_basis_tokens ?? total;
      const best = pickTier(tiers, basis);
      const chosen = best === undefined ? undefined : tiers[best];
      if (best !== undefined && chosen) {
        adj.tierIndex = best;
        notes.push(`long-context tier: input ${basis} ${describeTier(chosen)} tokens, whole request at tier rates`);
      }
    }
  }

  // Time-of-day pricing: the call's start instant, read in the provider's own time zone.
  const window = activeRateWindow(period, input.at);
  if (window) {
    adj.window = window;
    notes.push(`rate window "${window.name}" (${window.from}-${window.to} ${window.timezone}${window.days ? ` ${window.days.join(',')}` : ''}) at the call's start`);
  }

  const tier = normalizeServiceTier(input.service_tier, input.batch);
  if (tier === 'batch') {
    if (period.batch) adj.modifier = period.batch;
    else notes.push(`no batch price for "${entry.model}": standard rates applied`);
  } else if (tier === 'flex' || tier === 'priority') {
    const mod = period.service_tiers?.[tier];
    if (mod) adj.modifier = mod;
    else notes.push(`no ${tier} price for "${entry.model}": standard rates applied`);
  }

  if ((resolved.matched.regional || input.inference_geo === 'us') && period.regional_multiplier) {
    adj.regional = true;
    notes.push(`regional/geo endpoint: rates x ${period.regional_multiplier}`);
  }
  if (resolved.discounts.length > 0) {
    adj.discountPercents = resolved.discounts.map((d) => Decimal.parse(d.percent));
    notes.push(...resolved.discounts.map((d) => `negotiated discount ${d.percent}%${d.note ? ` (${d.note})` : ''}`));
  }
  if (input.traffic_type === 'provisioned') {
    adj.zero = true;
    notes.push('provisioned-throughput traffic: covered by the subscription, no per-token charge');
  }

  const card = buildRateCard(period, adj, notes);
  const cost = costFromCard(card, input.usage, notes);
  if (input.provider_cost_usd !== undefined) reconcileWithProvider(cost, Decimal.parse(input.provider_cost_usd), notes);

  return {
    priced: true,
    cost,
    price_version: book.version,
    priced_as: {
      provider: resolved.provider,
      model: entry.model,
      effective_from: period.effective_from,
      source: period.source,
      match: resolved.matched.rule,
    },
    ...(resolved.alias ? { resolved_model: resolved.alias.model } : {}),
    notes,
    rates: Object.fromEntries(Object.entries(card).filter(([, v]) => v !== undefined).map(([k, v]) => [k, (v as Decimal).toString()])),
  };
}

function normalizeServiceTier(tier: string | undefined, batch: boolean | undefined): 'batch' | 'flex' | 'priority' | 'standard' {
  if (batch) return 'batch';
  switch ((tier ?? '').toLowerCase()) {
    case 'batch':
      return 'batch';
    case 'flex':
      return 'flex';
    case 'priority':
    case 'fast':
      return 'priority';
    default:
      return 'standard';
  }
}

function tokens(n: number, ratePerMTok: Decimal): Decimal {
  return n === 0 ? Decimal.ZERO : ratePerMTok.mulInt(n).shift(PER_MTOK);
}

export function costFromCard(card: RateCard, u: Usage, notes: string[]): CostBreakdown {
  const input = tokens(u.input_tokens, card.input);
  const cacheRead = tokens(u.cache_read_tokens, card.cache_read);
  const cacheWrite = tokens(u.cache_write_tokens, card.cache_write).add(tokens(u.cache_write_1h_tokens, card.cache_write_1h));
  const output = tokens(u.output_tokens, card.output);
  const reasoning = tokens(u.reasoning_tokens, card.reasoning);
  const audio = tokens(u.audio_input_tokens, card.audio_input)
    .add(tokens(u.audio_cache_read_tokens, card.audio_cache_read))
    .add(tokens(u.audio_output_tokens, card.audio_output));
  const image = tokens(u.image_input_tokens, card.image_input);
  let tools = Decimal.ZERO;
  if (u.web_search_calls > 0) {
    if (card.web_search_call) tools = card.web_search_call.mulInt(u.web_search_calls);
    else notes.push(`${u.web_search_calls} web-search call(s) with no per-call price in the catalog: tokens only`);
  }
  const total = Decimal.sum([input, cacheRead, cacheWrite, output, reasoning, audio, image, tools]);
  return {
    total: total.toString(),
    input: input.toString(),
    cache_read: cacheRead.toString(),
    cache_write: cacheWrite.toString(),
    output: output.toString(),
    reasoning: reasoning.toString(),
    audio: audio.toString(),
    image: image.toString(),
    tools: tools.toString(),
    other: '0',
    currency: 'USD',
    source: 'price_book',
  };
}

/** The provider's reported charge is what the invoice will show: it becomes the total, and any gap is shown, not hidden. */
function reconcileWithProvider(cost: CostBreakdown, reported: Decimal, notes: string[]): void {
  const ours = Decimal.parse(cost.total);
  if (ours.eq(reported)) {
    notes.push('matches the provider-reported charge');
    return;
  }
  const gap = reported.sub(ours);
  notes.push(`provider-reported charge ${reported} differs from the price book's ${ours} by ${gap}; the provider's figure is the total`);
  cost.other = gap.toString();
  cost.total = reported.toString();
  cost.source = 'provider';
}

function providerOnly(reported: Decimal): CostBreakdown {
  return {
    total: reported.toString(),
    input: '0',
    cache_read: '0',
    cache_write: '0',
    output: '0',
    reasoning: '0',
    audio: '0',
    image: '0',
    tools: '0',
    other: reported.toString(),
    currency: 'USD',
    source: 'provider',
  };
}
