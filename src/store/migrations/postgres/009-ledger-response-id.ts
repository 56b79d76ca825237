/**
 * 009: the provider's response id (as embedded migration 011) and its guard. The ledger is
 * partitioned by started_at, so (provider, response_id) cannot be unique on it; `ledger_calls`
 * holds each key once (PRIMARY KEY) with the id of the record that has it. A batch inserts its
 * keys there ON CONFLICT DO NOTHING, in the same statement as its ids (pg-ledger-sql.ts): a record
 * whose key is already taken, by a committed or a concurrent writer, is merged into that record
 * instead of inserted, so two ingests racing over one call still leave one record.
 */
export const name = 'ledger_response_id';
export const sql = `
ALTER TABLE ledger ADD COLUMN response_id TEXT COLLATE "C";

CREATE TABLE ledger_calls (
  provider TEXT COLLATE "C" NOT NULL,
  response_id TEXT COLLATE "C" NOT NULL,
  id TEXT COLLATE "C" NOT NULL,
  started_at TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (provider, response_id)
);
CREATE INDEX ledger_calls_id ON ledger_calls (id);
CREATE INDEX ledger_calls_started ON ledger_calls (started_at);
`;
