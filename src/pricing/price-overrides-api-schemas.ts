/** Request and response schemas of /api/prices and /api/price-overrides, for validation, the OpenAPI document and docs/http-api.md. */
import { z } from 'zod';

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');
const usd = z
  .string()
  .trim()
  .regex(/^\d+(\.\d+)?$/, 'a non-negative USD amount per 1M tokens as a decimal string such as "0.15"');

/** Mirrors `costrail prices override set --percent`. */
export const AddDiscountBody = z
  .object({
    provider: z.string().trim().toLowerCase().min(1).max(64).optional().describe('provider it covers; omitted = every provider'),
    models: z.array(z.string().trim().min(1).max(200)).max(200).optional().describe('model names; a trailing * matches a prefix; omitted = every model'),
    percent: z.union([z.number(), z.string()]).describe('percent off list: 20, "20" and "20%" mean the same'),
    effective_from: date.optional().describe('first day it applies (default today, UTC)'),
    effective_to: date.optional().describe('first day it no longer applies (default open-ended)'),
    note: z.string().max(500).optional().describe('e.g. the contract reference'),
  })
  .strict()
  .refine((b) => b.effective_to === undefined || b.effective_from === undefined || b.effective_to > b.effective_from, { message: 'effective_to must be after effective_from', path: ['effective_to'] });

/** Mirrors `costrail prices override set --model`. */
export const SetCustomPriceBody = z
  .object({
    provider: z.string().trim().toLowerCase().min(1).max(64).describe('e.g. openai for a fine-tune, or your own name for a self-hosted model'),
    model: z.string().trim().min(1).max(200).describe('the model name as calls report it'),
    input: usd,
    output: usd,
    cache_read: usd.optional().describe('default: the input rate'),
    cache_write: usd.optional().describe('default: the input rate'),
    effective_from: date.optional().describe('first day it applies (default today, UTC)'),
  })
  .strict();

const RatesOut = z.record(z.string(), z.string()).describe('USD per 1M tokens (exact decimal strings) by usage kind');

export const DiscountSchema = z.object({
  id: z.string().nullable().describe('disc_…; null for a discount written by hand in the file without one (edit the file to remove it)'),
  provider: z.string().nullable().describe('null = every provider'),
  models: z.array(z.string()).nullable().describe('null = every model'),
  percent: z.string().describe('percent off list, exact decimal'),
  effective_from: z.string(),
  effective_to: z.string().nullable().describe('exclusive; null = open-ended'),
  note: z.string().nullable(),
});

export const CustomPriceSchema = z.object({
  id: z.string().describe('provider/model (URL-encode the slash in DELETE)'),
  provider: z.string(),
  model: z.string(),
  prices: z.array(z.object({ effective_from: z.string(), source: z.string().optional(), rates: RatesOut })),
});

export const RepriceSuggestionSchema = z
  .object({ from: z.string(), to: z.string(), endpoint: z.literal('/api/reprice') })
  .describe('re-price calls already recorded from the day the override starts: POST these to /api/reprice with dry_run true first');

export const OverrideListSchema = z.object({ price_version: z.string(), discounts: z.array(DiscountSchema), custom_prices: z.array(CustomPriceSchema) });
export const AddedDiscountSchema = z.object({ discount: DiscountSchema, price_version: z.string(), reprice: RepriceSuggestionSchema });
export const SetCustomPriceResponseSchema = z.object({ custom_price: CustomPriceSchema, price_version: z.string(), reprice: RepriceSuggestionSchema });
export const RemovedOverrideSchema = z.object({ removed: z.string(), price_version: z.string() });

export const CatalogSchemaOut = z.object({
  price_version: z.string(),
  models: z.array(
    z.object({
      provider: z.string(),
      model: z.string(),
      input: z.string().nullable(),
      output: z.string().nullable(),
      cache_read: z.string().nullable().describe('null: billed at the input rate'),
      cache_write: z.string().nullable().describe('null: billed at the input rate'),
      effective_from: z.string().nullable().describe('start of the period in force now'),
      custom: z.boolean().describe('a custom price from the overrides'),
    }),
  ),
});
