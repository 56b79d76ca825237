/** The keys domain's records as the API shows them (secrets never; only their hints). */
import type { Attribution } from '../ledger/ledger-record.js';
import type { Scope } from '../attribution/scope.js';

/** Attribution a virtual key supplies when the request does not (request headers win). */
export type KeyAttributionDefaults = Partial<Attribution>;

export interface VirtualKey {
  id: string;
  name: string | null;
  /** `cr_` and the secret's first four characters, to tell keys apart (the API calls it `prefix`). */
  hint: string;
  defaults: KeyAttributionDefaults;
  tags: Record<string, string>;
  /** Model name patterns (`*` wildcard) this key may call; null means any. */
  models: string[] | null;
  /** Endpoints beyond the metered ones this key may reach (`[METHOD ]/path*`); empty: metered only. */
  allowed_endpoints: string[];
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  last_used_at: number | null;
}

export interface ApiToken {
  id: string;
  name: string;
  hint: string;
  /** Attribution fields every read through this token is restricted to. */
  scope: Scope;
  created_at: number;
  revoked_at: number | null;
  last_used_at: number | null;
}

export interface ProviderCredentialInfo {
  provider: string;
  /** The first 16 hex digits of the secret's SHA-256: tells credentials apart, and matches the `pt_` key_id the same key gets in pass-through mode. */
  fingerprint: string;
  source: 'store' | 'config';
  created_at: number | null;
  updated_at: number | null;
  /** Set when the stored credential cannot be decrypted (wrong master key). */
  problem?: string;
}

export function keyStatus(k: Pick<VirtualKey, 'revoked_at' | 'expires_at'>, now = Date.now()): 'active' | 'revoked' | 'expired' {
  if (k.revoked_at !== null) return 'revoked';
  if (k.expires_at !== null && now >= k.expires_at) return 'expired';
  return 'active';
}

export function keyJson(k: VirtualKey): Record<string, unknown> {
  const iso = (v: number | null) => (v === null ? null : new Date(v).toISOString());
  return {
    id: k.id,
    name: k.name,
    prefix: k.hint,
    status: keyStatus(k),
    ...k.defaults,
    defaults: k.defaults,
    tags: k.tags,
    models: k.models,
    allowed_endpoints: k.allowed_endpoints,
    created_at: iso(k.created_at),
    expires_at: iso(k.expires_at),
    revoked_at: iso(k.revoked_at),
    last_used_at: iso(k.last_used_at),
  };
}

export function tokenJson(t: ApiToken): Record<string, unknown> {
  const iso = (v: number | null) => (v === null ? null : new Date(v).toISOString());
  return { id: t.id, name: t.name, prefix: t.hint, scope: t.scope, status: t.revoked_at === null ? 'active' : 'revoked', created_at: iso(t.created_at), revoked_at: iso(t.revoked_at), last_used_at: iso(t.last_used_at) };
}
