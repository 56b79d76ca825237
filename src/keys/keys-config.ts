/**
 * The `keys:` section of the serve config:
 *
 *   keys:
 *     pass_through: true          # provider keys keep passing through alongside virtual keys
 *     provider_credentials:
 *       openai: { env: OPENAI_API_KEY }     # read from the environment at start (preferred)
 *       anthropic: { secret: sk-ant-… }     # or written in the file itself
 *     allowed_endpoints:          # beyond the metered endpoints, for every held credential
 *       - "GET /openai/v1/files*"
 *
 * Without `pass_through`, provider keys pass through only until the first virtual key exists.
 * COSTRAIL_PASS_THROUGH=true|false|auto overrides the file.
 */
import { z } from 'zod';
import { isProviderId } from '../providers/registry.js';
import { compileAllowance } from '../gateway/endpoint-allowance.js';
import type { PassThroughMode } from './virtual-keys.js';
import { environment, type Environment } from '../config/environment.js';

/** `[METHOD ]/path*` (see src/gateway/endpoint-allowance.ts). */
export const endpointPattern = z
  .string()
  .trim()
  .max(300)
  .refine((p) => compileAllowance(p) !== null, 'an endpoint pattern looks like "GET /openai/v1/files*" or "/anthropic/v1/messages/batches*"');

export const KeysConfigSchema = z
  .object({
    pass_through: z.union([z.boolean(), z.literal('auto')]).optional(),
    provider_credentials: z.record(z.string(), z.union([z.object({ secret: z.string().min(1) }).strict(), z.object({ env: z.string().min(1) }).strict()])).default({}),
    allowed_endpoints: z.array(endpointPattern).default([]),
  })
  .strict();

export interface KeysConfig {
  passThrough: PassThroughMode;
  /** provider → secret, held in memory only. */
  providerCredentials: Record<string, string>;
  /** Endpoints beyond the metered ones any held credential may reach (`[METHOD ]/path*`). */
  allowedEndpoints: string[];
}

/** Reads `config.keys` (already parsed YAML/JSON); throws one actionable line on a problem. */
export function keysConfigFrom(config: Record<string, unknown> | undefined, env: Environment = environment()): KeysConfig {
  const parsed = KeysConfigSchema.safeParse(config?.['keys'] ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`keys${issue?.path.length ? `.${issue.path.join('.')}` : ''}: ${issue?.message ?? 'invalid'}`);
  }
  const creds: Record<string, string> = {};
  for (const [provider, c] of Object.entries(parsed.data.provider_credentials)) {
    if (!isProviderId(provider) && !/^[a-z][a-z0-9_-]{0,63}$/.test(provider)) throw new Error(`keys.provider_credentials: "${provider}" is not a provider name`);
    const secret = 'env' in c ? env[c.env] : c.secret;
    if (!secret) throw new Error(`keys.provider_credentials.${provider}: environment variable ${'env' in c ? c.env : ''} is not set`);
    creds[provider] = secret;
  }
  let passThrough: PassThroughMode = parsed.data.pass_through ?? 'auto';
  const fromEnv = env['COSTRAIL_PASS_THROUGH']?.trim().toLowerCase();
  if (fromEnv === 'true' || fromEnv === '1') passThrough = true;
  else if (fromEnv === 'false' || fromEnv === '0') passThrough = false;
  else if (fromEnv === 'auto') passThrough = 'auto';
  return { passThrough, providerCredentials: creds, allowedEndpoints: parsed.data.allowed_endpoints };
}
