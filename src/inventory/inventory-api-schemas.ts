/** Request and response bodies of the inventory routes, for validation and the OpenAPI document (docs/http-api.md). */
import { z } from 'zod';
import { FINDING_KINDS } from './inventory-findings.js';
import { EXPENSE_STATES, MATCH_METHODS, SOURCE_STATUSES, SPEND_CATEGORIES, SPEND_CHANNELS, BILLING_MODELS } from '../store/spend-source.js';

const decimal = z.string().describe('exact decimal');

export const ExpenseImportResultSchema = z.strictObject({
  status: z.enum(['imported', 'refused']),
  file: z.string(),
  rows: z.number().int(),
  matched: z.number().int(),
  matched_by: z.strictObject({ rule: z.number().int(), catalog: z.number().int() }),
  review: z.number().int().describe('AI-looking lines queued for a human (not counted as spend until confirmed)'),
  ignored: z.number().int().describe('non-AI lines: counted, not stored'),
  shared_bills: z.number().int().describe('of the ignored: cloud / code-host / video-call bills the catalog names (their AI spend comes from billing imports)'),
  inserted: z.number().int().describe('new stored lines (a re-import adds 0)'),
  unconverted: z.number().int().describe('matched lines in a currency with no rate and no USD amount'),
  unconverted_currencies: z.array(z.string()),
  invalid: z.array(z.strictObject({ line: z.number().int(), error: z.string() })),
  invalid_count: z.number().int(),
});

export const SpendSourceSchema = z.strictObject({
  source_id: z.string(),
  vendor: z.string().min(1).max(200),
  product: z.string().min(1).max(200),
  category: z.enum(SPEND_CATEGORIES),
  channel: z.enum(SPEND_CHANNELS),
  owner_team: z.string().max(200).nullable(),
  owner_person: z.string().max(200).nullable(),
  seats_purchased: z.number().int().min(0).max(10_000_000).nullable(),
  seats_active: z.number().int().min(0).max(10_000_000).nullable(),
  billing_model: z.enum(BILLING_MODELS).nullable(),
  run_rate_usd: decimal.regex(/^\d{1,12}(\.\d{1,8})?$/).nullable().describe('USD per month'),
  renewal_date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).nullable(),
  status: z.enum(SOURCE_STATUSES),
});

export const ExpenseLineSchema = z.strictObject({
  line_hash: z.string(),
  file: z.string(),
  line: z.number().int(),
  occurred_at: z.string(),
  descriptor: z.string(),
  amount: decimal,
  currency: z.string(),
  amount_usd: decimal.nullable(),
  employee: z.string().nullable(),
  cost_centre: z.string().nullable(),
  memo: z.string().nullable(),
  channel: z.enum(SPEND_CHANNELS),
  state: z.enum(EXPENSE_STATES),
  vendor: z.string().nullable(),
  product: z.string().nullable(),
  category: z.enum(SPEND_CATEGORIES).nullable(),
  match_method: z.enum(MATCH_METHODS).nullable(),
  match_pattern: z.string().nullable(),
});

export const ReviewDecisionSchema = z.union([
  z.strictObject({ confirm: z.strictObject({ vendor: z.string().min(1).max(200), product: z.string().min(1).max(200), category: z.enum(SPEND_CATEGORIES) }) }),
  z.strictObject({ reject: z.literal(true) }),
]);

export const ExpenseRuleSchema = z.strictObject({
  pattern: z.string().min(2).max(100).regex(/[A-Za-z0-9]/, 'a pattern needs a letter or digit'),
  vendor: z.string().min(1).max(200),
  product: z.string().min(1).max(200),
  category: z.enum(SPEND_CATEGORIES),
});

export const AiSpendResultSchema = z.strictObject({
  rows: z.array(z.strictObject({ key: z.string().nullable().describe('the category, vendor, team or channel; null: not attributed'), amount_usd: decimal })),
  total: decimal.describe('USD'),
  parts: z.strictObject({ ledger: decimal, billed: decimal, expenses: decimal, seats: decimal.describe('seat plans: run-rate prorated over the window'), gpu: decimal.describe('self-hosted GPU usage') }),
  excluded_prepaid: decimal.describe('card charges for API credits of providers whose usage is already counted'),
  excluded_seat_charges: decimal.describe('card / expense lines of seat plans whose run-rate is counted'),
  excluded_gpu_payments: decimal.describe('GPU-cloud card / expense charges of vendors whose GPU usage is counted'),
  unconverted_lines: z.number().int().describe('matched expense lines without a USD amount (not in the total)'),
});

export const InventoryFindingsSchema = z.strictObject({
  as_of: z.string(),
  findings: z.array(z.strictObject({ kind: z.enum(FINDING_KINDS), vendor: z.string().nullable(), category: z.string().nullable(), team: z.string().nullable(), detail: z.string(), monthly_usd: decimal.describe('USD a month it would save (renewals: the run-rate at stake)') })),
});
