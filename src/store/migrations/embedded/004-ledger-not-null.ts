/**
 * 004: the NOT NULL constraints migration 003 lost. `CREATE TABLE … AS SELECT` keeps column
 * types but not constraints, so since 003 the columns every record has (id, source, started_at,
 * provider, status, stream, priced, tags) accepted NULL. Found by comparing the migrated table
 * with the ledger definition (test/store/ledger-schema.test.ts). Every writer always filled them,
 * so existing rows satisfy the constraints.
 */
const NOT_NULL = ['id', 'source', 'started_at', 'provider', 'status', 'stream', 'priced', 'tags'];

export const name = 'ledger_not_null';
export const sql = NOT_NULL.map((c) => `ALTER TABLE ledger ALTER COLUMN ${c} SET NOT NULL;`).join('\n');
