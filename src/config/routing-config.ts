/**
 * Turns the serve config (plus environment) into the router's options: base URLs of built-in
 * providers, Bedrock region and credentials, providers named in config with their held keys, and
 * model routes. Every mistake is reported with the config key that holds it; secrets are read
 * here once and never appear in a message.
 */
import { isReservedProviderName, ProviderRouter, type NamedProvider, type RouterOptions } from '../gateway/provider-router.js';
import type { UpstreamMap } from '../gateway/upstreams.js';
import type { AwsCredentials } from '../providers/bedrock/sigv4.js';
import { isProviderId } from '../providers/registry.js';
import type { ProviderId } from '../providers/registry.js';
import { ServeConfigSchema, type ProviderEntry, type ServeConfig } from './serve-config.js';
import { environment, type Environment } from './environment.js';
import type { RoutingSection } from '../routing/routing-schema.js';
import { RoutingTable } from '../routing/routing-table.js';
import { builtinCapabilities } from '../routing/model-capabilities.js';

export type RoutingSetup = Required<Pick<RouterOptions, 'upstreams' | 'named' | 'routes' | 'bedrock'>> & {
  /** The `routing:` section (rules, pools, fallbacks, retries); compiled by the runtime against its price book. */
  rules?: RoutingSection;
};

const BEDROCK_ONLY = ['region', 'access_key_id', 'secret_access_key', 'session_token'] as const;

function envName(provider: string): string {
  return provider.toUpperCase().replace(/-/g, '_');
}

function bedrockAccess(entry: ProviderEntry | undefined, env: Environment): RoutingSetup['bedrock'] {
  const region = entry?.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
  if (entry?.access_key_id !== undefined || entry?.secret_access_key !== undefined) {
    if (!entry.access_key_id || !entry.secret_access_key) throw new Error('providers.bedrock: set both access_key_id and secret_access_key (or neither, to use AWS_* environment variables)');
    const credentials: AwsCredentials = { accessKeyId: entry.access_key_id, secretAccessKey: entry.secret_access_key };
    if (entry.session_token) credentials.sessionToken = entry.session_token;
    return { region, credentials };
  }
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    const credentials: AwsCredentials = { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY };
    if (env.AWS_SESSION_TOKEN) credentials.sessionToken = env.AWS_SESSION_TOKEN;
    return { region, credentials };
  }
  return { region };
}

export function routingFromConfig(config: ServeConfig, env: Environment = environment()): RoutingSetup {
  const upstreams: UpstreamMap = {};
  const named: Record<string, NamedProvider> = {};
  for (const [name, entry] of Object.entries(config.providers)) {
    const where = `providers.${name}`;
    if (name !== 'bedrock') {
      const stray = BEDROCK_ONLY.find((k) => entry[k] !== undefined);
      if (stray) throw new Error(`${where}.${stray}: only providers.bedrock takes AWS settings`);
    }
    if (isProviderId(name)) {
      if (entry.kind !== undefined || entry.api_key_env !== undefined) throw new Error(`${where}: kind and api_key_env are for providers you name yourself; "${name}" is built in`);
      if (entry.base_url) upstreams[name as ProviderId] = entry.base_url;
      else if (name !== 'bedrock') throw new Error(`${where}.base_url: required`);
      continue;
    }
    if (!/^[a-z][a-z0-9_-]*$/.test(name)) throw new Error(`${where}: a provider name must be lowercase letters, digits, - or _ (it becomes the path prefix /${name}/)`);
    if (isReservedProviderName(name)) throw new Error(`${where}: "${name}" is a reserved path`);
    if (entry.kind !== 'openai-compatible') throw new Error(`${where}.kind: set kind: openai-compatible (the only kind a named provider can have)`);
    const baseUrl = env[`COSTRAIL_${envName(name)}_BASE_URL`] ?? entry.base_url;
    if (!baseUrl) throw new Error(`${where}.base_url: required (or COSTRAIL_${envName(name)}_BASE_URL)`);
    const p: NamedProvider = { baseUrl: baseUrl.replace(/\/+$/, '') };
    if (entry.api_key_env) {
      const key = env[entry.api_key_env];
      if (!key) throw new Error(`${where}.api_key_env: environment variable ${entry.api_key_env} is not set`);
      p.apiKey = key;
    }
    named[name] = p;
  }
  const setup: RoutingSetup = { upstreams, named, routes: config.routes, bedrock: bedrockAccess(config.providers['bedrock'], env), ...(config.routing ? { rules: config.routing } : {}) };
  let router: ProviderRouter;
  try {
    // Validates route targets now, so a typo stops `serve` instead of misrouting calls later.
    router = new ProviderRouter(setup);
  } catch (e) {
    throw new Error((e as Error).message.startsWith('routes:') ? (e as Error).message : `routes: ${(e as Error).message}`);
  }
  // Rule and fallback targets (providers, translations) are checked now too; pools are checked by
  // the runtime against the price book it runs with (overrides included).
  if (config.routing) new RoutingTable(config.routing, { router, book: { current: () => { throw new Error('no price book at config load'); } }, capabilities: builtinCapabilities(), checkPools: false });
  return setup;
}

/** No config file: built-in prefixes, and Bedrock credentials from the environment if any. */
export function defaultRouting(env: Environment = environment()): RoutingSetup {
  return routingFromConfig(ServeConfigSchema.parse({}), env);
}
