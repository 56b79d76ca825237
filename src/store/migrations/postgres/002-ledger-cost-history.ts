/** 002: the re-pricing audit trail (same columns and conventions as the embedded migration 002). */
export const name = 'ledger_cost_history';
export const sql = `
CREATE TABLE ledger_cost_history (
  record_id TEXT COLLATE "C" NOT NULL,
  started_at BIGINT NOT NULL,
  changed_at BIGINT NOT NULL,
  reason TEXT NOT NULL,
  old_cost_total NUMERIC(38,18),
  old_priced BOOLEAN NOT NULL,
  old_price_version TEXT,
  new_cost_total NUMERIC(38,18),
  new_priced BOOLEAN NOT NULL,
  new_price_version TEXT
);
CREATE INDEX ledger_cost_history_record ON ledger_cost_history (record_id);
`;
