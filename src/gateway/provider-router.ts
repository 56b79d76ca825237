/**
 * Decides where a gateway call goes: the path's provider prefix (built-in or named in config),
 * else the un-prefixed API shape, else (for OpenAI-shaped paths) the config's model routes.
 * Built once from config; per request it does a couple of regex tests and builds one object.
 *
 * Model routes are opt-in: a model name alone never sends a client's credential to a provider
 * the operator did not name (an OpenAI key must not travel to Mistral because a model was
 * misspelt), so without `routes` un-prefixed OpenAI-shaped calls go to OpenAI as before.
 */
import type { AwsCredentials } from '../providers/bedrock/sigv4.js';
import { adapterFor, GENERIC_OPENAI_COMPATIBLE, isProviderId, providerAdapters } from '../providers/registry.js';
import type { ProviderId } from '../providers/registry.js';
import type { UpstreamRequest, UpstreamSigner } from '../providers/spec.js';
import { makeRoute, routeRequest, type Route } from './route.js';
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
  /** Target: a built-in provider that takes OpenAI's shapes (natively or on an OpenAI-compatible endpoint), or a named provider. */
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
  /** Cloud access for adapters that sign requests (AWS SigV4), from the config's `providers.bedrock` section. */
  bedrock?: BedrockAccess;
}

/** A provider whose calls are signed for a regional endpoint (Bedrock): its base URL and signer, built once. */
interface SignedUpstream {
  base: string;
  sign: UpstreamSigner;
}

/** Path prefixes that are Costrail's own or un-prefixed API versions, never provider names. */
const RESERVED = new Set(['v1', 'v1beta', 'api', 'metrics', 'healthz']);
/** The region a signing provider uses when the config names none. */
const DEFAULT_REGION = 'us-east-1';

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
  private readonly signed = new Map<ProviderId, SignedUpstream>();
  /** Provider (as recorded) → origin of its configured base URL: the credential guard's reference. */
  private readonly origins = new Map<string, string>();

  constructor(private readonly opts: RouterOptions) {
    this.named = new Map(Object.entries(opts.named ?? {}).map(([name, p]) => [name, { ...p, ...(p.apiKey ? { sign: heldKey(p.apiKey) } : {}) }]));
    for (const name of this.named.keys()) {
      if (isReservedProviderName(name)) throw new Error(`provider name "${name}" is a built-in provider or a reserved path`);
    }
    this.rules = (opts.routes ?? []).map((r) => ({ re: globToRegExp(r.match), target: this.targetFor(r.provider) }));
    for (const [id, base] of Object.entries(opts.upstreams)) {
      const origin = originOf(base);
      if (origin) this.origins.set(id, origin);
    }
    for (const a of providerAdapters()) {
      const signer = a.auth.signer;
      if (!signer) continue;
      const access = opts.bedrock;
      const base = opts.upstreams[a.id] ?? a.upstream.regionalBaseUrl?.(access?.region ?? DEFAULT_REGION);
      if (base === undefined) continue;
      this.signed.set(a.id, { base, sign: signer(access) });
      const origin = originOf(base);
      if (origin) this.origins.set(a.id, origin);
    }
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
        const inner = routeRequest(`/${GENERIC_OPENAI_COMPATIBLE.id}${m?.[2] ?? '/'}`);
        if (!inner) return undefined;
        return makeRoute({ ...inner, name: first, base: named.baseUrl, sign: named.sign });
      }
    }
    const r = routeRequest(url);
    if (!r) return undefined;
    const signed = this.signed.get(r.provider);
    if (signed) return makeRoute({ ...r, base: signed.base, sign: signed.sign });
    const shape = adapterFor(r.provider).paths.openAiShape;
    if (typeof shape === 'object' && shape.via === 'generic' && (r.api === 'chat.completions' || r.api === 'embeddings')) {
      // /anthropic/v1/chat/completions: the provider's OpenAI-compatible endpoint, read as chat.
      return makeRoute({ ...r, provider: GENERIC_OPENAI_COMPATIBLE.id, name: r.provider, base: this.opts.upstreams[r.provider] });
    }
    if (this.rules.length > 0 && adapterFor(r.provider).paths.unprefixed === 'rest' && url.startsWith('/v1/') && (r.api === 'chat.completions' || r.api === 'embeddings' || r.api === 'responses')) {
      return makeRoute({ ...r, byModel: true });
    }
    return r;
  }

  /** The route a config rule sends this model to, or undefined to leave the call where it is. */
  byModel(route: Route, model: unknown): Route | undefined {
    if (!route.byModel || typeof model !== 'string') return undefined;
    for (const rule of this.rules) {
      if (!rule.re.test(model)) continue;
      const t = rule.target(route.upstreamPath);
      return makeRoute({ provider: t.provider, api: route.api, upstreamPath: t.upstreamPath, urlModel: route.urlModel, urlStream: route.urlStream, name: t.name, base: t.base, sign: t.sign, byModel: false });
    }
    return undefined;
  }

  /**
   * A route that sends an OpenAI-shaped call (`route`, with `upstreamPath` relative to an OpenAI-style
   * base, e.g. `/chat/completions`) to `provider`, as a `routes:` entry would; undefined when the
   * provider does not take OpenAI's shapes. Built once per provider by routing rules (src/routing/).
   */
  openAiTarget(provider: string): ((route: Route, upstreamPath?: string) => Route) | undefined {
    let t: (path: string) => RouteTarget;
    try {
      t = this.targetFor(provider);
    } catch {
      return undefined;
    }
    return (route, upstreamPath) => {
      const r = t(upstreamPath ?? route.upstreamPath);
      return makeRoute({ provider: r.provider, api: route.api, upstreamPath: r.upstreamPath, urlModel: route.urlModel, urlStream: route.urlStream, name: r.name, base: r.base, sign: r.sign, byModel: false });
    };
  }

  /** Whether `provider` is one this router can send calls to at all (built in or named in config). */
  knows(provider: string): boolean {
    return isProviderId(provider) || this.named.has(provider);
  }

  private targetFor(provider: string): (path: string) => RouteTarget {
    const named = this.named.get(provider);
    if (named) {
      const sign = named.sign;
      return (path) => ({ provider: GENERIC_OPENAI_COMPATIBLE.id, name: provider, base: named.baseUrl, upstreamPath: path, sign });
    }
    const shape = isProviderId(provider) ? adapterFor(provider).paths.openAiShape : undefined;
    if (isProviderId(provider) && shape === 'native') return (path) => ({ provider, upstreamPath: path });
    if (isProviderId(provider) && typeof shape === 'object') {
      // `path` is relative to an OpenAI-style base (…/v1), e.g. /chat/completions.
      const prefix = shape.prefix;
      if (shape.via === 'self') return (path) => ({ provider, upstreamPath: prefix + path });
      return (path) => ({ provider: GENERIC_OPENAI_COMPATIBLE.id, name: provider, base: this.opts.upstreams[provider], upstreamPath: prefix + path });
    }
    const takers = providerAdapters()
      .filter((a) => a.paths.openAiShape !== undefined)
      .map((a) => a.id);
    throw new Error(`routes: provider "${provider}" does not take OpenAI-shaped requests (use ${takers.join(', ')} or a provider named under providers:)`);
  }
}

/** A named provider's held key replaces whatever credential the client sent. */
function heldKey(key: string): (req: UpstreamRequest) => undefined {
  return (req) => {
    delete req.headers['api-key'];
    delete req.headers['x-api-key'];
    Object.assign(req.headers, GENERIC_OPENAI_COMPATIBLE.auth.upstreamHeaders(key));
    return undefined;
  };
}
