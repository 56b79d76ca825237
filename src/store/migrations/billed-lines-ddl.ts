/**
 * The billed line item tables, one definition for both engines (portable types: instants as BIGINT
 * epoch milliseconds, money as DECIMAL(38,18), see src/store/sql.ts). Embedded migration 006 and
 * PostgreSQL migration 004 both apply exactly this.
 */
export const BILLED_LINES_DDL = `
CREATE TABLE billed_import (
  import_id VARCHAR PRIMARY KEY,
  format VARCHAR NOT NULL,
  source VARCHAR NOT NULL,
  file VARCHAR NOT NULL,
  state VARCHAR NOT NULL,
  lines BIGINT NOT NULL,
  period_start BIGINT,
  period_end BIGINT,
  imported_at BIGINT NOT NULL,
  replaced BIGINT NOT NULL
);
CREATE TABLE billed_line (
  import_id VARCHAR NOT NULL,
  source VARCHAR NOT NULL,
  line BIGINT NOT NULL,
  provider VARCHAR NOT NULL,
  account VARCHAR,
  service VARCHAR,
  model VARCHAR,
  charge_kind VARCHAR NOT NULL,
  token_class VARCHAR,
  quantity DECIMAL(38,18),
  unit VARCHAR,
  amount DECIMAL(38,18) NOT NULL,
  currency VARCHAR NOT NULL,
  amount_usd DECIMAL(38,18),
  charge_start BIGINT NOT NULL,
  charge_end BIGINT NOT NULL,
  invoice_period VARCHAR,
  team VARCHAR,
  description VARCHAR
);
`;

/**
 * PostgreSQL only: DuckDB scans with per-block min/max (zonemaps) and maintaining ART indexes
 * made bulk imports several times slower there.
 */
export const BILLED_LINES_INDEXES = `
CREATE INDEX billed_line_source_start ON billed_line (source, charge_start);
CREATE INDEX billed_line_import ON billed_line (import_id);
`;
