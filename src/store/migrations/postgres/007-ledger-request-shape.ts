/** 007: the request's shape, the response cache's saving and the retry link (as embedded migration 009). */
export const name = 'ledger_request_shape';
export const sql = `
ALTER TABLE ledger ADD COLUMN request_hash TEXT;
ALTER TABLE ledger ADD COLUMN prompt_prefix_hash TEXT;
ALTER TABLE ledger ADD COLUMN prompt_prefix_tokens BIGINT;
ALTER TABLE ledger ADD COLUMN message_count BIGINT;
ALTER TABLE ledger ADD COLUMN tool_count BIGINT;
ALTER TABLE ledger ADD COLUMN max_output_tokens BIGINT;
ALTER TABLE ledger ADD COLUMN finish_reason TEXT;
ALTER TABLE ledger ADD COLUMN saved NUMERIC(38,18);
ALTER TABLE ledger ADD COLUMN attempt_of TEXT COLLATE "C";
`;
