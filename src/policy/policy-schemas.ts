/**
 * The policy rules an operator sets (budgets, rate limits, kill switches, model allow-lists,
 * runaway guards per trace), validated once at the edge (API, config) with zod. The hot path
 * works on the compiled form (see policy-engine.ts) and never re-validates.
 */
import { z } from 'zod';
import { ATTRIBUTION_FIELDS } from '../ledger/ledger-record.js';
import { isTagDimension } from '../attribution/spend-dimension.js';
import { SPEND_CATEGORIES } from '../store/spend-source.js';

/** Fields a scope may name besides attribution fields; `tag:NAME` matches a request tag. */
export const SCOPE_FIELDS: readonly string[] = [...ATTRIBUTION_FIELDS, 'provider', 'model', 'key_id'];

export function isScopeField(k: string): boolean {
  return SCOPE_FIELDS.includes(k) || isTagDimension(k);
}

/**
 * Budget-only scope fields over imported spend (the AI spend inventory: card and expense lines,
 * imported bills): `vendor=Cursor`, `category=coding_assistant`. That spend never passes the
 * gateway, so such a budget can only watch and alert, never block or downgrade a call.
 */
export const IMPORTED_SPEND_FIELDS: readonly string[] = ['vendor', 'category'];
/** What an imported-spend scope may combine with vendor / category: the team (expense cost centre). */
const IMPORTED_SPEND_ALLOWED: readonly string[] = [...IMPORTED_SPEND_FIELDS, 'team'];

/** True when a budget's scope names a vendor or category: it is evaluated on imported spend. */
export function isImportedSpendScope(scope: Readonly<Record<string, string>>): boolean {
  return Object.keys(scope).some((k) => IMPORTED_SPEND_FIELDS.includes(k));
}

/** A set of fields that must all match; `{}` is global. */
export const ScopeSchema = z
  .record(z.string(), z.string().min(1).max(256))
  .refine((s) => Object.keys(s).every(isScopeField), { message: `scope keys must be one of ${SCOPE_FIELDS.join(', ')} or tag:NAME` })
  .default({});
export type { Scope } from '../attribution/scope.js';

const usd = z.string().regex(/^\d+(\.\d{1,12})?$/, 'a non-negative USD decimal string such as "25.00" (at most 12 decimals)');
const id = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, _ . - (at most 64)');
const fraction = z.number().gt(0).lte(10);

/** What happens when a call would take a budget past 100%. */
export const BUDGET_ACTIONS = ['block', 'notify', 'downgrade'] as const;
export const BUDGET_PERIODS = ['hour', 'day', 'week', 'month', 'total'] as const;

/** When the shared counters cannot be reached: admit (`open`) or refuse (`closed`). */
export const FailModeSchema = z.enum(['open', 'closed']);

/** A budget's scope: gateway fields, or vendor / category (and team) over imported spend. */
const BudgetScopeSchema = z
  .record(z.string(), z.string().min(1).max(256))
  .refine((s) => Object.keys(s).every((k) => isScopeField(k) || IMPORTED_SPEND_FIELDS.includes(k)), { message: `scope keys must be one of ${[...SCOPE_FIELDS, ...IMPORTED_SPEND_FIELDS].join(', ')} or tag:NAME` })
  .refine((s) => !isImportedSpendScope(s) || Object.keys(s).every((k) => IMPORTED_SPEND_ALLOWED.includes(k)), { message: 'a vendor or category scope covers imported spend (card, expense and billed lines) and may add only team; gateway fields (provider, model, key_id, feature, tag:…) belong in a separate budget' })
  .refine((s) => s['category'] === undefined || (SPEND_CATEGORIES as readonly string[]).includes(s['category']), { message: `category must be one of ${SPEND_CATEGORIES.join(', ')}` })
  .default({});

const HARD_CAP_MESSAGE = 'a vendor or category budget watches imported spend (card, expense and billed lines) that never passes the gateway, so it cannot block or downgrade calls: use "action": "notify" (the default for such scopes); it alerts at its thresholds';

export const BudgetInputSchema = z
  .object({
    id: id.optional(),
    name: z.string().min(1).max(200),
    scope: BudgetScopeSchema,
    period: z.enum(BUDGET_PERIODS).default('month'),
    timezone: z.string().default('UTC').refine(validTimeZone, { message: 'an IANA time zone such as Europe/Berlin' }),
    /** Fiscal months start on this day of the month (1-28); weeks and days ignore it. */
    fiscal_month_start_day: z.number().int().min(1).max(28).default(1),
    limit_usd: usd.optional(),
    limit_tokens: z.number().int().positive().optional(),
    thresholds: z.array(fraction).max(10).default([0.5, 0.8, 1.0]),
    /** Default `block`; `notify` for vendor / category scopes (set by the overwrite below). */
    action: z.enum(BUDGET_ACTIONS).optional(),
    downgrade_to: z.string().min(1).optional(),
    /** Requests with `x-costrail-priority: background` are refused from this fraction of the limit on. */
    background_pause_at: z.number().gt(0).lte(1).optional(),
    on_counter_error: FailModeSchema.default('open'),
  })
  .strict()
  .refine((b) => !isImportedSpendScope(b.scope) || b.action === undefined || b.action === 'notify', { message: HARD_CAP_MESSAGE, path: ['action'] })
  .refine((b) => !isImportedSpendScope(b.scope) || (b.limit_tokens === undefined && b.background_pause_at === undefined), { message: 'a vendor or category budget is in USD (limit_usd) and has no background_pause_at: imported spend has no tokens and no calls to pause', path: ['limit_usd'] })
  .overwrite((b) => ({ ...b, action: b.action ?? (isImportedSpendScope(b.scope) ? 'notify' : 'block') }))
  .refine((b) => (b.limit_usd === undefined) !== (b.limit_tokens === undefined), { message: 'give exactly one of limit_usd or limit_tokens', path: ['limit_usd'] })
  .refine((b) => b.action !== 'downgrade' || b.downgrade_to !== undefined, { message: 'action "downgrade" needs downgrade_to', path: ['downgrade_to'] });
export type BudgetAction = (typeof BUDGET_ACTIONS)[number];
export type BudgetInput = z.input<typeof BudgetInputSchema>;
export type BudgetSpec = Omit<z.infer<typeof BudgetInputSchema>, 'action'> & { id: string; action: BudgetAction };

export const RateLimitInputSchema = z
  .object({
    id: id.optional(),
    name: z.string().max(200).optional(),
    scope: ScopeSchema,
    rpm: z.number().int().positive().optional(),
    tpm: z.number().int().positive().optional(),
    usd_per_minute: usd.optional(),
    on_counter_error: FailModeSchema.default('open'),
  })
  .strict()
  .refine((r) => r.rpm !== undefined || r.tpm !== undefined || r.usd_per_minute !== undefined, { message: 'give at least one of rpm, tpm, usd_per_minute' });
export type RateLimitSpec = z.infer<typeof RateLimitInputSchema> & { id: string };

export const KillSwitchInputSchema = z
  .object({
    id: id.optional(),
    scope: ScopeSchema,
    reason: z.string().min(1).max(500),
  })
  .strict();
export type KillSwitchSpec = z.infer<typeof KillSwitchInputSchema> & { id: string; set_at: string };

export const AllowListInputSchema = z
  .object({
    id: id.optional(),
    scope: ScopeSchema,
    /** Model patterns as for virtual keys: `*` wildcards, case-insensitive; with a `/`, `provider/model`. */
    models: z.array(z.string().min(1).max(200)).min(1).max(500),
  })
  .strict();
export type AllowListSpec = z.infer<typeof AllowListInputSchema> & { id: string };

export const TraceGuardInputSchema = z
  .object({
    id: id.optional(),
    scope: ScopeSchema,
    max_calls: z.number().int().positive().optional(),
    max_usd: usd.optional(),
    /** How long a trace's counters live after its first call (default 24 h). */
    window_minutes: z.number().int().positive().max(7 * 24 * 60).default(24 * 60),
    on_counter_error: FailModeSchema.default('open'),
  })
  .strict()
  .refine((g) => g.max_calls !== undefined || g.max_usd !== undefined, { message: 'give max_calls, max_usd or both' });
export type TraceGuardSpec = z.infer<typeof TraceGuardInputSchema> & { id: string };

export const POLICY_KINDS = ['budget', 'rate_limit', 'kill_switch', 'allow_list', 'trace_guard'] as const;
export type PolicyKind = (typeof POLICY_KINDS)[number];

export interface PolicyRules {
  budgets: BudgetSpec[];
  rateLimits: RateLimitSpec[];
  killSwitches: KillSwitchSpec[];
  allowLists: AllowListSpec[];
  traceGuards: TraceGuardSpec[];
}

export function emptyRules(): PolicyRules {
  return { budgets: [], rateLimits: [], killSwitches: [], allowLists: [], traceGuards: [] };
}

export function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
