/**
 * The `--config` file (YAML or JSON): upstream base URLs per provider, Bedrock's region and
 * credentials, OpenAI-compatible providers named by the operator, and model routes. Validated
 * once at start; a bad file stops `serve` with one line. (Deployment-name mappings live in the
 * price book's overrides.) Turned into a router by routing-config.ts; src/config/serve-settings.ts
 * resolves it with flags and environment into the runtime's options.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { zodMessage } from '../pricing/catalog-loader.js';
import { AlertsConfigSchema } from '../alerts/channels/channel-config.js';
import { KeysConfigSchema } from '../keys/keys-config.js';
import { RoutingSectionSchema } from '../routing/routing-schema.js';
import { ResponseCacheConfigSchema, RESPONSE_CACHE_KEYS } from '../gateway/response-cache/response-cache-config.js';
import { CaptureConfigSchema } from '../capture/capture-config.js';

export const ProviderEntrySchema = z
  .object({
    base_url: z.string().url('base_url must be a URL').optional(),
    /** A provider named by the operator: the only kind so far is an OpenAI-compatible server. */
    kind: z.literal('openai-compatible').optional(),
    /** Environment variable holding the key Costrail sends upstream for a named provider. */
    api_key_env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'api_key_env must be an environment variable name').optional(),
    /** Bedrock only: region and the credentials requests are signed with (else AWS_* env). */
    region: z.string().regex(/^[a-z0-9-]+$/, 'region must look like us-east-1').optional(),
    access_key_id: z.string().min(1).optional(),
    secret_access_key: z.string().min(1).optional(),
    session_token: z.string().min(1).optional(),
  })
  .strict();

export type ProviderEntry = z.infer<typeof ProviderEntrySchema>;

export const ServeConfigSchema = z
  .object({
    providers: z.record(z.string(), ProviderEntrySchema).default({}),
    /** Un-prefixed OpenAI-shaped calls whose model matches go to `provider` (first match wins). */
    routes: z.array(z.object({ match: z.string().min(1), provider: z.string().min(1) }).strict()).default([]),
    /** Routing rules, model pools, fallback chains and retries (src/routing/routing-schema.ts, docs/routing.md). */
    routing: RoutingSectionSchema.optional(),
    alerts: AlertsConfigSchema.optional(),
    /** `public: true` serves /metrics without a token (default: admin token only). */
    metrics: z.object({ public: z.boolean().optional() }).strict().optional(),
    /** Pass-through mode, held provider credentials, extra endpoints (see keys/keys-config.ts). */
    keys: KeysConfigSchema.optional(),
    /** Delete raw ledger records older than this many days, daily (the serve runtime schedules it). */
    /** Body capture for replay evaluation: off unless enabled (see capture/capture-config.ts). */
    capture: CaptureConfigSchema.optional(),
    retention_days: z.number({ error: 'must be a positive integer' }).int('must be a positive integer').min(1, 'must be a positive integer').nullish(),
    /** The gateway's response cache (docs/caching.md); off unless `enabled: true`. */
    cache: ResponseCacheConfigSchema.optional(),
  })
  // Every section is declared here, so a misspelt key stops `serve` instead of being ignored.
  .strict();

export type ServeConfig = z.infer<typeof ServeConfigSchema>;

export function loadServeConfig(path: string | undefined): ServeConfig {
  if (!path) return ServeConfigSchema.parse({});
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let raw: unknown;
  try {
    raw = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new Error(`${path}: not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'} (${(e as Error).message.split('\n')[0]})`);
  }
  const parsed = ServeConfigSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const unknown = parsed.error.issues.find((i) => i.code === 'unrecognized_keys');
    if (unknown && unknown.code === 'unrecognized_keys') {
      const where = unknown.path.length ? `${unknown.path.map(String).join('.')}.` : '';
      throw new Error(`${path}: unknown key ${unknown.keys.map((k) => `"${where}${k}"`).join(', ')} (known: ${knownKeys(unknown.path)})`);
    }
    throw new Error(`${path}: ${zodMessage(parsed.error)}`);
  }
  return parsed.data;
}

/** The keys a section accepts, for the unknown-key message. */
function knownKeys(path: readonly PropertyKey[]): string {
  if (path[0] === 'routing') return path.length === 1 ? Object.keys(RoutingSectionSchema.shape).join(', ') : 'see docs/routing.md';
  if (path[0] === 'cache') return RESPONSE_CACHE_KEYS.join(', ');
  const section = path.length === 0 ? ServeConfigSchema : path[0] === 'providers' ? ProviderEntrySchema : path[0] === 'keys' ? KeysConfigSchema : path[0] === 'capture' ? CaptureConfigSchema : undefined;
  return section ? Object.keys(section.shape).join(', ') : 'see docs/configuration.md';
}
