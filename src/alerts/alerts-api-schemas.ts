/** Response schemas of /api/alerts, for the OpenAPI document and docs/http-api.md. */
import { z } from 'zod';
import { ALERT_KINDS, SEVERITIES } from './alert-types.js';

export const AlertSchema = z.object({
  id: z.string(),
  scope: z.record(z.string(), z.string()).describe('the fields that identify where it fired; {} is global'),
  kind: z.enum(ALERT_KINDS),
  severity: z.enum(SEVERITIES),
  status: z.enum(['open', 'acknowledged', 'resolved']),
  observed: z.number().describe('observed value over the window, in unit'),
  expected: z.number(),
  expected_low: z.number(),
  expected_high: z.number(),
  unit: z.enum(['usd', 'usd_per_request', 'tokens_per_request', 'requests', 'errors']),
  window_minutes: z.number(),
  summary: z.string(),
  detail: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
  detected_at: z.string(),
  last_seen_at: z.string(),
  acknowledged_at: z.string().nullable(),
  resolved_at: z.string().nullable(),
  resolved_by: z.enum(['auto', 'manual']).nullable(),
  peak_observed: z.number(),
  contributors: z.array(z.object({ dimension: z.string(), value: z.string().nullable(), cost: z.string(), requests: z.number() })).describe('top models, keys, traces, features by spend in the window'),
  link: z.string().describe('dashboard explorer link for the window'),
});

export const AlertListSchema = z.object({ alerts: z.array(AlertSchema) });
