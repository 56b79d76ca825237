/**
 * 007: outcomes and revenue, the inputs of unit economics (src/economics).
 *
 * - `outcomes`: one row per business outcome (a ticket resolved, a document processed), idempotent
 *   by id. Calls are NOT linked at ingest: an outcome names a trace_id (every call of the trace)
 *   and/or explicit call ids (`outcome_calls`), and reports join them at query time, so an outcome
 *   that arrives hours after its calls, or before them, links the same way.
 * - `revenue`: what a customer paid for a period, one row per (customer, period, currency); a
 *   re-import of the same period replaces the amount (a corrected billing export).
 * Instants are BIGINT epoch milliseconds and money DECIMAL(38,18) (src/store/sql.ts conventions),
 * so one portable repository (src/store/economics-tables.ts) reads both engines.
 */
export const name = 'outcomes_revenue';
export const sql = `
CREATE TABLE outcomes (
  id VARCHAR PRIMARY KEY,
  occurred_at BIGINT NOT NULL,
  received_at BIGINT NOT NULL,
  type VARCHAR NOT NULL,
  success BOOLEAN NOT NULL,
  trace_id VARCHAR,
  customer VARCHAR,
  feature VARCHAR,
  team VARCHAR,
  value_usd DECIMAL(38,18),
  attributes VARCHAR NOT NULL
);
CREATE TABLE outcome_calls (
  outcome_id VARCHAR NOT NULL,
  call_id VARCHAR NOT NULL,
  PRIMARY KEY (outcome_id, call_id)
);
CREATE TABLE revenue (
  customer VARCHAR NOT NULL,
  period_start BIGINT NOT NULL,
  period_end BIGINT NOT NULL,
  currency VARCHAR NOT NULL,
  amount DECIMAL(38,18) NOT NULL,
  imported_at BIGINT NOT NULL,
  PRIMARY KEY (customer, period_start, period_end, currency)
);
`;
