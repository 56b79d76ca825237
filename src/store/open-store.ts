/**
 * Which store a process uses: PostgreSQL when COSTRAIL_DATABASE_URL is a postgres:// URL, else
 * the embedded DuckDB file under the data folder. COSTRAIL_DATABASE_SCHEMA optionally puts every
 * table in a schema of its own (created if missing).
 */
import { DuckDbStore } from './embedded/duckdb-store.js';
import { PostgresStore } from './postgres/postgres-store.js';
import type { Store } from './store.js';
import { environment, type Environment } from '../config/environment.js';

export async function openStore(dataDir: string, env: Environment = environment()): Promise<Store> {
  const url = env['COSTRAIL_DATABASE_URL']?.trim();
  if (!url) return DuckDbStore.open(dataDir);
  if (!/^postgres(ql)?:\/\//i.test(url)) throw new Error('COSTRAIL_DATABASE_URL must be a postgres:// or postgresql:// URL');
  const schema = env['COSTRAIL_DATABASE_SCHEMA']?.trim();
  return PostgresStore.open(url, schema ? { schema } : {});
}
