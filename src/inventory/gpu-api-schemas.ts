/** Response bodies of the GPU routes, for the OpenAPI document (docs/http-api.md). */
import { z } from 'zod';

const decimal = z.string().describe('exact decimal');

export const GpuImportResultSchema = z.strictObject({
  status: z.enum(['imported', 'refused']),
  file: z.string(),
  format: z.enum(['csv', 'prometheus']),
  rows: z.number().int().describe('CSV rows, or Prometheus scrapes, read'),
  lines: z.number().int().describe('usage lines built (one per model per scrape interval for Prometheus)'),
  inserted: z.number().int().describe('lines not stored before (a re-import adds 0)'),
  models: z.array(z.string()),
  gpu_hours: decimal,
  cost_usd: decimal,
  input_tokens: z.number().int(),
  output_tokens: z.number().int(),
  invalid: z.array(z.strictObject({ line: z.number().int(), error: z.string() })),
  invalid_count: z.number().int(),
});

const usage = {
  gpu_hours: decimal.describe('paid GPU hours'),
  busy_hours: decimal.nullable().describe('hours the GPUs were serving, where the data says; null: unknown'),
  utilisation: decimal.nullable().describe('busy / paid hours over the lines that report busy hours (0–1, 4 decimals)'),
  cost_usd: decimal,
  idle_cost_usd: decimal.nullable().describe('(paid − busy hours) × hourly rate over the lines that report busy hours'),
};

const ComparableSchema = z.strictObject({
  provider: z.string(),
  model: z.string(),
  input_per_1m: decimal.describe('USD per 1M input tokens (price book)'),
  output_per_1m: decimal,
  api_cost_usd: decimal.describe('what this model\'s own input and output tokens would have cost there'),
});

export const GpuReportSchema = z.strictObject({
  from: z.string(),
  to: z.string(),
  output_weight: decimal.describe('input-token equivalents of one output token used to split cost between input and output'),
  comparables_version: z.string().describe('version of data/comparable-models.json'),
  models: z.array(
    z.strictObject({
      model: z.string(),
      family: z.string().nullable().describe('the comparable-models family the served name matched; null: none'),
      instance_types: z.array(z.string()),
      ...usage,
      input_tokens: z.number().int(),
      output_tokens: z.number().int(),
      cost_per_1m_input: decimal.nullable().describe('effective USD per 1M input tokens; null: no tokens served'),
      cost_per_1m_output: decimal.nullable(),
      comparable: ComparableSchema.nullable().describe('the cheapest comparable API model for this token mix'),
      savings_usd: decimal.nullable().describe('comparable.api_cost_usd − cost_usd: positive when self-hosting was cheaper'),
      unpriced_comparables: z.array(z.string()).describe('comparable API models the price book could not price'),
    }),
  ),
  instance_types: z.array(z.strictObject({ instance_type: z.string(), ...usage })),
  unattributed: z.strictObject(usage).describe('GPU lines that name no model'),
  total: z.strictObject({ ...usage, input_tokens: z.number().int(), output_tokens: z.number().int() }),
});
