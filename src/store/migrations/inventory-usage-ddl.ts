/**
 * Seat lists and self-hosted GPU usage for the AI spend inventory (issue 19), one definition for
 * both engines (instants as BIGINT epoch milliseconds, money and hours as DECIMAL(38,18)).
 * Embedded migration 010 and PostgreSQL migration 008 both apply exactly this.
 *
 * - `seat_assignment`: who holds a seat on a spend source and when they were last active; one row
 *   per source and person (a re-imported seat list replaces the person's row).
 * - `gpu_usage`: GPU hours by instance type at an hourly cost, and tokens served per model, per
 *   day; keyed by a content hash so re-importing a file adds nothing.
 */
export const INVENTORY_USAGE_DDL = `
CREATE TABLE seat_assignment (
  source_id VARCHAR NOT NULL,
  person VARCHAR NOT NULL,
  team VARCHAR,
  last_active_at BIGINT,
  file VARCHAR NOT NULL,
  imported_at BIGINT NOT NULL,
  PRIMARY KEY (source_id, person)
);
CREATE TABLE gpu_usage (
  usage_hash VARCHAR PRIMARY KEY,
  file VARCHAR NOT NULL,
  line BIGINT NOT NULL,
  day BIGINT NOT NULL,
  instance_type VARCHAR NOT NULL,
  gpu_hours DECIMAL(38,18) NOT NULL,
  busy_hours DECIMAL(38,18),
  hourly_usd DECIMAL(38,18) NOT NULL,
  cost_usd DECIMAL(38,18) NOT NULL,
  model VARCHAR,
  input_tokens BIGINT NOT NULL,
  output_tokens BIGINT NOT NULL,
  team VARCHAR,
  imported_at BIGINT NOT NULL
);
`;
