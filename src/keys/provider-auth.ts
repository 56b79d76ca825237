/**
 * Where credentials travel in each API's convention, as the provider adapters declare it: what a
 * client presents (OpenAI `Authorization: Bearer`, Anthropic `x-api-key`, Gemini `x-goog-api-key`
 * or `?key=`, Azure `api-key`), and how Costrail presents a held provider credential upstream. A
 * `cr_` key is looked for in every adapter's places, whichever provider the path names.
 */
import type { IncomingMessage } from 'node:http';
import { adapterFor, GENERIC_OPENAI_COMPATIBLE, isProviderId, providerAdapters } from '../providers/registry.js';

/**
 * Which of several credentials a client sent is read first (as before the adapters declared them):
 * a bearer token, then the Anthropic, Google and Azure headers, then any header only a newer adapter uses.
 */
const HEADER_ORDER: readonly string[] = ['authorization', 'x-api-key', 'x-goog-api-key', 'api-key'];

let known: { adapters: readonly unknown[]; headers: readonly string[]; queryParams: readonly string[] } | undefined;

/** The headers and query parameters any adapter's clients send keys in (recomputed when one is registered). */
function keyCarriers(): { headers: readonly string[]; queryParams: readonly string[] } {
  const adapters = providerAdapters();
  if (known?.adapters !== adapters) {
    const declared = new Set(adapters.flatMap((a) => a.auth.clientHeaders));
    const headers = [...HEADER_ORDER.filter((h) => declared.has(h)), ...[...declared].filter((h) => !HEADER_ORDER.includes(h))];
    const queryParams = [...new Set(adapters.flatMap((a) => (a.auth.clientQueryParam ? [a.auth.clientQueryParam] : [])))];
    known = { adapters, headers, queryParams };
  }
  return known;
}

/** Every request header that can carry a credential; all are dropped when Costrail supplies its own. */
export function credentialHeaders(): readonly string[] {
  return keyCarriers().headers;
}

export interface PresentedKey {
  value: string;
  /** The header it came in, or `query` (then `param` names the query parameter). */
  where: string;
  param?: string;
}

function one(v: string | string[] | undefined): string | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  const t = s?.trim();
  return t ? t : undefined;
}

/** The first credential the client sent that starts with `prefix`, wherever its SDK put it. */
export function presentedKey(req: IncomingMessage, prefix: string): PresentedKey | undefined {
  const h = req.headers;
  const carriers = keyCarriers();
  for (const name of carriers.headers) {
    const raw = one(h[name]);
    const v = name === 'authorization' ? raw?.replace(/^Bearer\s+/i, '') : raw;
    if (v?.startsWith(prefix)) return { value: v, where: name };
  }
  const url = req.url ?? '';
  const q = url.indexOf('?');
  if (q >= 0 && carriers.queryParams.length > 0) {
    const params = new URLSearchParams(url.slice(q + 1));
    for (const param of carriers.queryParams) {
      const key = params.get(param);
      if (key?.startsWith(prefix)) return { value: key, where: 'query', param };
    }
  }
  return undefined;
}

/** Removes `key=` (or `param=`) from a path's query (a virtual key must not travel upstream in the URL). */
export function withoutKeyParam(pathAndQuery: string, param = 'key'): string {
  const q = pathAndQuery.indexOf('?');
  if (q < 0) return pathAndQuery;
  const params = new URLSearchParams(pathAndQuery.slice(q + 1));
  if (!params.has(param)) return pathAndQuery;
  params.delete(param);
  const rest = params.toString();
  return rest ? `${pathAndQuery.slice(0, q)}?${rest}` : pathAndQuery.slice(0, q);
}

/**
 * Headers that present `secret` to `provider` in its adapter's convention (Anthropic `x-api-key`,
 * Google `x-goog-api-key`, Azure `api-key`, else a bearer token). Anthropic's `anthropic-version` is
 * the client's and goes upstream as sent. Bedrock signs with SigV4 from held AWS credentials (the
 * forward step). A name no adapter has (a provider named in config) is OpenAI-compatible: bearer.
 */
export function upstreamAuthHeaders(provider: string, secret: string): Record<string, string> {
  return (isProviderId(provider) ? adapterFor(provider) : GENERIC_OPENAI_COMPATIBLE).auth.upstreamHeaders(secret);
}
