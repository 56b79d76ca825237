/**
 * 011: the provider's response id, the key that makes the gateway's, the SDK's and a span's record
 * of one call one record (src/ledger/call-merge.ts). No index: the store matches a batch against
 * the ledger rows of its own started_at window (zone maps), as it does for ids (migration 003).
 */
export const name = 'ledger_response_id';
export const sql = `
ALTER TABLE ledger ADD COLUMN response_id VARCHAR;
`;
