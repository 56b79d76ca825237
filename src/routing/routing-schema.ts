/**
 * The `routing:` section of the serve config, and the body of `PUT /api/routing/rules`: rules that
 * send a call to another provider/model (fixed, cheapest-capable from a pool, or a weighted split),
 * model pools, fallback chains and the retry policy. One strict zod schema, validated once at the
 * edge; routing-compiler.ts turns it into the structures the hot path reads.
 */
import { z } from 'zod';

const ATTRIBUTION_MATCH = ['team', 'feature', 'priority', 'env', 'project', 'customer', 'agent'] as const;
export type AttributionMatchField = (typeof ATTRIBUTION_MATCH)[number];
export const ATTRIBUTION_MATCH_FIELDS: readonly AttributionMatchField[] = ATTRIBUTION_MATCH;

const name = z.string().min(1).max(200);
const ruleId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'an id is letters, digits, _ . - (at most 64)');
/** A model pattern: `*` is any run of characters. At most four `*`, so matching a long name stays linear enough to run per call. */
const pattern = z
  .string()
  .min(1)
  .max(200)
  .refine((p) => p.split('*').length <= 5, 'a model pattern has at most four *');
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'a time of day HH:MM');
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof DAYS)[number];
export const WEEKDAYS: readonly Weekday[] = DAYS;

/** The API shapes a target can be sent in (the ledger's `api` names). */
export const TARGET_APIS = ['chat.completions', 'messages', 'generateContent'] as const;

/** Where a rule or a fallback entry sends a call. */
export const TargetSchema = z
  .object({
    provider: name,
    model: name,
    /** The API shape to send in; default: the client's own when the provider takes it, else the provider's native one (translated). */
    api: z.enum(TARGET_APIS).optional(),
  })
  .strict();
export type TargetSpec = z.infer<typeof TargetSchema>;

export const CapabilitiesSchema = z
  .object({
    /** Smallest context window (tokens) a model must have. */
    context_tokens: z.number().int().positive().max(100_000_000).optional(),
    tools: z.boolean().optional(),
    vision: z.boolean().optional(),
    json_mode: z.boolean().optional(),
  })
  .strict();
export type CapabilityNeeds = z.infer<typeof CapabilitiesSchema>;

export const PoolSchema = z
  .object({
    /** `provider/model` entries, e.g. `openai/gpt-4o-mini`. */
    models: z.array(z.string().regex(/^[a-z][a-z0-9_-]*\/[^\s/][^\s]*$/, 'a pool entry is provider/model, e.g. openai/gpt-4o-mini')).min(1).max(100),
    /** The call "cheapest" is measured on: these token counts priced exactly by the price book (default 1000 in, 250 out). */
    reference_call: z.object({ input_tokens: z.number().int().min(0).max(10_000_000), output_tokens: z.number().int().min(0).max(10_000_000) }).strict().optional(),
  })
  .strict();

export const SplitArmSchema = TargetSchema.extend({
  /** Recorded in the `costrail_route_arm` tag (the unit-economics compare reads it with `--by tag:costrail_route_arm`). */
  arm: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'an arm name is letters, digits, _ . - (at most 64)'),
  /** Relative weight (integer); a call lands on an arm with probability weight / sum of weights. */
  weight: z.number().int().min(0).max(1_000_000),
}).strict();

export const RuleMatchSchema = z
  .object({
    /** Model pattern (`gpt-4o*`), matched against the model the client asked for; case-insensitive. */
    model: pattern.optional(),
    /** The client's API shape (`chat.completions`, `responses`, `embeddings`, `messages`, `generateContent`); default: any the target can serve. */
    api: z.enum(['chat.completions', 'responses', 'embeddings', 'messages', 'generateContent']).optional(),
    /** The provider the call would otherwise go to. */
    provider: name.optional(),
    team: name.optional(),
    feature: name.optional(),
    priority: z.enum(['critical', 'normal', 'background']).optional(),
    env: name.optional(),
    project: name.optional(),
    customer: name.optional(),
    agent: name.optional(),
    /** Active only in this window (start inclusive, end exclusive; an end before the start wraps past midnight). */
    time: z
      .object({
        days: z.array(z.enum(DAYS)).min(1).optional(),
        from: clock.default('00:00'),
        to: clock.default('24:00'),
        timezone: z.string().min(1).default('UTC'),
      })
      .strict()
      .optional(),
    /** Active only while this budget (id or name) has spent at least this fraction of its limit in the current period. */
    budget: z.object({ name, used_at_least: z.number().min(0).max(10) }).strict().optional(),
  })
  .strict();

export const RoutingRuleSchema = z
  .object({
    id: ruleId,
    description: z.string().max(500).optional(),
    match: RuleMatchSchema.default({}),
    /** Exactly one of `target`, `cheapest_capable`, `split`. */
    target: TargetSchema.optional(),
    cheapest_capable: z.object({ pool: name, requires: CapabilitiesSchema.default({}) }).strict().optional(),
    split: z.array(SplitArmSchema).min(1).max(20).optional(),
    /** Tried in order when the chosen target fails after its retries (replaces the `fallbacks:` entry matching the model). */
    fallbacks: z.array(TargetSchema).max(10).optional(),
  })
  .strict()
  .refine((r) => [r.target, r.cheapest_capable, r.split].filter((x) => x !== undefined).length === 1, { message: 'a rule needs exactly one of target, cheapest_capable, split' })
  .refine((r) => !r.split || r.split.some((a) => a.weight > 0), { message: 'a split needs at least one arm with weight > 0', path: ['split'] })
  .refine((r) => !r.split || new Set(r.split.map((a) => a.arm)).size === r.split.length, { message: 'split arms need distinct names', path: ['split'] });
export type RoutingRuleSpec = z.infer<typeof RoutingRuleSchema>;

export const FallbackChainSchema = z
  .object({
    /** Model pattern matched against the model of the target that failed (after any rule). */
    match: pattern,
    /** Only when the failed target is this provider. */
    provider: name.optional(),
    chain: z.array(TargetSchema).min(1).max(10),
  })
  .strict();

export const RetrySchema = z
  .object({
    /** Attempts per target, the first included (default 1: no retry unless configured, so a client's own retries are not multiplied). */
    max_attempts: z.number().int().min(1).max(10).default(1),
    /** First back-off; doubles per retry, with full jitter. */
    base_delay_ms: z.number().int().min(0).max(60_000).default(250),
    /** Largest single wait (a longer `Retry-After` skips to the next target instead of waiting). */
    max_delay_ms: z.number().int().min(0).max(120_000).default(5_000),
    /** Most the call waits in back-off across every attempt and target. */
    max_total_wait_ms: z.number().int().min(0).max(300_000).default(15_000),
    /** Statuses that are retried and fall back; connection errors and timeouts always are. */
    statuses: z.array(z.number().int().min(400).max(599)).default([408, 429, 500, 502, 503, 504, 529]),
  })
  .strict();
export type RetrySpec = z.infer<typeof RetrySchema>;

export const RoutingSectionSchema = z
  .object({
    rules: z.array(RoutingRuleSchema).max(1000).default([]),
    pools: z.record(name, PoolSchema).default({}),
    fallbacks: z.array(FallbackChainSchema).max(200).default([]),
    retry: RetrySchema.default(RetrySchema.parse({})),
  })
  .strict()
  .refine((s) => new Set(s.rules.map((r) => r.id)).size === s.rules.length, { message: 'rule ids must be distinct', path: ['rules'] });
export type RoutingSection = z.infer<typeof RoutingSectionSchema>;
export type RoutingSectionInput = z.input<typeof RoutingSectionSchema>;

export function emptyRoutingSection(): RoutingSection {
  return RoutingSectionSchema.parse({});
}
