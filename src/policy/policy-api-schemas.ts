/** Response schemas of /api/budgets and the other policy routes, for the OpenAPI document and docs/http-api.md. */
import { z } from 'zod';
import { BudgetInputSchema } from './policy-schemas.js';

const amount = z.string().describe('USD as an exact decimal string, or a token count, per the budget unit');

export const BudgetStatusSchema = BudgetInputSchema.safeExtend({
  id: z.string(),
  unit: z.enum(['usd', 'tokens']),
  period_start: z.string().nullable(),
  resets_at: z.string().nullable().describe('when the current period ends; null for period=total'),
  spent: amount,
  reserved: amount.describe('held by calls in flight (their worst case)'),
  remaining: amount,
  used_fraction: z.number().describe('spent / limit, for display only'),
  thresholds_crossed: z.array(z.number()),
});

export const BudgetListSchema = z.object({ budgets: z.array(BudgetStatusSchema) });

export const DeletedSchema = z.object({ deleted: z.string().describe('the id removed') });

