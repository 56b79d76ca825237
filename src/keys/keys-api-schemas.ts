/** Response schemas of /api/keys and /api/tokens, for the OpenAPI document and docs/http-api.md. Never a secret except in the create responses. */
import { z } from 'zod';
import { PRIORITIES } from '../ledger/ledger-schema.js';

const instant = z.string().nullable().describe('ISO 8601 UTC instant');
const attr = z.string().optional();
const defaults = {
  team: attr,
  project: attr,
  feature: attr,
  customer: attr,
  user: attr,
  env: attr,
  agent: attr,
  prompt_version: attr,
  priority: z.enum(PRIORITIES).optional(),
};

export const VirtualKeySchema = z.object({
  id: z.string(),
  name: z.string().nullable(),
  prefix: z.string().describe('the first characters of the secret, to recognise it'),
  status: z.enum(['active', 'expired', 'revoked']),
  ...defaults,
  defaults: z.object(defaults).describe('attribution defaults applied to calls with this key (headers win)'),
  tags: z.record(z.string(), z.string()),
  models: z.array(z.string()).nullable().describe('model allow-list; null allows every model'),
  allowed_endpoints: z.array(z.string()).describe('endpoints beyond the metered ones this key may reach with the held credential'),
  created_at: instant,
  expires_at: instant,
  revoked_at: instant,
  last_used_at: instant,
});

export const KeyResponseSchema = z.object({ key: VirtualKeySchema });
const KeyMode = z.enum(['pass-through', 'virtual-keys', 'both']).describe('which keys the gateway accepts: provider keys passed through, virtual keys (cr_…), or both');
export const KeyListSchema = z.object({ key_mode: KeyMode, keys: z.array(VirtualKeySchema) });
export const CreatedKeySchema = z.object({ key: VirtualKeySchema, secret: z.string().describe('cr_… — shown in this response only'), key_mode: KeyMode });

export const ApiTokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  scope: z.record(z.string(), z.string()).describe('reads through this token see only this scope; {} is everything'),
  status: z.enum(['active', 'revoked']),
  created_at: instant,
  revoked_at: instant,
  last_used_at: instant,
});

export const TokenResponseSchema = z.object({ token: ApiTokenSchema });
export const TokenListSchema = z.object({ tokens: z.array(ApiTokenSchema) });
export const CreatedTokenSchema = z.object({ token: ApiTokenSchema, secret: z.string().describe('crt_… — shown in this response only') });
