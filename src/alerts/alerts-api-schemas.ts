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
  unit: z.enum(['usd', 'usd_per_request', 'tokens_per_request', 'requests', 'errors', 'usd_per_outcome', 'share_of_revenue']),
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
  incident_id: z.string().nullable().optional().describe('the incident grouping the alerts that share this cause'),
});

const ContributorSchema = z.object({ dimension: z.string(), value: z.string().nullable(), cost: z.string(), requests: z.number() });

export const IncidentSchema = z.object({
  id: z.string(),
  status: z.enum(['open', 'acknowledged', 'resolved']),
  severity: z.enum(SEVERITIES),
  opened_at: z.string(),
  last_seen_at: z.string(),
  resolved_at: z.string().nullable(),
  root_scope: z.record(z.string(), z.string()).describe('the narrowest scope explaining most of the excess'),
  root_kind: z.enum(ALERT_KINDS),
  kinds: z.array(z.enum(ALERT_KINDS)),
  alert_ids: z.array(z.string()),
  scopes: z.array(z.record(z.string(), z.string())).describe('every member alert\'s scope'),
  impact_usd_per_hour: z.number().describe('estimated excess spend of the root scope, $ per hour'),
  peak_impact_usd_per_hour: z.number(),
  contributors: z.array(ContributorSchema).describe('top keys, models, traces, features across member alerts'),
  summary: z.string(),
  link: z.string(),
  snoozed_until: z.string().nullable(),
  notes: z.array(z.object({ at: z.string(), text: z.string(), action: z.enum(['note', 'snooze', 'new_normal']) })),
});

export const IncidentListSchema = z.object({ incidents: z.array(IncidentSchema) });
export const IncidentDetailSchema = IncidentSchema.extend({ alerts: z.array(AlertSchema) });

export const AlertListSchema = z.object({ alerts: z.array(AlertSchema) });
