/**
 * Maps an incoming gateway path to the provider, the API shape and the upstream path.
 * One base URL serves every SDK: OpenAI-style `/v1/...`, Anthropic `/v1/messages`, Gemini
 * `/v1beta/models/{model}:...`, and an explicit provider prefix (`/openai/...`, `/mistral/...`).
 */
import type { ApiKind, ProviderId } from '../providers/spec.js';
import { dialectOf, type ErrorDialect, type GatewayError } from './error-format.js';
import { isProviderId } from '../providers/registry.js';
import { modelFromGeminiPath } from '../providers/gemini/index.js';

export interface Route {
  provider: ProviderId;
  api: ApiKind | 'models' | 'count_tokens' | 'other';
  /** Path (with query) to send upstream, relative to the provider's base URL. */
  upstreamPath: string;
  /** Model named in the URL (Gemini, Bedrock, Azure deployments). */
  urlModel?: string;
  /** Whether the URL itself asks for a stream (Gemini streamGenerateContent, Bedrock converse-stream). */
  urlStream: boolean;
  /**
   * The provider the ledger and the price book know the call by, when it is not `provider` (the
   * parser): a provider named in config, or Anthropic's / Gemini's OpenAI-compatible endpoint.
   */
  name?: string;
  /** Upstream base URL when the router chose it (named providers, model routes). */
  base?: string;
  /** Replaces the client's credentials on the way out (SigV4 for Bedrock, a held key); an error refuses the call. */
  sign?: (req: UpstreamRequest) => GatewayError | undefined;
  /** An un-prefixed OpenAI-shaped path: the body's model may move it to another provider (config `routes`). */
  byModel?: boolean;
}

/** The request about to go upstream; `sign` edits `headers` in place. */
export interface UpstreamRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: Uint8Array;
}

/** The provider name a call is recorded and priced under. */
export function ledgerProvider(route: Pick<Route, 'provider' | 'name'>): string {
  return route.name ?? route.provider;
}

/** Base-URL conventions differ: OpenAI's includes /v1, Anthropic's and Google's do not. */
const BASE_INCLUDES_V1: ReadonlySet<ProviderId> = new Set(['openai', 'mistral', 'deepseek', 'xai', 'groq', 'together', 'openrouter', 'openai-compatible']);

function apiOfPath(path: string): { api: Route['api']; urlModel?: string; urlStream: boolean } {
  const bare = path.split('?')[0] ?? path;
  // Azure OpenAI names the deployment in the path: /openai/deployments/{deployment}/chat/completions.
  const deployment = bare.includes('/deployments/') ? /\/deployments\/([^/]+)\/(chat\/completions|completions|embeddings|responses)$/.exec(bare) : null;
  const urlModel = deployment ? decodeURIComponent(deployment[1] ?? '') : undefined;
  if (bare.endsWith('/chat/completions')) return { api: 'chat.completions', urlStream: false, urlModel };
  if (bare.endsWith('/responses')) return { api: 'responses', urlStream: false, urlModel };
  if (bare.endsWith('/embeddings')) return { api: 'embeddings', urlStream: false, urlModel };
  if (bare.endsWith('/messages/count_tokens')) return { api: 'count_tokens', urlStream: false };
  if (bare.endsWith('/messages')) return { api: 'messages', urlStream: false };
  if (/\/models\/?$/.test(bare)) return { api: 'models', urlStream: false };
  if (bare.includes(':generateContent') || bare.includes(':streamGenerateContent')) {
    return { api: 'generateContent', urlModel: modelFromGeminiPath(bare), urlStream: bare.includes(':streamGenerateContent') };
  }
  const bedrock = /\/model\/([^/]+)\/(converse-stream|converse|invoke-with-response-stream|invoke)$/.exec(bare);
  if (bedrock) {
    const op = bedrock[2] ?? '';
    return { api: op.startsWith('converse') ? 'converse' : 'invoke', urlModel: decodeURIComponent(bedrock[1] ?? ''), urlStream: op.endsWith('stream') };
  }
  return { api: 'other', urlStream: false };
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
    return { provider: first, ...info, upstreamPath: stripV1(first, rest) };
  }
  const info = apiOfPath(path);
  if (info.api === 'other') return undefined;
  if (info.api === 'messages' || info.api === 'count_tokens') return { provider: 'anthropic', ...info, upstreamPath: path };
  if (info.api === 'generateContent') return { provider: 'gemini', ...info, upstreamPath: path };
  return { provider: 'openai', ...info, upstreamPath: stripV1('openai', path) };
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
 * shape the SDK that sent it reads. Anthropic for /v1/messages and /anthropic/…, Google for
 * /v1beta/… and /gemini/…, AWS for /bedrock/…, else OpenAI.
 */
export function dialectOfPath(path: string): ErrorDialect {
  const r = routeRequest(path);
  if (r) return dialectOf(r);
  if (/^\/anthropic(\/|$)/.test(path)) return 'anthropic';
  if (/^\/(v1beta|gemini)(\/|$)/.test(path)) return 'google';
  if (/^\/bedrock(\/|$)/.test(path)) return 'aws';
  return 'openai';
}

function stripV1(provider: ProviderId, path: string): string {
  return BASE_INCLUDES_V1.has(provider) && path.startsWith('/v1/') ? path.slice(3) : path;
}

/** The API shape a parser should read a route's response as ('other' paths are read by body shape). */
export function parserApi(route: Route): ApiKind {
  switch (route.api) {
    case 'models':
    case 'count_tokens':
    case 'other':
      return route.provider === 'anthropic' ? 'messages' : route.provider === 'gemini' || route.provider === 'vertex' ? 'generateContent' : 'chat.completions';
    default:
      return route.api;
  }
}
