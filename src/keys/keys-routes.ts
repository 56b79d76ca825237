/**
 * /api/keys (virtual keys), /api/provider-credentials (held provider keys, never returned) and
 * /api/tokens (scoped API tokens). All admin-only: keys grant spend. Secrets are returned once,
 * by the call that creates them, with `cache-control: no-store`.
 */
import { z } from 'zod';
import { ATTRIBUTION_FIELDS } from '../ledger/ledger-record.js';
import { isProviderId } from '../providers/registry.js';
import { ApiError } from '../http/api-error.js';
import type { ApiRouter } from '../http/api-router.js';
import type { KeyService } from './key-service.js';
import { parseExpiry } from './expiry.js';
import { endpointPattern } from './keys-config.js';
import { END_PASS_THROUGH_WARNING } from './virtual-keys.js';
import { keyJson, tokenJson, type KeyAttributionDefaults, type ProviderCredentialInfo } from './key-records.js';
import { CreatedKeySchema, CreatedTokenSchema, KeyListSchema, KeyResponseSchema, TokenListSchema, TokenResponseSchema } from './keys-api-schemas.js';

/** What these routes need from the process (the server's RuntimeContext satisfies it). */
export interface KeysRoutesDeps {
  keys: KeyService;
}

const value = z.string().trim().min(1).max(256);
const tags = z.record(z.string().trim().min(1).max(64), z.string().max(256)).refine((t) => Object.keys(t).length <= 50, 'at most 50 tags');
const attributionDefaults = {
  team: value.optional(),
  project: value.optional(),
  feature: value.optional(),
  customer: value.optional(),
  user: value.optional(),
  env: value.optional(),
  agent: value.optional(),
  prompt_version: value.optional(),
  priority: z.enum(['critical', 'normal', 'background']).optional(),
};

export const CreateKeyBody = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    ...attributionDefaults,
    /** The same fields grouped (what GET returns as `defaults`); top-level fields win. */
    defaults: z.object(attributionDefaults).strict().optional(),
    tags: tags.optional(),
    models: z.array(z.string().trim().min(1).max(200)).max(200).optional(),
    allowed_endpoints: z.array(endpointPattern).max(100).optional().describe('endpoints beyond the metered ones this key may reach with the held credential'),
    expires: z.string().optional().describe('a duration from now (30d, 12h, 90m, 8w) or an ISO date'),
    end_pass_through: z.boolean().optional().describe('required (true) to create the first virtual key while provider keys pass through: it makes provider-key calls 401'),
  })
  .strict();

const SCOPE_FIELDS = [...ATTRIBUTION_FIELDS, 'provider', 'model', 'key_id'] as const;
export const CreateTokenBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    scope: z.partialRecord(z.enum(SCOPE_FIELDS), value).default({}),
  })
  .strict();

export const SetCredentialBody = z.object({ provider: z.string().trim().min(1), secret: z.string().trim().min(1).max(8192) }).strict();

const NO_STORE = { 'cache-control': 'no-store' };
const PROVIDER_NAME = /^[a-z][a-z0-9_-]{0,63}$/;

export function registerKeysRoutes(api: ApiRouter, ctx: KeysRoutesDeps): void {
  const { keys, credentials, tokens } = ctx.keys;

  api.add({
    method: 'GET',
    path: '/api/keys',
    summary: 'Virtual keys with their attribution defaults, model allow-list, expiry, revocation and last use (never the secret)',
    tag: 'Keys',
    response: KeyListSchema,
    handler: () => ({ body: { key_mode: keys.keyMode(), keys: keys.list().map(keyJson) } }),
  });

  api.add({
    method: 'POST',
    path: '/api/keys',
    summary: 'Create a virtual key (cr_…); the secret is in this response only',
    tag: 'Keys',
    body: CreateKeyBody,
    response: CreatedKeySchema,
    successStatus: 201,
    handler: async (req) => {
      const b = req.body;
      // The first key silently ending pass-through locked every existing client out: it takes a yes.
      if (keys.createEndsPassThrough() && b.end_pass_through !== true) throw ApiError.conflict(`${END_PASS_THROUGH_WARNING}. Send "end_pass_through": true to create it anyway`);
      let expiresAt: number | null = null;
      if (b.expires !== undefined) {
        const parsed = parseExpiry(b.expires);
        if (typeof parsed === 'string') throw ApiError.badRequest(`expires: ${parsed}`);
        expiresAt = parsed;
      }
      const defaults: KeyAttributionDefaults = {};
      for (const f of ATTRIBUTION_FIELDS) {
        const v = b[f] ?? b.defaults?.[f];
        if (v !== undefined) (defaults as Record<string, string>)[f] = v;
      }
      const created = await keys.create({ name: b.name ?? null, defaults, tags: b.tags ?? {}, models: b.models ?? null, allowed_endpoints: b.allowed_endpoints ?? [], expires_at: expiresAt });
      return { status: 201, headers: NO_STORE, body: { key: keyJson(created.key), secret: created.secret, key_mode: keys.keyMode() } };
    },
  });

  api.add({
    method: 'GET',
    path: '/api/keys/{id}',
    summary: 'One virtual key',
    tag: 'Keys',
    response: KeyResponseSchema,
    handler: (req) => {
      const k = keys.get(req.params['id'] ?? '');
      if (!k) throw ApiError.notFound(`no virtual key ${req.params['id']}`);
      return { body: { key: keyJson(k) } };
    },
  });

  api.add({
    method: 'DELETE',
    path: '/api/keys/{id}',
    summary: 'Revoke a virtual key (calls with it are refused from now on; its records stay)',
    tag: 'Keys',
    response: KeyResponseSchema,
    handler: async (req) => {
      const k = await keys.revoke(req.params['id'] ?? '');
      if (!k) throw ApiError.notFound(`no virtual key ${req.params['id']}`);
      return { body: { key: keyJson(k) } };
    },
  });

  api.add({
    method: 'GET',
    path: '/api/provider-credentials',
    summary: 'Provider credentials held for virtual keys: provider, fingerprint, source, dates (never the secret)',
    tag: 'Keys',
    handler: () => ({ body: { credentials: credentials.list().map(credentialJson) } }),
  });

  api.add({
    method: 'PUT',
    path: '/api/provider-credentials',
    summary: 'Set the credential Costrail presents to a provider for virtual-key calls (encrypted at rest)',
    tag: 'Keys',
    body: SetCredentialBody,
    handler: async (req) => {
      const { provider, secret } = req.body;
      // Built-in ids, or a provider named in the config (`/<name>/v1/...`).
      if (!isProviderId(provider) && !PROVIDER_NAME.test(provider)) throw ApiError.badRequest(`provider: "${provider}" is neither a built-in provider nor a valid provider name (lowercase letters, digits, - and _)`);
      if (credentials.isConfigured(provider)) throw ApiError.conflict(`the ${provider} credential comes from the config file (keys.provider_credentials); change it there`);
      return { body: { credential: credentialJson(await credentials.set(provider, secret)) } };
    },
  });

  api.add({
    method: 'DELETE',
    path: '/api/provider-credentials/{provider}',
    summary: 'Forget a stored provider credential',
    tag: 'Keys',
    handler: async (req) => {
      const provider = req.params['provider'] ?? '';
      if (!(await credentials.delete(provider))) throw ApiError.notFound(`no stored credential for ${provider}`);
      return { status: 204 };
    },
  });

  api.add({
    method: 'GET',
    path: '/api/tokens',
    summary: 'Scoped API tokens (never the secret)',
    tag: 'Access',
    response: TokenListSchema,
    handler: () => ({ body: { tokens: tokens.list().map(tokenJson) } }),
  });

  api.add({
    method: 'POST',
    path: '/api/tokens',
    summary: 'Create a scoped API token (crt_…) for the dashboard or scripts; reads through it see only its scope. The secret is in this response only',
    tag: 'Access',
    body: CreateTokenBody,
    response: CreatedTokenSchema,
    successStatus: 201,
    handler: async (req) => {
      const scope = Object.fromEntries(Object.entries(req.body.scope).filter((e): e is [string, string] => typeof e[1] === 'string'));
      const created = await tokens.create(req.body.name, scope);
      return { status: 201, headers: NO_STORE, body: { token: tokenJson(created.token), secret: created.secret } };
    },
  });

  api.add({
    method: 'DELETE',
    path: '/api/tokens/{id}',
    summary: 'Revoke a scoped API token',
    tag: 'Access',
    response: TokenResponseSchema,
    handler: async (req) => {
      const t = await tokens.revoke(req.params['id'] ?? '');
      if (!t) throw ApiError.notFound(`no API token ${req.params['id']}`);
      return { body: { token: tokenJson(t) } };
    },
  });
}

function credentialJson(c: ProviderCredentialInfo): Record<string, unknown> {
  const iso = (v: number | null) => (v === null ? null : new Date(v).toISOString());
  return { provider: c.provider, fingerprint: c.fingerprint, source: c.source, created_at: iso(c.created_at), updated_at: iso(c.updated_at), ...(c.problem ? { problem: c.problem } : {}) };
}
