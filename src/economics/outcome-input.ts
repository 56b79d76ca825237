/**
 * Outcome and revenue input, validated once at the edge (`POST /api/outcomes`, `POST /api/revenue`,
 * `costrail import outcomes|revenue`). Unknown fields are refused, not ignored: a typo such as
 * `"sucess"` must not silently record a failure. Every bound here exists so that one absurd value
 * never reaches the store.
 */
import { z } from 'zod';
import { Decimal } from '../pricing/decimal.js';
import type { OutcomeRecord, RevenueRecord } from '../store/economics-types.js';

export const MAX_OUTCOMES_PER_BATCH = 1000;
export const MAX_REVENUE_PER_BATCH = 1000;
const MAX_CALL_IDS = 1000;
/** Money above a trillion is a unit mistake (cents for dollars, a pasted id), not a figure. */
const MAX_AMOUNT = Decimal.parse('1e12');

const label = z.string().trim().min(1).max(200);
const instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s).toISOString());

/** A decimal amount as a string or JSON number, kept exact; bounded in magnitude. */
const amount = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const d = Decimal.tryParse(v);
  if (d === undefined) {
    ctx.addIssue({ code: 'custom', message: `not a decimal number: ${JSON.stringify(v)}` });
    return z.NEVER;
  }
  if (d.cmp(MAX_AMOUNT) > 0 || d.neg().cmp(MAX_AMOUNT) > 0) {
    ctx.addIssue({ code: 'custom', message: 'must be within ±1e12' });
    return z.NEVER;
  }
  return d.toString();
});

export const outcomeInputSchema = z.strictObject({
  id: label,
  occurred_at: instant,
  type: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'letters, digits and _ . : - only, at most 64'),
  success: z.boolean(),
  trace_id: label.optional(),
  call_ids: z.array(label).max(MAX_CALL_IDS).optional(),
  customer: label.optional(),
  feature: label.optional(),
  team: label.optional(),
  value_usd: amount.optional(),
  attributes: z
    .record(z.string().min(1).max(64), z.union([z.string().max(1000), z.number().finite(), z.boolean(), z.null()]))
    .refine((a) => Object.keys(a).length <= 50, 'at most 50 attributes')
    .optional(),
});
export type OutcomeInput = z.output<typeof outcomeInputSchema>;

export const outcomeBatchSchema = z.strictObject({
  outcomes: z.array(outcomeInputSchema).min(1).max(MAX_OUTCOMES_PER_BATCH, `at most ${MAX_OUTCOMES_PER_BATCH} outcomes per request`),
});

export function toOutcomeRecord(o: OutcomeInput): OutcomeRecord {
  return {
    id: o.id,
    occurred_at: o.occurred_at,
    type: o.type,
    success: o.success,
    trace_id: o.trace_id ?? null,
    call_ids: o.call_ids ?? [],
    customer: o.customer ?? null,
    feature: o.feature ?? null,
    team: o.team ?? null,
    value_usd: o.value_usd ?? null,
    attributes: o.attributes ?? {},
  };
}

const DAY_MS = 86_400_000;
/** A date (YYYY-MM-DD) or an instant. */
const dateOrInstant = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);

export const revenueInputSchema = z
  .strictObject({
    customer: label,
    period_start: dateOrInstant,
    /** A date is inclusive (the whole day, as billing exports write "2026-11-30"); an instant is exclusive. */
    period_end: dateOrInstant,
    amount,
    currency: z
      .string()
      .trim()
      .regex(/^[A-Za-z]{3}$/, 'an ISO 4217 code such as USD')
      .transform((c) => c.toUpperCase()),
  })
  .transform((r, ctx) => {
    const start = Date.parse(r.period_start.length === 10 ? `${r.period_start}T00:00:00Z` : r.period_start);
    const end = r.period_end.length === 10 ? Date.parse(`${r.period_end}T00:00:00Z`) + DAY_MS : Date.parse(r.period_end);
    if (!(end > start)) {
      ctx.addIssue({ code: 'custom', path: ['period_end'], message: 'must be after period_start' });
      return z.NEVER;
    }
    const record: RevenueRecord = { customer: r.customer, period_start: new Date(start).toISOString(), period_end: new Date(end).toISOString(), amount: r.amount, currency: r.currency };
    return record;
  });

export const revenueBatchSchema = z.strictObject({
  entries: z.array(revenueInputSchema).min(1).max(MAX_REVENUE_PER_BATCH, `at most ${MAX_REVENUE_PER_BATCH} entries per request`),
});

/** A zod failure as one line naming the field ("outcomes.3.success: expected boolean"). */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`).join('; ');
}
