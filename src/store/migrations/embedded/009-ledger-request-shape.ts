/**
 * 009: what the request asked for (hashes and counts, never text), the response cache's saving and
 * the retry/fallback link. Appended columns, all nullable: older records read back without them.
 */
export const name = 'ledger_request_shape';
export const sql = `
ALTER TABLE ledger ADD COLUMN request_hash VARCHAR;
ALTER TABLE ledger ADD COLUMN prompt_prefix_hash VARCHAR;
ALTER TABLE ledger ADD COLUMN prompt_prefix_tokens BIGINT;
ALTER TABLE ledger ADD COLUMN message_count BIGINT;
ALTER TABLE ledger ADD COLUMN tool_count BIGINT;
ALTER TABLE ledger ADD COLUMN max_output_tokens BIGINT;
ALTER TABLE ledger ADD COLUMN finish_reason VARCHAR;
ALTER TABLE ledger ADD COLUMN saved DECIMAL(38,18);
ALTER TABLE ledger ADD COLUMN attempt_of VARCHAR;
`;
