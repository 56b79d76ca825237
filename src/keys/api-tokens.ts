/**
 * Scoped API tokens (`crt_…`) for the dashboard and scripts: a TokenSource for the management
 * API's authenticator. Stored hashed; authenticate() answers from memory.
 */
import type { Principal, TokenSource } from '../http/principal.js';
import type { ApiToken } from './key-records.js';
import type { KeyRepository, StoredToken } from './key-repository.js';
import { API_TOKEN_PREFIX, hashSecret, newId, newSecret, secretHint } from './key-secrets.js';
import type { Scope } from '../attribution/scope.js';

export class ApiTokens implements TokenSource {
  private byHash = new Map<string, StoredToken>();
  private byId = new Map<string, StoredToken>();
  private used = new Map<string, number>();
  private generation = 0;

  constructor(private readonly repo: KeyRepository) {}

  authenticate(token: string): Principal | undefined {
    if (!token.startsWith(API_TOKEN_PREFIX)) return undefined;
    const t = this.byHash.get(hashSecret(token));
    if (!t || t.revoked_at !== null) return undefined;
    this.used.set(t.id, Date.now());
    return { kind: 'scoped', token_id: t.id, scope: { ...t.scope } };
  }

  async load(): Promise<void> {
    const generation = this.generation;
    const tokens = await this.repo.loadTokens();
    if (generation !== this.generation) return;
    this.byHash = new Map(tokens.map((t) => [t.secret_hash, t]));
    this.byId = new Map(tokens.map((t) => [t.id, t]));
  }

  list(): ApiToken[] {
    return [...this.byId.values()].map((t) => this.view(t));
  }

  async create(name: string, scope: Scope, now = Date.now()): Promise<{ token: ApiToken; secret: string }> {
    const secret = newSecret(API_TOKEN_PREFIX);
    const t: StoredToken = { id: newId('tok_'), name, hint: secretHint(secret, API_TOKEN_PREFIX), secret_hash: hashSecret(secret), scope, created_at: now, revoked_at: null, last_used_at: null };
    await this.repo.insertToken(t);
    this.generation++;
    this.byHash.set(t.secret_hash, t);
    this.byId.set(t.id, t);
    return { token: this.view(t), secret };
  }

  async revoke(id: string, now = Date.now()): Promise<ApiToken | undefined> {
    const t = this.byId.get(id);
    if (!t) return undefined;
    if (t.revoked_at === null) {
      await this.repo.revokeToken(id, now);
      this.generation++;
      t.revoked_at = now;
    }
    return this.view(t);
  }

  async flushLastUsed(): Promise<void> {
    if (this.used.size === 0) return;
    const batch = this.used;
    this.used = new Map();
    for (const [id, at] of batch) {
      const t = this.byId.get(id);
      if (t) t.last_used_at = Math.max(t.last_used_at ?? 0, at);
    }
    try {
      await this.repo.touch('api_tokens', batch);
    } catch (e) {
      for (const [id, at] of batch) if (!this.used.has(id)) this.used.set(id, at);
      throw e;
    }
  }

  private view(t: StoredToken): ApiToken {
    const { secret_hash: _hash, ...rest } = t;
    const pending = this.used.get(t.id);
    return { ...rest, scope: { ...t.scope }, last_used_at: pending !== undefined ? Math.max(pending, t.last_used_at ?? 0) : t.last_used_at };
  }
}
