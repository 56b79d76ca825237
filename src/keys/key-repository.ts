/** SQL for the keys domain: the only place its tables are read or written. */
import type { SqlClient, SqlRow } from '../store/sql.js';
import { numberOf, textOf } from '../store/sql.js';
import type { ApiToken, VirtualKey } from './key-records.js';

export interface StoredKey extends VirtualKey {
  secret_hash: string;
}
export interface StoredToken extends ApiToken {
  secret_hash: string;
}
export interface StoredCredential {
  provider: string;
  sealed: string;
  fingerprint: string;
  created_at: number;
  updated_at: number;
}

function json<T>(v: SqlRow[string] | undefined, fallback: T): T {
  const s = textOf(v);
  if (s === null) return fallback;
  try {
    return JSON.parse(s) as T;
  } catch {
    return fallback;
  }
}

export class KeyRepository {
  constructor(private readonly sql: SqlClient) {}

  /**
   * A summary that changes whenever a key, token or credential is created, revoked or replaced
   * (revocation only ever sets revoked_at, so its count grows): a cheap read other instances poll
   * so a revocation takes effect everywhere within about a second.
   */
  async changeFingerprint(): Promise<string> {
    const rows = await this.sql.query(
      'SELECT (SELECT count(*) FROM virtual_keys) AS k, (SELECT count(revoked_at) FROM virtual_keys) AS kr, (SELECT count(*) FROM api_tokens) AS t, (SELECT count(revoked_at) FROM api_tokens) AS tr, (SELECT count(*) FROM provider_credentials) AS c, (SELECT coalesce(max(updated_at), 0) FROM provider_credentials) AS cu',
    );
    const r = rows[0] ?? {};
    return ['k', 'kr', 't', 'tr', 'c', 'cu'].map((f) => String(numberOf(r[f]) ?? 0)).join(':');
  }

  async loadKeys(): Promise<StoredKey[]> {
    const rows = await this.sql.query('SELECT * FROM virtual_keys ORDER BY created_at, id');
    return rows.map((r) => ({
      id: String(r['id']),
      name: textOf(r['name']),
      hint: String(r['hint']),
      secret_hash: String(r['secret_hash']),
      defaults: json(r['defaults_json'], {}),
      tags: json(r['tags_json'], {}),
      models: json<string[] | null>(r['models_json'], null),
      allowed_endpoints: json<string[]>(r['endpoints_json'], []),
      created_at: numberOf(r['created_at']) ?? 0,
      expires_at: numberOf(r['expires_at']),
      revoked_at: numberOf(r['revoked_at']),
      last_used_at: numberOf(r['last_used_at']),
    }));
  }

  async insertKey(k: StoredKey): Promise<void> {
    await this.sql.execute(
      'INSERT INTO virtual_keys (id, name, secret_hash, hint, defaults_json, tags_json, models_json, created_at, expires_at, revoked_at, last_used_at, endpoints_json) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, NULL, $10)',
      [k.id, k.name, k.secret_hash, k.hint, JSON.stringify(k.defaults), JSON.stringify(k.tags), k.models ? JSON.stringify(k.models) : null, k.created_at, k.expires_at, k.allowed_endpoints.length > 0 ? JSON.stringify(k.allowed_endpoints) : null],
    );
  }

  async revokeKey(id: string, at: number): Promise<void> {
    await this.sql.execute('UPDATE virtual_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [at, id]);
  }

  async loadTokens(): Promise<StoredToken[]> {
    const rows = await this.sql.query('SELECT * FROM api_tokens ORDER BY created_at, id');
    return rows.map((r) => ({
      id: String(r['id']),
      name: String(r['name']),
      hint: String(r['hint']),
      secret_hash: String(r['secret_hash']),
      scope: json(r['scope_json'], {}),
      created_at: numberOf(r['created_at']) ?? 0,
      revoked_at: numberOf(r['revoked_at']),
      last_used_at: numberOf(r['last_used_at']),
    }));
  }

  async insertToken(t: StoredToken): Promise<void> {
    await this.sql.execute('INSERT INTO api_tokens (id, name, secret_hash, hint, scope_json, created_at, revoked_at, last_used_at) VALUES ($1, $2, $3, $4, $5, $6, NULL, NULL)', [
      t.id,
      t.name,
      t.secret_hash,
      t.hint,
      JSON.stringify(t.scope),
      t.created_at,
    ]);
  }

  async revokeToken(id: string, at: number): Promise<void> {
    await this.sql.execute('UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [at, id]);
  }

  /** Last-used instants gathered in memory, written in one transaction per flush. */
  async touch(table: 'virtual_keys' | 'api_tokens', used: ReadonlyMap<string, number>): Promise<void> {
    if (used.size === 0) return;
    await this.sql.transaction(async (tx) => {
      for (const [id, at] of used) await tx.execute(`UPDATE ${table} SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $1)`, [at, id]);
    });
  }

  async loadCredentials(): Promise<StoredCredential[]> {
    const rows = await this.sql.query('SELECT * FROM provider_credentials ORDER BY provider');
    return rows.map((r) => ({
      provider: String(r['provider']),
      sealed: String(r['sealed']),
      fingerprint: String(r['fingerprint']),
      created_at: numberOf(r['created_at']) ?? 0,
      updated_at: numberOf(r['updated_at']) ?? 0,
    }));
  }

  async putCredential(c: StoredCredential): Promise<void> {
    await this.sql.transaction(async (tx) => {
      const changed = await tx.execute('UPDATE provider_credentials SET sealed = $1, fingerprint = $2, updated_at = $3 WHERE provider = $4', [c.sealed, c.fingerprint, c.updated_at, c.provider]);
      if (changed === 0) {
        await tx.execute('INSERT INTO provider_credentials (provider, sealed, fingerprint, created_at, updated_at) VALUES ($1, $2, $3, $4, $5)', [c.provider, c.sealed, c.fingerprint, c.created_at, c.updated_at]);
      }
    });
  }

  async deleteCredential(provider: string): Promise<boolean> {
    return (await this.sql.execute('DELETE FROM provider_credentials WHERE provider = $1', [provider])) > 0;
  }
}
