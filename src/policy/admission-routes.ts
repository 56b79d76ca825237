/**
 * `POST /api/admission`: the SDK's `admit` round trip before a call it instruments (sdk-admission.ts).
 * Any valid token may ask; a scoped token's scope is stamped on the call, so it can never borrow
 * another team's budget.
 */
import { z } from 'zod';
import { ApiError } from '../http/api-error.js';
import type { ApiRouter } from '../http/api-router.js';
import { ATTRIBUTION_KEYS, PRIORITIES } from '../ledger/ledger-schema.js';
import { UnknownCallPathError, type SdkAdmission } from './sdk-admission.js';

const value = z.string().trim().min(1).max(256);
const attributionShape = Object.fromEntries(ATTRIBUTION_KEYS.filter((k) => k !== 'priority').map((k) => [k, value.nullable().optional()])) as Record<Exclude<(typeof ATTRIBUTION_KEYS)[number], 'priority'>, z.ZodOptional<z.ZodNullable<typeof value>>>;

export const AdmissionInputSchema = z
  .object({
    id: z.string().min(1).max(128).describe('the id the SDK gives the call; its ledger record carries it'),
    path: z.string().min(2).max(2048).startsWith('/').describe('the provider path the client called, with its query, e.g. /v1/chat/completions'),
    body: z.record(z.string(), z.unknown()).optional().describe('the request body, read for the worst-case estimate only (never stored)'),
    attribution: z
      .object({ ...attributionShape, priority: z.enum(PRIORITIES).nullable().optional() })
      .strict()
      .optional(),
    tags: z.record(z.string().min(1).max(64), z.string().max(256)).refine((t) => Object.keys(t).length <= 50, 'at most 50 tags').optional(),
    trace_id: z.string().regex(/^[0-9a-f]{32}$/, 'a W3C trace id: 32 lower-case hex digits').nullable().optional(),
  })
  .strict();

const AdmissionAnswerSchema = z.union([
  z.object({ admitted: z.literal(true), model: z.string().optional().describe('serve this model instead (a budget downgrade)') }),
  z.object({
    admitted: z.literal(false),
    refusal: z.object({ type: z.string().describe('budget_exceeded, rate_limited, kill_switch, model_not_allowed, policy_unavailable'), status: z.number(), message: z.string(), scope: z.record(z.string(), z.string()).optional(), retry_after_seconds: z.number().optional() }),
  }),
]);

export function registerAdmissionRoutes(api: ApiRouter, deps: { admission: SdkAdmission }): void {
  api.add({
    method: 'POST',
    path: '/api/admission',
    summary: 'Ask whether an SDK-instrumented call may proceed (budgets, rate limits, kill switches, allow-lists), as the gateway would; a refusal is recorded blocked',
    tag: 'Budgets and policy',
    access: 'read',
    body: AdmissionInputSchema,
    response: AdmissionAnswerSchema,
    handler: async (req) => {
      try {
        return { body: await deps.admission.admit(req.body, req.principal.kind === 'scoped' ? req.principal.scope : {}) };
      } catch (e) {
        if (e instanceof UnknownCallPathError) throw ApiError.badRequest(e.message);
        throw e;
      }
    },
  });
}
