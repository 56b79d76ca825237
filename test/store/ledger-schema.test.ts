/**
 * The migrations are history (never edited); the ledger definition (src/ledger/ledger-schema.ts)
 * is what the code reads and writes. After all migrations, each engine's ledger table must have
 * exactly the defined columns, in order, with each kind's column type and the defined nullability.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { FIELD_KINDS, LEDGER_COLUMNS } from '../../src/ledger/ledger-schema.js';
import { DuckDbStore } from '../../src/store/embedded/duckdb-store.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { dropSchemas, PG_URL, postgresAvailable } from '../helpers/postgres.js';

interface ColumnShape {
  name: string;
  type: string;
  nullable: boolean;
  collation?: string;
}

const defined = (engine: 'duckdb' | 'postgres'): ColumnShape[] =>
  LEDGER_COLUMNS.map((c) => ({ name: c.name, type: FIELD_KINDS[c.kind][engine], nullable: c.nullable, ...(engine === 'postgres' && c.pgCollation ? { collation: c.pgCollation } : {}) }));

test('DuckDB: the migrated ledger table has exactly the defined columns', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'costrail-schema-'));
  const store = await DuckDbStore.open(dir);
  try {
    const rows = await store.sql.query("SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_name = 'ledger' ORDER BY ordinal_position");
    const actual = rows.map((r) => ({ name: String(r.column_name), type: String(r.data_type), nullable: r.is_nullable === 'YES' }));
    assert.deepEqual(actual, defined('duckdb'));
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

const pgUp = await postgresAvailable('the ledger schema test');
const schema = `costrail_schema_t${process.pid}_${randomBytes(3).toString('hex')}`;
after(async () => {
  if (pgUp) await dropSchemas([schema]);
});

test('PostgreSQL: the migrated ledger table has exactly the defined columns', { skip: !pgUp && 'PostgreSQL not reachable' }, async () => {
  const store = await PostgresStore.open(PG_URL, { schema, maxConnections: 1 });
  try {
    const rows = await store.sql.query(
      `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, NOT a.attnotnull AS nullable, CASE WHEN a.attcollation <> 0 AND co.collname <> 'default' THEN co.collname END AS collation
       FROM pg_attribute a LEFT JOIN pg_collation co ON co.oid = a.attcollation
       WHERE a.attrelid = 'ledger'::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    );
    const actual = rows.map((r) => ({ name: String(r.name), type: String(r.type), nullable: r.nullable === true, ...(r.collation ? { collation: String(r.collation) } : {}) }));
    assert.deepEqual(actual, defined('postgres'));
  } finally {
    await store.close();
  }
});
