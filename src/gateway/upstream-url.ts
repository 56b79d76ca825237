/**
 * Builds the URL a call goes to from the provider's configured base URL and the routed path,
 * with the URL API: the client's text only ever sets the path and the query, never the scheme,
 * host or port (string concatenation once let `munity://x/…` turn api.anthropic.com into
 * api.anthropic.community).
 */
export function upstreamUrl(base: string, pathAndQuery: string): URL {
  const url = new URL(base);
  const q = pathAndQuery.indexOf('?');
  const path = q < 0 ? pathAndQuery : pathAndQuery.slice(0, q);
  // Base paths follow each SDK's convention (`…/v1`, `…/openai/v1`): the routed path extends them.
  url.pathname = url.pathname.replace(/\/+$/, '') + path;
  url.search = q < 0 ? '' : pathAndQuery.slice(q);
  url.hash = '';
  return url;
}

/** The origin of a configured base URL, or undefined when it is not a URL at all. */
export function originOf(base: string | undefined): string | undefined {
  if (!base) return undefined;
  try {
    return new URL(base).origin;
  } catch {
    return undefined;
  }
}
