/**
 * The AI spend inventory's records (issue 19): spend sources (every way the organisation pays for
 * AI: API orgs, seat plans, expensed subscriptions, GPUs) and the card / expense lines discovered
 * from finance exports, with how each was matched to a vendor. Money is exact decimal strings.
 */

export const SPEND_CATEGORIES = ['model_api', 'chat_assistant', 'coding_assistant', 'meeting_bot', 'content', 'research', 'agent_platform', 'gpu_compute', 'vector_db', 'other'] as const;
export type SpendCategory = (typeof SPEND_CATEGORIES)[number];

export const SPEND_CHANNELS = ['api_direct', 'card', 'expense', 'ap_invoice', 'cloud_marketplace', 'app_store'] as const;
export type SpendChannel = (typeof SPEND_CHANNELS)[number];

export const SOURCE_STATUSES = ['sanctioned', 'unsanctioned', 'under_review'] as const;
export type SourceStatus = (typeof SOURCE_STATUSES)[number];

export const BILLING_MODELS = ['seat', 'usage', 'commit'] as const;
export type BillingModel = (typeof BILLING_MODELS)[number];

export interface SpendSource {
  /** Stable id: `vendor/product/channel` slugged (see src/inventory/spend-source-id.ts). */
  source_id: string;
  vendor: string;
  product: string;
  category: SpendCategory;
  channel: SpendChannel;
  owner_team: string | null;
  owner_person: string | null;
  seats_purchased: number | null;
  seats_active: number | null;
  billing_model: BillingModel | null;
  /** Exact decimal USD per month, or null when unknown. */
  run_rate_usd: string | null;
  /** `YYYY-MM-DD`, or null. */
  renewal_date: string | null;
  status: SourceStatus;
}

/** How an expense line was matched to a vendor. */
export const MATCH_METHODS = ['rule', 'catalog', 'manual'] as const;
export type MatchMethod = (typeof MATCH_METHODS)[number];

/** matched: counted as AI spend; review: AI-looking but unconfirmed (not counted); rejected: confirmed not AI. */
export const EXPENSE_STATES = ['matched', 'review', 'rejected'] as const;
export type ExpenseState = (typeof EXPENSE_STATES)[number];

export interface ExpenseLine {
  /** sha256 of the line's normalised content and its occurrence number among identical lines of its file. */
  line_hash: string;
  file: string;
  /** 1-based data row in the source file (audit). */
  line: number;
  /** ISO 8601 UTC instant (midnight of the transaction date). */
  occurred_at: string;
  descriptor: string;
  amount: string;
  currency: string;
  /** Exact USD: the line's own USD amount or amount × the user's rate; null when neither exists. */
  amount_usd: string | null;
  employee: string | null;
  cost_centre: string | null;
  memo: string | null;
  channel: SpendChannel;
  state: ExpenseState;
  vendor: string | null;
  product: string | null;
  category: SpendCategory | null;
  match_method: MatchMethod | null;
  /** The rule or catalog pattern that matched (or the reviewer's note for manual matches). */
  match_pattern: string | null;
}

/** A user-added descriptor rule: descriptors starting with `pattern` (normalised) belong to the vendor. */
export interface ExpenseRule {
  pattern: string;
  vendor: string;
  product: string;
  category: SpendCategory;
}

export interface ExpenseTotalsQuery {
  from: string;
  to: string;
}

/** Matched expense spend summed in the engine, one row per vendor/product/category/channel/cost centre/day. */
export interface ExpenseTotalRow {
  vendor: string;
  product: string;
  category: SpendCategory;
  channel: SpendChannel;
  cost_centre: string | null;
  day: string;
  amount_usd: string;
  lines: number;
  /** Matched lines without a USD amount (no rate given): not in amount_usd. */
  unconverted_lines: number;
}

/** One person's seat on a spend source (from an imported seat list). */
export interface SeatAssignment {
  source_id: string;
  /** Lower-cased email, or the name as given when the list has no email. */
  person: string;
  team: string | null;
  /** ISO 8601 UTC instant of the last activity the tool reported, or null (never active / unknown). */
  last_active_at: string | null;
  file: string;
}

/**
 * One day of self-hosted inference on one instance type: GPU hours at an hourly cost, and the
 * tokens served (per model when known). Money and hours are exact decimal strings.
 */
export interface GpuUsageLine {
  usage_hash: string;
  file: string;
  line: number;
  /** `YYYY-MM-DD` (UTC day). */
  day: string;
  instance_type: string;
  gpu_hours: string;
  /** Hours the GPUs were serving at least one request, when the source knows (utilisation). */
  busy_hours: string | null;
  hourly_usd: string;
  /** gpu_hours × hourly_usd, exact. */
  cost_usd: string;
  model: string | null;
  input_tokens: number;
  output_tokens: number;
  team: string | null;
  /** Who the GPUs were rented from (RunPod, CoreWeave, AWS …); null when unknown or on premises. */
  vendor: string | null;
}
