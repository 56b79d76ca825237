/**
 * The price catalog file format (data/prices.json, `--prices FILE`, `costrail prices import`).
 * Validated once when loaded; the pricing hot path works on the parsed form.
 *
 * Token rates are USD per 1,000,000 tokens, written as decimal strings so no float ever touches
 * a price. Per-call fees are USD per call.
 */
import { z } from 'zod';

const decimalString = z
  .string()
  .regex(/^\d+(\.\d+)?$/, 'a non-negative decimal string such as "2.50"');

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}(T[\d:.]+Z)?$/, 'an ISO date (YYYY-MM-DD) or UTC timestamp');

/** Rate per usage kind. Absent kinds fall back (see pricing/rates.ts): cache_read -> input, reasoning -> output, ... */
export const RatesSchema = z
  .object({
    input: decimalString,
    output: decimalString,
    cache_read: decimalString,
    cache_write: decimalString,
    cache_write_1h: decimalString,
    reasoning: decimalString,
    audio_input: decimalString,
    audio_cache_read: decimalString,
    audio_output: decimalString,
    image_input: decimalString,
    /** USD per billable web-search call. */
    web_search_call: decimalString,
  })
  .partial()
  .strict();

/** A variant of the base rates: explicit rates win, other kinds are base x multiplier. */
export const ModifierSchema = z
  .object({
    multiplier: decimalString.optional(),
    rates: RatesSchema.optional(),
  })
  .strict();

export const TierSchema = z
  .object({
    /** The whole request moves to these rates once its input exceeds this many tokens. */
    above_input_tokens: z.number().int().positive(),
    rates: RatesSchema,
  })
  .strict();

export const PricePeriodSchema = z
  .object({
    /** First UTC day (inclusive) these prices apply; they last until the next period's start. */
    effective_from: isoDate,
    /** Where the figures come from (URL, dataset and the date it was checked). */
    source: z.string().min(1),
    rates: RatesSchema,
    tiers: z.array(TierSchema).optional(),
    batch: ModifierSchema.optional(),
    service_tiers: z.record(z.string(), ModifierSchema).optional(),
    /** Rates for fine-tuned derivatives (`ft:gpt-4o-mini-...:org::id`). */
    fine_tuned: ModifierSchema.optional(),
    /** Extra multiplier for regional/geo endpoints (Bedrock geo profiles, Anthropic inference_geo "us"). */
    regional_multiplier: decimalString.optional(),
  })
  .strict();

export const ModelPriceSchema = z
  .object({
    provider: z.string().min(1),
    model: z.string().min(1),
    /** Other exact names that mean this model (dated snapshots, `-latest` aliases, deployment ids). */
    aliases: z.array(z.string().min(1)).optional(),
    mode: z.enum(['chat', 'embedding', 'completion', 'responses', 'audio', 'image', 'rerank']).optional(),
    context_window: z.number().int().positive().optional(),
    max_output_tokens: z.number().int().positive().optional(),
    prices: z.array(PricePeriodSchema).min(1),
  })
  .strict();

export const CatalogSchema = z
  .object({
    /** Identifies this catalog in each cost's price_version. */
    version: z.string().min(1),
    description: z.string().optional(),
    models: z.array(ModelPriceSchema),
  })
  .strict();

export type Rates = z.infer<typeof RatesSchema>;
export type RateKey = keyof Rates;
export type Modifier = z.infer<typeof ModifierSchema>;
export type Tier = z.infer<typeof TierSchema>;
export type PricePeriod = z.infer<typeof PricePeriodSchema>;
export type ModelPrice = z.infer<typeof ModelPriceSchema>;
export type Catalog = z.infer<typeof CatalogSchema>;
