/**
 * 002: the re-pricing audit trail. Every cost change keeps the figure and price version it
 * replaced. Instants are BIGINT epoch milliseconds and money DECIMAL(38,18) so the table reads
 * the same through `store.sql` on either engine (src/store/sql.ts conventions).
 */
export const name = 'ledger_cost_history';
export const sql = `
CREATE TABLE ledger_cost_history (
  record_id VARCHAR NOT NULL,
  started_at BIGINT NOT NULL,
  changed_at BIGINT NOT NULL,
  reason VARCHAR NOT NULL,
  old_cost_total DECIMAL(38,18),
  old_priced BOOLEAN NOT NULL,
  old_price_version VARCHAR,
  new_cost_total DECIMAL(38,18),
  new_priced BOOLEAN NOT NULL,
  new_price_version VARCHAR
);
`;
