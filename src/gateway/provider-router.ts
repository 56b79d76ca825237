/**
 * Decides where a gateway call goes: the path's provider prefix (built-in or named in config),
 * else the un-prefixed API shape, else (for OpenAI-shaped paths) the config's model routes.
 * Built once from config; per request it does a couple of regex tests and builds one object.
 *
 * Model routes are opt-in: a model name alone never sends a client's credential to a provider
 * the operator did not name (an OpenAI key must not travel to Mistral because a model was
 * misspelt), so without `routes` un-prefixed OpenAI-shaped calls go to OpenAI as before.
 */
import { signSigV4, type AwsCredentials } from '../providers/bedrock/sigv4.js';
import { isProviderId } from '../providers/registry.js';
import type { ProviderId } from '../providers/spec.js';
import type { GatewayError } from './error-format.js';
import { routeRequest, type Route, type UpstreamRequest } from './route.js';
import type { UpstreamMap } from './upstreams.js';
import { originOf } from './upstream-url.js';

/** An OpenAI-compatible server named in config: `/<name>/v1/...`, recorded as provider `<name>`. */
export interface NamedProvider {
  baseUrl: string;
  /** A key Costrail holds (read from `api_key_env` at start); replaces the client's when set. */
  apiKey?: string;
}

export interface ModelRoute {
  /** Model-name pattern; `*` matches any run of characters (`mistral-*`, `*-instruct`). */
  match: string;
  /** Target: an OpenAI-compatible built-in provider, `anthropic` / `gemini` (their OpenAI-compatible endpoints), or a named provider. */
  provider: string;
}

export interface BedrockAccess {
  region: string;
  credentials?: AwsCredentials;
}

export interface RouterOptions {
  upstreams: UpstreamMap;
  named?: Record<string, NamedProvider>;
  routes?: readonly ModelRoute[];
  bedrock?: BedrockAccess;
}

/** Built-in providers whose APIs take OpenAI's request and response shapes at `<base>/chat/completions`. */
const OPENAI_SHAPED: ReadonlySet<ProviderId> = new Set(['openai', 'mistral', 'deepseek', 'xai', 'groq', 'together', 'openrouter']);
/** Providers with a separate OpenAI-compatible endpoint under their base URL: path prefix before `/chat/completions`. */
const COMPAT_PREFIX: ReadonlyMap<string, string> = new Map([
  ['anthropic', '/v1'],
  ['gemini', '/v1beta/openai'],
  ['azure', '/openai/v1'],
]);
/** Path prefixes that are Costrail's own or un-prefixed API versions, never provider names. */
const RESERVED = new Set(['v1', 'v1beta', 'api', 'metrics', 'healthz']);

/** What a model route changes on a route: provider, upstream path, and maybe name, base and signer. */
type RouteTarget = Omit<Route, 'api' | 'urlStream' | 'urlModel'>;

interface CompiledRoute {
  re: RegExp;
  target: (path: string) => RouteTarget;
}

export function isReservedProviderName(name: string): boolean {
  return RESERVED.has(name) || isProviderId(name);
}

export function globToRegExp(glob: string): RegExp {
  const body = glob
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`, 'i');
}

export class ProviderRouter {
  private readonly named: Map<string, NamedProvider & { sign?: (req: UpstreamRequest) => undefined }>;
  private readonly rules: CompiledRoute[];
  private readonly bedrockBase: string;
  private readonly bedrockSign: (req: UpstreamRequest) => GatewayError | undefined;
  /** Provider (as recorded) → origin of its configured base URL: the credential guard's reference. */
  private readonly origins = new Map<string, string>();

  constructor(private readonly opts: RouterOptions) {
    this.named = new Map(Object.entries(opts.named ?? {}).map(([name, p]) => [name, { ...p, ...(p.apiKey ? { sign: heldKey(p.apiKey) } : {}) }]));
    for (const name of this.named.keys()) {
      if (isReservedProviderName(name)) throw new Error(`provider name "${name}" is a built-in provider or a reserved path`);
    }
    this.rules = (opts.routes ?? []).map((r) => ({ re: globToRegExp(r.match), target: this.targetFor(r.provider) }));
    const region = opts.bedrock?.region ?? 'us-east-1';
    this.bedrockBase = opts.upstreams.bedrock ?? `https://bedrock-runtime.${region}.amazonaws.com`;
    this.bedrockSign = bedrockSigner(region, opts.bedrock?.credentials);
    for (const [id, base] of Object.entries(opts.upstreams)) {
      const origin = originOf(base);
      if (origin) this.origins.set(id, origin);
    }
    const bedrockOrigin = originOf(this.bedrockBase);
    if (bedrockOrigin) this.origins.set('bedrock', bedrockOrigin);
    for (const [name, p] of this.named) {
      const origin = originOf(p.baseUrl);
      if (origin) this.origins.set(name, origin);
    }
  }

  /**
   * The origin a provider's calls may go to, read from the configuration only (never from a route),
   * so the gateway can check a finished upstream URL against it before attaching a credential.
   */
  configuredOrigin(provider: string): string | undefined {
    return this.origins.get(provider);
  }

  route(url: string): Route | undefined {
    if (this.named.size > 0) {
      const m = /^\/([a-z][a-z0-9_-]*)(\/.*)?$/.exec(url);
      const first = m?.[1];
      const named = first !== undefined ? this.named.get(first) : undefined;
      if (first !== undefined && named) {
        const inner = routeRequest(`/openai-compatible${m?.[2] ?? '/'}`);
        if (!inner) return undefined;
        return { ...inner, name: first, base: named.baseUrl, sign: named.sign };
      }
    }
    const r = routeRequest(url);
    if (!r) return undefined;
    if (r.provider === 'bedrock') {
      // The path goes upstream as the client encoded it; the signer signs exactly the path sent.
      r.base = this.bedrockBase;
      r.sign = this.bedrockSign;
    } else if ((r.provider === 'anthropic' || r.provider === 'gemini') && (r.api === 'chat.completions' || r.api === 'embeddings')) {
      // /anthropic/v1/chat/completions: the provider's OpenAI-compatible endpoint, read as chat.
      r.name = r.provider;
      r.base = this.opts.upstreams[r.provider];
      r.provider = 'openai-compatible';
    } else if (this.rules.length > 0 && r.provider === 'openai' && url.startsWith('/v1/') && (r.api === 'chat.completions' || r.api === 'embeddings' || r.api === 'responses')) {
      r.byModel = true;
    }
    return r;
  }

  /** The route a config rule sends this model to, or undefined to leave the call where it is. */
  byModel(route: Route, model: unknown): Route | undefined {
    if (!route.byModel || typeof model !== 'string') return undefined;
    for (const rule of this.rules) {
      if (!rule.re.test(model)) continue;
      const t = rule.target(route.upstreamPath);
      // Built field by field: one object shape for every moved route keeps this path monomorphic.
      return { provider: t.provider, api: route.api, upstreamPath: t.upstreamPath, urlModel: route.urlModel, urlStream: route.urlStream, name: t.name, base: t.base, sign: t.sign, byModel: false };
    }
    return undefined;
  }

  private targetFor(provider: string): (path: string) => RouteTarget {
    const named = this.named.get(provider);
    if (named) {
      const sign = named.sign;
      return (path) => ({ provider: 'openai-compatible', name: provider, base: named.baseUrl, upstreamPath: path, sign });
    }
    if (isProviderId(provider) && OPENAI_SHAPED.has(provider)) return (path) => ({ provider, upstreamPath: path });
    const prefix = COMPAT_PREFIX.get(provider);
    if (prefix !== undefined && isProviderId(provider)) {
      // `path` is relative to an OpenAI-style base (…/v1), e.g. /chat/completions.
      if (provider === 'azure') return (path) => ({ provider, upstreamPath: prefix + path });
      return (path) => ({ provider: 'openai-compatible', name: provider, base: this.opts.upstreams[provider], upstreamPath: prefix + path });
    }
    throw new Error(`routes: provider "${provider}" does not take OpenAI-shaped requests (use openai, azure, mistral, deepseek, xai, groq, together, openrouter, anthropic, gemini or a provider named under providers:)`);
  }
}

/** A named provider's held key replaces whatever credential the client sent. */
function heldKey(key: string): (req: UpstreamRequest) => undefined {
  return (req) => {
    delete req.headers['api-key'];
    delete req.headers['x-api-key'];
    req.headers['authorization'] = `Bearer ${key}`;
    return undefined;
  };
}

/** Client-side AWS auth headers are dropped: the client signed for Costrail's host, not AWS's. */
const CLIENT_AWS_AUTH = ['authorization', 'x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256'];

function bedrockSigner(region: string, creds: AwsCredentials | undefined): (req: UpstreamRequest) => GatewayError | undefined {
  return (req) => {
    if (!creds) {
      return { status: 502, type: 'upstream_not_configured', message: 'no AWS credentials for Bedrock: set providers.bedrock.access_key_id/secret_access_key in the config, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY' };
    }
    for (const h of CLIENT_AWS_AUTH) delete req.headers[h];
    const u = new URL(req.url);
    const signed: Record<string, string> = {};
    const ctype = req.headers['content-type'];
    if (ctype !== undefined) signed['content-type'] = ctype;
    const parts = signSigV4({ method: req.method, host: u.host, path: u.pathname, query: u.search.slice(1), headers: signed, body: req.body }, creds, { region, service: 'bedrock' });
    Object.assign(req.headers, parts.headers);
    return undefined;
  };
}
