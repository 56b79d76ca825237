/**
 * Maps an incoming gateway path to the provider, the API shape and the upstream path.
 * One base URL serves every SDK: OpenAI-style `/v1/...`, Anthropic `/v1/messages`, Gemini
 * `/v1beta/models/{model}:...`, and an explicit provider prefix (`/openai/...`, `/mistral/...`).
 * What each path shape means comes from the provider adapters (providers/registry.ts); a route is
 * a value, built by `makeRoute` and never changed afterwards (a changed call gets a new route).
 */
import type { ApiKind, RouteApi, UpstreamRequest, UpstreamSigner } from '../providers/spec.js';
import type { ProviderId } from '../providers/registry.js';
import type { ErrorDialect } from '../errors/error-dialects.js';
import { dialectOf } from './error-format.js';
import { adapterFor, adapterOfVersionSegment, isProviderId, matchApiPath, UNPREFIXED_DEFAULT, unprefixedAdapterFor } from '../providers/registry.js';

export type { UpstreamRequest } from '../providers/spec.js';

export interface Route {
  /** The adapter that reads the call (its parser, auth convention, error format). */
  readonly provider: ProviderId;
  readonly api: RouteApi;
  /** Path (with query) to send upstream, relative to the provider's base URL. */
  readonly upstreamPath: string;
  /** Model named in the URL (Gemini, Bedrock, Azure deployments). */
  readonly urlModel?: string;
  /** Whether the URL itself asks for a stream (Gemini streamGenerateContent, Bedrock converse-stream). */
  readonly urlStream: boolean;
  /**
   * The provider the ledger and the price book know the call by, when it is not `provider` (the
   * parser): a provider named in config, or Anthropic's / Gemini's OpenAI-compatible endpoint.
   */
  readonly name?: string;
  /** Upstream base URL when the router chose it (named providers, model routes, regional endpoints). */
  readonly base?: string;
  /** Replaces the client's credentials on the way out (SigV4 for Bedrock, a held key); an error refuses the call. */
  readonly sign?: (req: UpstreamRequest) => ReturnType<UpstreamSigner>;
  /** An un-prefixed OpenAI-shaped path: the body's model may move it to another provider (config `routes`). */
  readonly byModel?: boolean;
}

/**
 * The one constructor of routes. Every field is set, in one order, so every route has one object
 * shape (the hot path stays monomorphic).
 */
export function makeRoute(r: Route): Route {
  return { provider: r.provider, api: r.api, upstreamPath: r.upstreamPath, urlModel: r.urlModel, urlStream: r.urlStream, name: r.name, base: r.base, sign: r.sign, byModel: r.byModel };
}

/** The same route with some fields changed (a model moved by config, a downgrade, a key removed from the query). */
export function withRoute(route: Route, changes: Partial<Route>): Route {
  return makeRoute({ ...route, ...changes });
}

/** The provider name a call is recorded and priced under. */
export function ledgerProvider(route: Pick<Route, 'provider' | 'name'>): string {
  return route.name ?? route.provider;
}

function apiOfPath(path: string): { api: RouteApi; urlModel?: string; urlStream: boolean } {
  const bare = path.split('?')[0] ?? path;
  return matchApiPath(bare) ?? { api: 'other', urlStream: false };
}

/**
 * Routes a normalised origin-form path (see request-target.ts). Un-prefixed calls must start with
 * an API version (`/v1/…`, `/v1beta/…`); any other first segment must name a provider. An unknown
 * prefix (`/nosuch/v1/…`, `/mistrl/v1/…`) is no route at all: falling through to OpenAI once sent a
 * Mistral key to api.openai.com.
 */
export function routeRequest(path: string): Route | undefined {
  const m = /^\/([^/?]*)([^]*)$/.exec(path);
  const first = m?.[1] ?? '';
  if (first !== 'v1' && first !== 'v1beta') {
    // Explicit prefix: /openai/v1/chat/completions, /mistral/v1/..., /anthropic/v1/messages.
    if (!isProviderId(first)) return undefined;
    const rest = m?.[2] || '/';
    const info = apiOfPath(rest);
    return makeRoute({ provider: first, ...info, upstreamPath: stripV1(first, rest) });
  }
  const info = apiOfPath(path);
  if (info.api === 'other') return undefined;
  const adapter = unprefixedAdapterFor(info.api);
  return makeRoute({ provider: adapter.id, ...info, upstreamPath: stripV1(adapter.id, path) });
}

/**
 * Whether a path that has no route still names a model API (`/nosuch/v1/chat/completions`,
 * `/mistrl/v1/…`): such a call is refused and recorded, while noise (`/favicon.ico`) is only refused.
 */
export function looksLikeModelCall(path: string): boolean {
  const m = /^\/([^/?]*)([^]*)$/.exec(path);
  if (!m) return false;
  const rest = m[2] ?? '';
  return /^\/v1(beta)?(\/|$)/.test(rest) || apiOfPath(rest).api !== 'other';
}

/**
 * The error dialect of a path that has no route yet (pre-route refusals, bad request lines): the
 * shape the SDK that sent it reads. A provider prefix speaks its adapter's dialect (Anthropic for
 * /anthropic/…, AWS for /bedrock/…), an API-version segment its provider's (Google for /v1beta/…),
 * else OpenAI's.
 */
export function dialectOfPath(path: string): ErrorDialect {
  const r = routeRequest(path);
  if (r) return dialectOf(r);
  const first = /^\/([^/?]*)/.exec(path)?.[1] ?? '';
  if (isProviderId(first)) return adapterFor(first).errorDialect;
  return (adapterOfVersionSegment(first) ?? UNPREFIXED_DEFAULT).errorDialect;
}

function stripV1(provider: ProviderId, path: string): string {
  return adapterFor(provider).paths.baseIncludesV1 && path.startsWith('/v1/') ? path.slice(3) : path;
}

/** The API shape a parser should read a route's response as ('other' paths are read by body shape). */
export function parserApi(route: Pick<Route, 'api' | 'provider'>): ApiKind {
  switch (route.api) {
    case 'models':
    case 'count_tokens':
    case 'other':
      return adapterFor(route.provider).unnamedPathApi;
    default:
      return route.api;
  }
}
