/**
 * Operator overrides on top of the catalog, themselves effective-dated: negotiated discounts,
 * custom prices for private or self-hosted models, and deployment-name mappings (Azure).
 */
import { z } from 'zod';
import { ModelPriceSchema } from './catalog-schema.js';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}(T[\d:.]+Z)?$/, 'an ISO date (YYYY-MM-DD) or UTC timestamp');

export const DiscountSchema = z
  .object({
    /** Provider the discount covers; omitted = every provider. */
    provider: z.string().min(1).optional(),
    /** Model names (catalog keys) it covers; a trailing `*` matches a prefix. Omitted = every model. */
    models: z.array(z.string().min(1)).optional(),
    /** Percent off list, e.g. "12.5". */
    percent: z.string().regex(/^\d{1,2}(\.\d+)?$|^100$/, 'a percentage between 0 and 100 such as "12.5"'),
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
