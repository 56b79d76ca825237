/** 005: outcomes and revenue (same tables and conventions as the embedded migration 007). */
export const name = 'outcomes_revenue';
export const sql = `
CREATE TABLE outcomes (
  id TEXT COLLATE "C" PRIMARY KEY,
  occurred_at BIGINT NOT NULL,
  received_at BIGINT NOT NULL,
  type TEXT NOT NULL,
  success BOOLEAN NOT NULL,
  trace_id TEXT,
  customer TEXT,
  feature TEXT,
  team TEXT,
  value_usd NUMERIC(38,18),
  attributes TEXT NOT NULL
);
CREATE INDEX outcomes_trace ON outcomes (trace_id) WHERE trace_id IS NOT NULL;
CREATE INDEX outcomes_occurred ON outcomes (occurred_at);
CREATE TABLE outcome_calls (
  outcome_id TEXT COLLATE "C" NOT NULL,
  call_id TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (outcome_id, call_id)
);
CREATE INDEX outcome_calls_call ON outcome_calls (call_id);
CREATE TABLE revenue (
  customer TEXT NOT NULL,
  period_start BIGINT NOT NULL,
  period_end BIGINT NOT NULL,
  currency TEXT NOT NULL,
  amount NUMERIC(38,18) NOT NULL,
  imported_at BIGINT NOT NULL,
  PRIMARY KEY (customer, period_start, period_end, currency)
);
`;
