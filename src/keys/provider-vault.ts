/**
 * Provider credentials Costrail holds for virtual-key calls. Sealed with the master key in the
 * store; decrypted once into memory at start (the hot path reads a map, never the store).
 * Credentials from the config file are held in memory only and win over stored ones.
 */
import type { ProviderCredentialInfo } from './key-records.js';
import type { KeyRepository } from './key-repository.js';
import { hashSecret } from './key-secrets.js';
import type { SecretBox } from './master-key.js';
import { upstreamAuthHeaders } from './provider-auth.js';

interface Held {
  /** Null when the stored value cannot be decrypted. */
  secret: string | null;
  info: ProviderCredentialInfo;
  /** Auth headers per header convention (a credential may be presented in two: Anthropic's own API and its OpenAI-compatible endpoint). */
  headers: Map<string, Readonly<Record<string, string>>>;
}

export class ProviderVault {
  private held = new Map<string, Held>();
  private generation = 0;

  constructor(
    private readonly repo: KeyRepository,
    private readonly box: SecretBox,
    private readonly fromConfig: Readonly<Record<string, string>> = {},
  ) {}

  /** Decrypts every stored credential; one that cannot be opened is listed with its problem. */
  async load(): Promise<string[]> {
    const problems: string[] = [];
    const next = new Map<string, Held>();
    const generation = this.generation;
    const stored = await this.repo.loadCredentials();
    if (generation !== this.generation) return problems; // a local change raced this read
    for (const c of stored) {
      try {
        const secret = this.box.open(c.sealed, aad(c.provider));
        next.set(c.provider, { secret, headers: new Map(), info: { provider: c.provider, fingerprint: c.fingerprint, source: 'store', created_at: c.created_at, updated_at: c.updated_at } });
      } catch (e) {
        const problem = `cannot decrypt the stored ${c.provider} credential: ${(e as Error).message}`;
        problems.push(problem);
        next.set(c.provider, { secret: null, headers: new Map(), info: { provider: c.provider, fingerprint: c.fingerprint, source: 'store', created_at: c.created_at, updated_at: c.updated_at, problem } });
      }
    }
    for (const [provider, secret] of Object.entries(this.fromConfig)) {
      next.set(provider, { secret, headers: new Map(), info: { provider, fingerprint: fingerprint(secret), source: 'config', created_at: null, updated_at: null } });
    }
    this.held = next;
    return problems;
  }

  /**
   * Upstream auth headers presenting the credential held for `name` (the provider as recorded: a
   * named provider, or `anthropic` on its OpenAI-compatible endpoint) in `style`'s convention
   * (the API the call speaks); undefined when none is held or it cannot be decrypted.
   */
  headersFor(name: string, style: string = name): Readonly<Record<string, string>> | undefined {
    const held = this.held.get(name);
    if (!held?.secret) return undefined;
    let headers = held.headers.get(style);
    if (!headers) {
      headers = Object.freeze(upstreamAuthHeaders(style, held.secret));
      held.headers.set(style, headers);
    }
    return headers;
  }

  isConfigured(provider: string): boolean {
    return provider in this.fromConfig;
  }

  list(): ProviderCredentialInfo[] {
    return [...this.held.values()].map((h) => h.info).sort((a, b) => a.provider.localeCompare(b.provider));
  }

  async set(provider: string, secret: string, now = Date.now()): Promise<ProviderCredentialInfo> {
    const existing = this.held.get(provider)?.info;
    const info: ProviderCredentialInfo = { provider, fingerprint: fingerprint(secret), source: 'store', created_at: existing?.source === 'store' ? existing.created_at : now, updated_at: now };
    await this.repo.putCredential({ provider, sealed: this.box.seal(secret, aad(provider)), fingerprint: info.fingerprint, created_at: info.created_at ?? now, updated_at: now });
    this.generation++;
    this.held.set(provider, { secret, headers: new Map(), info });
    return info;
  }

  async delete(provider: string): Promise<boolean> {
    const removed = await this.repo.deleteCredential(provider);
    this.generation++;
    if (removed) this.held.delete(provider);
    return removed;
  }
}

function aad(provider: string): string {
  return `costrail/provider-credential/${provider}`;
}

function fingerprint(secret: string): string {
  return hashSecret(secret).slice(0, 16);
}
