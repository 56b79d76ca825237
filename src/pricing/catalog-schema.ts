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

/**
 * A long-context tier. Providers word the boundary differently, so each tier says which it is:
 * `above_input_tokens` moves the whole request once input is strictly greater ("more than 200K",
 * Anthropic, OpenAI gpt-6), `from_input_tokens` once it is equal or greater ("200K and above",
 * xAI grok-4.3+, OpenAI gpt-5.4 to 5.6 "<272K is standard"). Exactly one of the two is given.
 */
export const TierSchema = z
  .object({
    above_input_tokens: z.number().int().positive().optional(),
    from_input_tokens: z.number().int().positive().optional(),
    rates: RatesSchema,
  })
  .strict()
  .refine((t) => (t.above_input_tokens === undefined) !== (t.from_input_tokens === undefined), {
    message: 'a tier needs exactly one of above_input_tokens (>) or from_input_tokens (>=)',
  });

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'a time of day HH:MM');
const weekday = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);

/**
 * A time-of-day rate window (DeepSeek peak hours): calls that START inside it are billed at these
 * rates. Times are wall-clock in the provider's own time zone, `from` inclusive, `to` exclusive.
 */
export const RateWindowSchema = z
  .object({
    name: z.string().min(1),
    /** IANA zone the provider states its hours in, e.g. "Asia/Shanghai". */
    timezone: z.string().min(1),
    /** Days the window applies (in that zone); omitted = every day. */
    days: z.array(weekday).min(1).optional(),
    from: clockTime,
    to: clockTime,
    multiplier: decimalString.optional(),
    rates: RatesSchema.optional(),
  })
  .strict()
  .refine((w) => w.multiplier !== undefined || w.rates !== undefined, { message: 'a rate window needs a multiplier or rates' });

export const PricePeriodSchema = z
  .object({
    /** First UTC day (inclusive) these prices apply; they last until the next period's start. */
    effective_from: isoDate,
    /** Where the figures come from (URL, dataset and the date it was checked). */
    source: z.string().min(1),
    rates: RatesSchema,
    tiers: z.array(TierSchema).optional(),
    /** Time-of-day windows with their own rates; outside every window the base rates apply. */
    rate_windows: z.array(RateWindowSchema).optional(),
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
export type RateWindow = z.infer<typeof RateWindowSchema>;
export type PricePeriod = z.infer<typeof PricePeriodSchema>;
export type ModelPrice = z.infer<typeof ModelPriceSchema>;
export type Catalog = z.infer<typeof CatalogSchema>;
