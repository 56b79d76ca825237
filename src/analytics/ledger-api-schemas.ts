/**
 * Response schemas of `GET /api/events` and `GET /api/spend`, for the OpenAPI document and
 * docs/http-api.md. Documentation only: responses are not validated at run time. The type checks
 * at the bottom make the ledger record schema fail to compile when it drifts from `LedgerRecord`.
 */
import { z } from 'zod';
import type { LedgerRecord } from '../ledger/ledger-record.js';
import { COST_SOURCES, LEDGER_SOURCES, LEDGER_STATUSES, PRIORITIES, USAGE_SOURCES } from '../ledger/ledger-schema.js';

const money = z.string().describe('USD, exact decimal string');
const tokens = z.number().int().nonnegative();

export const UsageSchema = z.object({
  input_tokens: tokens.describe('input neither read from nor written to a cache, not audio or image'),
  cache_read_tokens: tokens.describe('non-audio input read from a cache'),
  cache_write_tokens: tokens.describe('input written to a cache with the default (5-minute) lifetime'),
  cache_write_1h_tokens: tokens.describe('input written to a cache with the 1-hour lifetime'),
  output_tokens: tokens.describe('output that is neither reasoning nor audio'),
  reasoning_tokens: tokens.describe('reasoning / thinking output'),
  audio_input_tokens: tokens.describe('audio input not read from a cache'),
  audio_cache_read_tokens: tokens.describe('audio input read from a cache'),
  audio_output_tokens: tokens,
  image_input_tokens: tokens.describe('image input, where the provider reports it apart'),
  web_search_calls: tokens.describe('billable web-search tool calls'),
});

export const CostSchema = z.object({
  total: money,
  input: money,
  cache_read: money,
  cache_write: money,
  output: money,
  reasoning: money,
  audio: money,
  image: money,
  tools: money,
  other: money.optional().describe('provider-reported charge not explained by the parts (fees, rounding)'),
  currency: z.literal('USD'),
  source: z.enum(COST_SOURCES).optional().describe('price_book: computed by Costrail; provider: the provider-reported charge is the total'),
});

const attr = z.string().nullable();
export const AttributionSchema = z.object({
  team: attr,
  project: attr,
  feature: attr,
  customer: attr,
  user: attr,
  env: attr,
  agent: attr,
  prompt_version: attr,
  priority: z.enum(PRIORITIES).nullable(),
});

export const LedgerRecordSchema = z.object({
  id: z.string(),
  source: z.enum(LEDGER_SOURCES),
  started_at: z.string().describe('ISO 8601 UTC instant'),
  ended_at: z.string().nullable(),
  duration_ms: z.number().nullable(),
  ttft_ms: z.number().nullable().describe('time to first token (streams)'),
  provider: z.string(),
  api: z.string().nullable().describe('chat.completions, responses, embeddings, messages, generateContent, converse, invoke, …'),
  model_requested: z.string().nullable(),
  model: z.string().nullable().describe('the billed model'),
  status: z.enum(LEDGER_STATUSES),
  http_status: z.number().int().nullable(),
  stream: z.boolean(),
  usage: UsageSchema.nullable().describe('null only when nothing could be counted or estimated'),
  usage_source: z.enum(USAGE_SOURCES).nullable(),
  cost: CostSchema.nullable().describe('null when no price is known'),
  priced: z.boolean(),
  price_version: z.string().nullable().describe('content hash of the price book that produced the cost'),
  attribution: AttributionSchema,
  tags: z.record(z.string(), z.string()),
  key_id: z.string().nullable(),
  trace_id: z.string().nullable(),
  span_id: z.string().nullable(),
  error: z.object({ type: z.string(), message: z.string(), scope: z.record(z.string(), z.string()).optional() }).nullable().optional().describe('why the call failed or was refused'),
  raw_usage: z.unknown().optional().describe('the provider usage object as received'),
  usage_version: z.number().int().optional(),
  unpriced_reason: z.string().nullable().optional(),
  request_hash: z.string().nullable().optional().describe('SHA-256 of the normalised request; equal requests share it'),
  prompt_prefix_hash: z.string().nullable().optional().describe('SHA-256 of the stable prompt prefix (system, tools, leading messages)'),
  prompt_prefix_tokens: z.number().int().nullable().optional().describe('estimated tokens in that prefix'),
  message_count: z.number().int().nullable().optional(),
  tool_count: z.number().int().nullable().optional(),
  max_output_tokens: z.number().int().nullable().optional().describe('the output limit the request asked for'),
  finish_reason: z.string().nullable().optional().describe("the provider's finish/stop reason as sent"),
  saved: money.nullable().optional().describe('USD a response-cache hit did not pay: what the call would have cost'),
  attempt_of: z.string().nullable().optional().describe('record id of the first attempt, on a retry or fallback'),
  response_id: z.string().nullable().optional().describe("the provider's own response id (chatcmpl-…, resp_…, msg_…, Gemini responseId); with provider, one call"),
});

export const EventsPageSchema = z.object({
  events: z.array(LedgerRecordSchema).describe('newest first'),
  next_cursor: z.string().nullable().describe('pass as cursor for the next page; null on the last page'),
});

const sums = {
  cost: money.describe('exact sum of priced costs'),
  requests: tokens,
  input_tokens: tokens,
  output_tokens: tokens,
  cache_read_tokens: tokens,
  cache_write_tokens: tokens,
  reasoning_tokens: tokens,
  unpriced_requests: tokens.describe('calls that used tokens but have no known price (never counted as $0)'),
  saved: money.optional().describe('what response-cache hits did not pay: their usage priced under the current price book (GET /api/spend always sets it)'),
};

export const SpendResponseSchema = z.object({
  rows: z.array(
    z
      .object({ period: z.string().nullable().describe('bucket start (ISO 8601 UTC); null for granularity=none'), ...sums })
      .catchall(z.string().nullable())
      .describe('one row per period and group; each group_by dimension is a field (tags as tag:NAME), null meaning not attributed'),
  ),
  total: z.object({ cost: money, requests: tokens, unpriced_requests: tokens, saved: money.optional().describe('sum of the rows\' saved (GET /api/spend always sets it)') }),
});

// Compile-time drift checks: the schema and the TypeScript record must describe the same object.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type SchemaRecord = z.infer<typeof LedgerRecordSchema>;
const recordKeysMatch: Same<keyof SchemaRecord, keyof LedgerRecord> = true;
const schemaFitsRecord: SchemaRecord extends LedgerRecord ? true : false = true;
void recordKeysMatch;
void schemaFitsRecord;
