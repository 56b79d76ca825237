/**
 * The real PostgreSQL server the scale-out tests use (127.0.0.1:5432, database `test`, trust auth).
 * Every test file puts its tables in a schema of its own and drops it afterwards. With CI=true an
 * unreachable server fails the run instead of skipping it.
 */
import pg from 'pg';

export const PG_URL = process.env.COSTRAIL_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Whether the server answers; throws under CI=true when it does not (`what` names the tests that need it). */
export async function postgresAvailable(what: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  let ok = false;
  try {
    await c.connect();
    await c.query('SELECT 1');
    ok = true;
  } catch {
    ok = false;
  } finally {
    await c.end().catch(() => undefined);
  }
  if (!ok && process.env.CI === 'true') throw new Error(`PostgreSQL is not reachable at ${PG_URL} (CI=true: ${what} must run)`);
  return ok;
}

export async function dropSchemas(schemas: readonly string[]): Promise<void> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  } finally {
    await c.end();
  }
}
