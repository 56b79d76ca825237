/**
 * The gateway's KeyAuthority. A request carrying a virtual key (`cr_…`, in whichever header its
 * SDK uses) is identified from an in-memory map (secret digest → key), its key headers are
 * stripped, and the held provider credential is supplied instead. Without a virtual key the
 * client's own provider key is passed through (only its hash is kept) while pass-through is
 * open: until the first virtual key is created, or always when the config says so.
 */
import type { IncomingMessage } from 'node:http';
import type { CallIdentity, KeyAuthority } from '../gateway/call-policy.js';
import { gatewayError, type GatewayError } from '../errors/error-catalogue.js';
import { passThroughKeyId } from '../gateway/gateway.js';
import { ledgerProvider, type Route } from '../gateway/route.js';
import { keyStatus, type KeyAttributionDefaults, type VirtualKey } from './key-records.js';
import type { KeyRepository, StoredKey } from './key-repository.js';
import { hashSecret, newId, newSecret, secretHint, VIRTUAL_KEY_PREFIX } from './key-secrets.js';
import { credentialHeaders, presentedKey, withoutKeyParam } from './provider-auth.js';
import type { ProviderVault } from './provider-vault.js';

export interface NewVirtualKey {
  name?: string | null;
  defaults?: KeyAttributionDefaults;
  tags?: Record<string, string>;
  models?: string[] | null;
  allowed_endpoints?: string[];
  expires_at?: number | null;
}

interface Entry {
  key: StoredKey;
  /** Prebuilt once per key: the part of the identity that does not depend on the route. */
  identity: Omit<CallIdentity, 'upstreamAuth'>;
}

/** `true`: provider keys pass through alongside virtual keys; `'auto'`: only while no virtual key exists. */
export type PassThroughMode = 'auto' | boolean;

/**
 * What a provider key (no `cr_` key) gets at the gateway right now: `pass-through` (forwarded,
 * no virtual key exists yet), `virtual-keys` (refused with 401), `both` (forwarded alongside
 * virtual keys, `keys.pass_through: true`).
 */
export type KeyMode = 'pass-through' | 'virtual-keys' | 'both';

/** Why the first virtual key needs a yes: said the same way by the API, the CLI and the dashboard. */
export const END_PASS_THROUGH_WARNING =
  'creating the first virtual key ends pass-through: from then on every call with a provider key (sk-…) gets 401 invalid_api_key, and only cr_ keys are accepted. To keep provider keys working alongside virtual keys, set keys.pass_through: true in the config (or COSTRAIL_PASS_THROUGH=true) and restart';

const invalid = (message: string): GatewayError => gatewayError('invalid_api_key', message);

export class VirtualKeys implements KeyAuthority {
  private byHash = new Map<string, Entry>();
  private byId = new Map<string, Entry>();
  /** Last use per key id since the last flush (the store is written in batches, off the hot path). */
  private used = new Map<string, number>();
  /** Bumped by every change made here, so a reload started before it does not undo it. */
  private generation = 0;

  constructor(
    private readonly repo: KeyRepository,
    private readonly vault: ProviderVault,
    private readonly passThrough: PassThroughMode = 'auto',
  ) {}

  keyMode(): KeyMode {
    if (this.passThrough === true) return 'both';
    return this.passThrough === 'auto' && this.byId.size === 0 ? 'pass-through' : 'virtual-keys';
  }

  /** True while creating a key would switch provider-key calls from forwarded to refused. */
  createEndsPassThrough(): boolean {
    return this.keyMode() === 'pass-through';
  }

  identify(req: IncomingMessage, route: Route): CallIdentity | GatewayError {
    const presented = presentedKey(req, VIRTUAL_KEY_PREFIX);
    if (!presented) {
      if (this.passThrough === true || (this.passThrough === 'auto' && this.byId.size === 0)) return { key_id: passThroughKeyId(req) };
      return invalid('this gateway takes Costrail virtual keys (cr_…): provider keys are not passed through');
    }
    const entry = this.byHash.get(hashSecret(presented.value));
    if (!entry) return invalid('unknown Costrail virtual key');
    const now = Date.now();
    const status = keyStatus(entry.key, now);
    if (status !== 'active') return { ...invalid(`Costrail virtual key ${entry.key.id} is ${status}`), scope: { key_id: entry.key.id } };
    const provider = ledgerProvider(route);
    const upstreamAuth = this.vault.headersFor(provider, route.provider);
    // A route with a signer (Bedrock SigV4, a named provider's configured key) supplies its own credentials.
    if (!upstreamAuth && !route.sign) {
      return gatewayError('provider_credential_missing', `Costrail holds no ${provider} credential for virtual keys: set one with \`costrail keys provider-credential set --provider ${provider}\``);
    }
    this.used.set(entry.key.id, now);
    // A virtual key in `?key=` must not travel upstream in the URL: the identity names the path to send instead.
    const identity = presented.where === 'query' ? { ...entry.identity, upstreamPath: withoutKeyParam(route.upstreamPath, presented.param) } : entry.identity;
    return upstreamAuth ? { ...identity, upstreamAuth } : identity;
  }

  /** The key a refused, unrouted call was made with: a known virtual key's id, else the pass-through hash. */
  keyIdOf(req: IncomingMessage): string | null {
    const presented = presentedKey(req, VIRTUAL_KEY_PREFIX);
    if (!presented) return passThroughKeyId(req);
    return this.byHash.get(hashSecret(presented.value))?.key.id ?? null;
  }

  /** Replaces the in-memory keys with the store's (start, and periodically for other instances' changes). */
  async load(): Promise<void> {
    const generation = this.generation;
    const keys = await this.repo.loadKeys();
    if (generation !== this.generation) return; // a local change raced this read; the next reload catches up
    this.byHash = new Map();
    this.byId = new Map();
    for (const k of keys) this.index(k);
  }

  list(): VirtualKey[] {
    return [...this.byId.values()].map((e) => this.view(e.key));
  }

  get(id: string): VirtualKey | undefined {
    const e = this.byId.get(id);
    return e ? this.view(e.key) : undefined;
  }

  /** Creates a key; the secret is returned here once and never stored. */
  async create(spec: NewVirtualKey, now = Date.now()): Promise<{ key: VirtualKey; secret: string }> {
    const secret = newSecret(VIRTUAL_KEY_PREFIX);
    const key: StoredKey = {
      id: newId('vk_'),
      name: spec.name ?? null,
      hint: secretHint(secret, VIRTUAL_KEY_PREFIX),
      secret_hash: hashSecret(secret),
      defaults: spec.defaults ?? {},
      tags: spec.tags ?? {},
      models: spec.models && spec.models.length > 0 ? spec.models : null,
      allowed_endpoints: spec.allowed_endpoints ?? [],
      created_at: now,
      expires_at: spec.expires_at ?? null,
      revoked_at: null,
      last_used_at: null,
    };
    await this.repo.insertKey(key);
    this.generation++;
    this.index(key);
    return { key: this.view(key), secret };
  }

  async revoke(id: string, now = Date.now()): Promise<VirtualKey | undefined> {
    const e = this.byId.get(id);
    if (!e) return undefined;
    if (e.key.revoked_at === null) {
      await this.repo.revokeKey(id, now);
      this.generation++;
      e.key.revoked_at = now;
    }
    return this.view(e.key);
  }

  async flushLastUsed(): Promise<void> {
    if (this.used.size === 0) return;
    const batch = this.used;
    this.used = new Map();
    for (const [id, at] of batch) {
      const e = this.byId.get(id);
      if (e) e.key.last_used_at = Math.max(e.key.last_used_at ?? 0, at);
    }
    try {
      await this.repo.touch('virtual_keys', batch);
    } catch (e) {
      for (const [id, at] of batch) if (!this.used.has(id)) this.used.set(id, at); // retried on the next flush
      throw e;
    }
  }

  private index(key: StoredKey): void {
    const entry: Entry = {
      key,
      identity: {
        key_id: key.id,
        defaults: { attribution: key.defaults, tags: key.tags },
        stripHeaders: credentialHeaders(),
        ...(key.models ? { allowedModels: key.models } : {}),
        ...(key.allowed_endpoints.length > 0 ? { allowedEndpoints: key.allowed_endpoints } : {}),
      },
    };
    this.byHash.set(key.secret_hash, entry);
    this.byId.set(key.id, entry);
  }

  private view(k: StoredKey): VirtualKey {
    const { secret_hash: _hash, ...rest } = k;
    const pending = this.used.get(k.id);
    return { ...rest, last_used_at: pending !== undefined ? Math.max(pending, k.last_used_at ?? 0) : k.last_used_at };
  }
}
