/**
 * Where credentials travel in each API's convention: what a client presents (OpenAI
 * `Authorization: Bearer`, Anthropic `x-api-key`, Gemini `x-goog-api-key` or `?key=`, Azure
 * `api-key`), and how Costrail presents a held provider credential upstream.
 */
import type { IncomingMessage } from 'node:http';
import { adapterFor, GENERIC_OPENAI_COMPATIBLE, isProviderId } from '../providers/registry.js';

/** Every request header that can carry a credential; all are dropped when Costrail supplies its own. */
export const CREDENTIAL_HEADERS: readonly string[] = ['authorization', 'x-api-key', 'x-goog-api-key', 'api-key'];

export interface PresentedKey {
  value: string;
  where: 'authorization' | 'x-api-key' | 'x-goog-api-key' | 'api-key' | 'query';
}

function one(v: string | string[] | undefined): string | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  const t = s?.trim();
  return t ? t : undefined;
}

/** The first credential the client sent that starts with `prefix`, wherever it put it. */
export function presentedKey(req: IncomingMessage, prefix: string): PresentedKey | undefined {
  const h = req.headers;
  const auth = one(h.authorization)?.replace(/^Bearer\s+/i, '');
  if (auth?.startsWith(prefix)) return { value: auth, where: 'authorization' };
  for (const name of ['x-api-key', 'x-goog-api-key', 'api-key'] as const) {
    const v = one(h[name]);
    if (v?.startsWith(prefix)) return { value: v, where: name };
  }
  const url = req.url ?? '';
  const q = url.indexOf('?');
  if (q >= 0) {
    const key = new URLSearchParams(url.slice(q + 1)).get('key');
    if (key?.startsWith(prefix)) return { value: key, where: 'query' };
  }
  return undefined;
}

/** Removes `key=` from a path's query (a virtual key must not travel upstream in the URL). */
export function withoutKeyParam(pathAndQuery: string): string {
  const q = pathAndQuery.indexOf('?');
  if (q < 0) return pathAndQuery;
  const params = new URLSearchParams(pathAndQuery.slice(q + 1));
  if (!params.has('key')) return pathAndQuery;
  params.delete('key');
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
