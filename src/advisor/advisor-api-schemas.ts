/**
 * The advisor API's query and response schemas: queries validated at the edge, responses for the
 * OpenAPI document and docs/http-api.md (test/advisor/advisor-api.test.ts checks real bodies).
 */
import { z } from 'zod';
import { RECOMMENDATION_KINDS } from './advisor-levers.js';

const money = z.string().describe('exact decimal string, USD');
const instant = z.iso.datetime({ offset: true });

/** Ledger dimensions a query may filter on (equality; empty matches absent). */
export const ADVISOR_FILTERS = ['team', 'project', 'feature', 'customer', 'user', 'env', 'agent', 'prompt_version', 'priority', 'provider', 'model'] as const;

export const AdviceQuerySchema = z
  .object({
    from: instant,
    to: instant,
    min_calls: z.coerce.number().int().min(1).max(1_000_000).optional(),
  })
  .refine((q) => Date.parse(q.to) > Date.parse(q.from), { message: 'to must be after from', path: ['to'] });

/** `feature=F:model=M`: the feature's calls re-priced on model M. */
export const MOVE_PATTERN = /^feature=([^:]+):model=(.+)$/;

export const WhatIfQuerySchema = z
  .object({
    from: instant,
    to: instant,
    move: z.array(z.string().regex(MOVE_PATTERN, 'a move is feature=FEATURE:model=MODEL')).max(20).default([]),
    change: z.array(z.string().max(300)).max(20).default([]),
    batch: z.enum(['true', 'false']).optional(),
    cache_hit: z
      .string()
      .regex(/^(0(\.\d{1,6})?|1(\.0{1,6})?)$/, 'a share from 0 to 1, e.g. 0.6')
      .optional(),
  })
  .refine((q) => Date.parse(q.to) > Date.parse(q.from), { message: 'to must be after from', path: ['to'] });

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const RecommendationSchema = z.object({
  id: z.string(),
  kind: z.enum(RECOMMENDATION_KINDS),
  scope: z.record(z.string(), z.string().nullable()),
  stack_order: z.number().describe('1 = applied first; each saving is on top of those before it'),
  evidence: z
    .object({
      calls: z.number(),
      current_cost: money.describe('these calls after the recommendations stacked before this one'),
      projected_cost: money,
      period_savings: money,
    })
    .catchall(scalar),
  monthly_savings: money.describe('period_savings scaled to 30 days'),
  confidence: z.enum(['measured', 'estimated']),
  assumptions: z.array(z.string()),
  how: z.string(),
  risk: z.string(),
});

export const AdviceReportSchema = z.object({
  from: z.string(),
  to: z.string(),
  price_version: z.string(),
  summary: z.object({
    calls: z.number(),
    unpriced_calls: z.number(),
    baseline_cost: money,
    projected_cost: money,
    period_savings: money.describe('the sum of the recommendations\' stacked savings'),
    monthly_savings: money,
  }),
  recommendations: z.array(RecommendationSchema),
});

const line = { calls: z.number(), before: money, after: money, savings: money };

export const WhatIfReportSchema = z.object({
  from: z.string(),
  to: z.string(),
  price_version: z.string(),
  changes: z.object({ moves: z.array(z.object({ feature: z.string(), model: z.string() })), batch: z.boolean(), cache_hit: z.string().optional() }),
  applied: z.array(z.string()),
  total: z.object({ ...line, monthly_savings: money, unpriced_calls: z.number() }),
  by_day: z.array(z.object({ day: z.string(), ...line })),
  by_feature: z.array(z.object({ feature: z.string().nullable(), ...line })),
  notes: z.array(z.string()),
});

export const ChangeCheckQuerySchema = z.object({ change: z.array(z.string().max(300)).max(20).default([]) });

export const ChangeCheckReportSchema = z.object({
  valid: z.boolean().describe('every change parses'),
  changes: z.array(
    z.object({
      change: z.string().describe('the change as sent'),
      ok: z.boolean(),
      error: z.string().nullable().describe('what did not parse, naming the part (the message the CLI and /api/whatif give)'),
      text: z.string().nullable().describe('the change in the grammar\'s words, as /api/whatif would list it in applied'),
    }),
  ),
});
