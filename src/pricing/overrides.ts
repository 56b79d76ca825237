/**
 * Operator overrides on top of the catalog, themselves effective-dated: negotiated discounts,
 * custom prices for private or self-hosted models, and deployment-name mappings (Azure).
 */
import { z } from 'zod';
import { ModelPriceSchema } from './catalog-schema.js';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}(T[\d:.]+Z)?$/, 'an ISO date (YYYY-MM-DD) or UTC timestamp');

/** A number or a "20%" string as the plain decimal string the schema stores (exact: numbers go through their shortest decimal form). */
export function normalizePercent(v: unknown): unknown {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'string') return v.trim().replace(/\s*%$/, '');
  return v;
}

export const DiscountSchema = z
  .object({
    /** Names the discount for `costrail prices override remove`. */
    id: z.string().min(1).optional(),
    /** Provider the discount covers; omitted = every provider. */
    provider: z.string().min(1).optional(),
    /** Model names (catalog keys) it covers; a trailing `*` matches a prefix. Omitted = every model. */
    models: z.array(z.string().min(1)).optional(),
    /** Percent off list: "12.5", 12.5 and "12.5%" all mean the same and are stored as "12.5". */
    percent: z.preprocess(normalizePercent, z.string().regex(/^\d{1,2}(\.\d+)?$|^100$/, 'a percentage between 0 and 100 such as 12.5')),
    effective_from: isoDate,
    /** Exclusive end; omitted = open-ended. */
    effective_to: isoDate.optional(),
    note: z.string().optional(),
  })
  .strict();

export const OverridesSchema = z
  .object({
    discounts: z.array(DiscountSchema).default([]),
    /** Custom or corrected prices; these win over the catalog for the same provider and name. */
    models: z.array(ModelPriceSchema).default([]),
    /** provider -> deployment or alias name -> catalog model name (e.g. Azure deployment names). */
    deployments: z.record(z.string(), z.record(z.string(), z.string())).default({}),
  })
  .strict();

export type Discount = z.infer<typeof DiscountSchema>;
export type Overrides = z.infer<typeof OverridesSchema>;

export const NO_OVERRIDES: Overrides = { discounts: [], models: [], deployments: {} };
