/**
 * The view lives in the URL hash (`#/explorer?group_by=team,model&granularity=day`), so a view can
 * be bookmarked or shared and survives a reload; the server only ever sees `/`.
 */
import { useEffect, useState } from 'react';

export interface HashRoute {
  page: string;
  /** Path segments after the page, e.g. `#/requests/trace/abc` → ['trace', 'abc']. */
  rest: string[];
  params: URLSearchParams;
}

export function parseHash(hash: string): HashRoute {
  const raw = hash.replace(/^#\/?/, '');
  const [path = '', query = ''] = raw.split('?', 2);
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { page: parts[0] ?? 'overview', rest: parts.slice(1), params: new URLSearchParams(query) };
}

export function hrefFor(page: string, params?: Record<string, string | null | undefined> | URLSearchParams, rest: string[] = []): string {
  const p = params instanceof URLSearchParams ? params : new URLSearchParams(Object.entries(params ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''));
  const q = p.toString();
  return `#/${[page, ...rest].map(encodeURIComponent).join('/')}${q ? `?${q}` : ''}`;
}

export function navigate(href: string, replace = false): void {
  if (replace) window.history.replaceState(null, '', href);
  else window.location.hash = href.slice(1);
  if (replace) window.dispatchEvent(new HashChangeEvent('hashchange'));
}

export function useHashRoute(): HashRoute {
  const [route, setRoute] = useState(() => parseHash(window.location.hash));
  useEffect(() => {
    const on = () => setRoute(parseHash(window.location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}
