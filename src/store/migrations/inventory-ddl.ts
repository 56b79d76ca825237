/**
 * The AI spend inventory tables (issue 19), one definition for both engines (portable types:
 * instants as BIGINT epoch milliseconds, money as DECIMAL(38,18), see src/store/sql.ts).
 * Embedded migration 008 and PostgreSQL migration 006 both apply exactly this.
 *
 * - `spend_source`: every way the organisation pays for AI, with owner, seats, run-rate, renewal, status.
 * - `expense_line`: card / expense-report lines that matched an AI vendor or look like AI (review
 *   queue); keyed by a content hash so re-importing a file adds nothing. Non-AI lines are counted
 *   at import and never stored.
 * - `expense_rule`: user-added descriptor rules, consulted before the vendor catalog.
 */
export const INVENTORY_DDL = `
CREATE TABLE spend_source (
  source_id VARCHAR PRIMARY KEY,
  vendor VARCHAR NOT NULL,
  product VARCHAR NOT NULL,
  category VARCHAR NOT NULL,
  channel VARCHAR NOT NULL,
  owner_team VARCHAR,
  owner_person VARCHAR,
  seats_purchased BIGINT,
  seats_active BIGINT,
  billing_model VARCHAR,
  run_rate_usd DECIMAL(38,18),
  renewal_date VARCHAR,
  status VARCHAR NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE expense_line (
  line_hash VARCHAR PRIMARY KEY,
  file VARCHAR NOT NULL,
  line BIGINT NOT NULL,
  occurred_at BIGINT NOT NULL,
  descriptor VARCHAR NOT NULL,
  amount DECIMAL(38,18) NOT NULL,
  currency VARCHAR NOT NULL,
  amount_usd DECIMAL(38,18),
  employee VARCHAR,
  cost_centre VARCHAR,
  memo VARCHAR,
  channel VARCHAR NOT NULL,
  state VARCHAR NOT NULL,
  vendor VARCHAR,
  product VARCHAR,
  category VARCHAR,
  match_method VARCHAR,
  match_pattern VARCHAR,
  imported_at BIGINT NOT NULL
);
CREATE TABLE expense_rule (
  pattern VARCHAR PRIMARY KEY,
  vendor VARCHAR NOT NULL,
  product VARCHAR NOT NULL,
  category VARCHAR NOT NULL,
  created_at BIGINT NOT NULL
);
`;
