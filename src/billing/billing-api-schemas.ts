/** Response bodies of the billing routes, for the OpenAPI document (docs/http-api.md) and tests. */
import { z } from 'zod';
import { BILLING_FORMATS } from '../store/billed-line.js';
import { EXPLANATION_KINDS } from './reconciliation.js';

const decimal = z.string().describe('exact decimal, USD');

export const BillingImportResultSchema = z.strictObject({
  format: z.enum(BILLING_FORMATS),
  import_id: z.string(),
  source: z.string().describe('format plus the billing account the export names: what a later export of the same period replaces'),
  status: z.enum(['imported', 'already_imported', 'refused', 'empty']),
  rows: z.number().int(),
  lines: z.number().int(),
  skipped: z.number().int().describe('valid rows outside the AI bill (other services)'),
  invalid: z.array(z.strictObject({ line: z.number().int(), error: z.string() })).describe('the first 1,000 invalid lines'),
  invalid_count: z.number().int(),
  replaced: z.number().int(),
  period_start: z.string().nullable(),
  period_end: z.string().nullable(),
});

const Figures = {
  observed: decimal.describe('ledger cost (list price)'),
  billed: decimal.describe('everything the imported bills charge, net'),
  gap: decimal.describe('billed − observed'),
  gap_pct: z.number().nullable(),
  explained: z.array(z.strictObject({ kind: z.enum(EXPLANATION_KINDS), amount: decimal, detail: z.string() })),
};

const CoverageFigures = {
  billed_usage: decimal.describe('usage on the imported bills'),
  metered_usage: decimal.describe('of it, on accounts the ledger metered'),
  attributed_usage: decimal.describe('of it, carrying a team (rounded to 12 decimals)'),
  metered_pct: z.number().nullable().describe('metered_usage / billed_usage × 100, 2 decimals; null when nothing billed'),
  attributed_pct: z.number().nullable().describe('attributed_usage / billed_usage × 100, 2 decimals'),
};

export const ReconciliationSchema = z.strictObject({
  rows: z.array(z.strictObject({ provider: z.string(), day: z.string(), model: z.string().nullable().optional(), account: z.string().nullable().optional(), ...Figures })),
  total: z.strictObject(Figures),
  coverage: z.strictObject({ metered_pct: z.number().nullable(), attributed_pct: z.number().nullable() }),
  coverage_trend: z
    .array(z.strictObject({ period: z.string().describe('first day of the day or week (Monday) bucket, YYYY-MM-DD in tz'), provider: z.string().nullable().describe('null: all providers together'), ...CoverageFigures }))
    .describe('coverage per day or week (trend=), per provider, then overall'),
  coverage_by_provider: z.array(z.strictObject({ provider: z.string(), ...CoverageFigures })).describe('coverage of the whole range per provider'),
});

export const BillingPullInputSchema = z.strictObject({
  provider: z.enum(['openai', 'anthropic']),
  from: z.string().describe('inclusive start, YYYY-MM-DD or ISO 8601 (whole UTC days are pulled)'),
  to: z.string().describe('exclusive end'),
});

export const BillingPullResultSchema = z.strictObject({
  provider: z.enum(['openai', 'anthropic']),
  from: z.string(),
  to: z.string(),
  pages: z.number().int().describe('pages fetched from the admin API'),
  at: z.string().describe('when the pull finished'),
  status: z.enum(['imported', 'already_imported', 'empty', 'refused', 'failed']),
  import: BillingImportResultSchema.optional().describe('the import of what was pulled (as POST /api/import/billing answers)'),
  error: z.string().optional(),
});

export const BillingPullsSchema = z.strictObject({
  configured: z.array(z.enum(['openai', 'anthropic'])).describe('providers with an admin key (COSTRAIL_<P>_ADMIN_KEY)'),
  pulls: z.array(BillingPullResultSchema).describe('recent pulls of this process, newest first (the scheduled daily pull and POST /api/billing/pull)'),
});
