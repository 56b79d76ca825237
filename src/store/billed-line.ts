/**
 * Billed line items: what a provider's own export (invoice-grade cost data) says it charged, kept
 * beside the ledger (what Costrail metered) so the two can be reconciled. One row per line of the
 * source export; money as exact decimal strings in the source currency and in USD.
 */

/** What a billed line is, beyond plain usage (credits, refunds and discounts are negative amounts). */
export const CHARGE_KINDS = ['usage', 'tax', 'credit', 'refund', 'discount', 'fee', 'commitment_purchase'] as const;
export type ChargeKind = (typeof CHARGE_KINDS)[number];

export const BILLING_FORMATS = ['openai-costs', 'anthropic-cost-report', 'aws-cur', 'azure-cost', 'gcp-billing', 'focus'] as const;
export type BillingFormat = (typeof BILLING_FORMATS)[number];

export interface BilledLine {
  /** `openai`, `anthropic`, `bedrock`, `azure-openai`, `vertex`, or the FOCUS ProviderName lower-cased. */
  provider: string;
  /** Account / project / workspace / IAM principal / subscription the line is charged to (null: org-wide). */
  account: string | null;
  service: string | null;
  /** Normalised to the price book's name where the line names a model; null otherwise. */
  model: string | null;
  charge_kind: ChargeKind;
  /** input, output, cache_read, cache_write, or null when the line is not per-token. */
  token_class: string | null;
  /** Exact decimal, or null when the export gives none. */
  quantity: string | null;
  unit: string | null;
  /** Exact decimal in `currency`. */
  amount: string;
  currency: string;
  /** Exact decimal in USD; null when the line is in another currency and the export gives no rate. */
  amount_usd: string | null;
  /** ISO 8601 UTC instants, [start, end). */
  charge_start: string;
  charge_end: string;
  /** Invoice / billing period as `YYYY-MM` (null when the export does not say). */
  invoice_period: string | null;
  /** The team the export's tags/labels name, if any (coverage: spend that carries a team). */
  team: string | null;
  /** The line's own words (line item, meter, SKU or usage type). */
  description: string | null;
  /** 1-based line (or row / result) number in the source file, for audit. */
  line: number;
}

export interface BilledImportMeta {
  /** Deterministic: the same export (same source, same bytes) always gets the same id. */
  import_id: string;
  format: BillingFormat;
  /** What a later export replaces: the format plus the billing account when the export names one. */
  source: string;
  file: string;
}

export interface BilledImportSummary extends BilledImportMeta {
  state: 'pending' | 'committed';
  lines: number;
  /** Period covered, [start, end) ISO instants; null when the import has no lines. */
  period_start: string | null;
  period_end: string | null;
  imported_at: string;
  /** Lines of earlier imports of the same source and period that this one replaced. */
  replaced: number;
}

/** Billed amounts summed by everything reconciliation needs (one row per distinct combination). */
export interface BilledTotalRow {
  provider: string;
  account: string | null;
  model: string | null;
  charge_kind: ChargeKind;
  has_team: boolean;
  /** ISO instant the lines' charge period starts. */
  charge_start: string;
  amount_usd: string;
  /** Lines in this row with no USD amount (other currency, no rate). */
  unconverted_lines: number;
}

export interface BilledTotalsQuery {
  /** Inclusive lower bound on charge_start (ISO 8601). */
  from: string;
  /** Exclusive upper bound on charge_start (ISO 8601). */
  to: string;
}
