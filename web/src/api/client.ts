/**
 * The dashboard's only data source: the management API, called with the signed-in token.
 * Errors keep the API's own code and message so pages can show them as they are.
 */
const TOKEN_KEY = 'costrail.token';

export class ApiFailure extends Error {
  override readonly name = 'ApiFailure';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function storedToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function storeToken(token: string | null): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/**
 * A sign-in link (`/?token=…`, printed by `serve` and `demo`) signs in and then removes the token
 * from the address bar, so it is not left in history, bookmarks or screenshots.
 */
export function takeTokenFromUrl(): void {
  const url = new URL(window.location.href);
  const token = url.searchParams.get('token');
  if (!token) return;
  storeToken(token);
  url.searchParams.delete('token');
  window.history.replaceState(null, '', url.pathname + url.search + url.hash);
}

export type Query = Record<string, string | number | null | undefined>;

export function queryString(q: Query | undefined): string {
  if (!q) return '';
  const p = new URLSearchParams();
  // An empty value is meaningful: a filter `team=` asks for records without a team.
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null) p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

let onUnauthorized: (() => void) | undefined;
/** Called when the API rejects the token (401), so the app can return to sign-in. */
export function setUnauthorizedHandler(fn: () => void): void {
  onUnauthorized = fn;
}

export async function api<T>(method: string, path: string, opts: { query?: Query; body?: unknown; token?: string; signal?: AbortSignal } = {}): Promise<T> {
  const token = opts.token ?? storedToken();
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers['authorization'] = `Bearer ${token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path + queryString(opts.query), { method, headers, body: opts.body === undefined ? null : JSON.stringify(opts.body), signal: opts.signal ?? null });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiFailure(0, 'network_error', `cannot reach the Costrail server (${(e as Error).message})`);
  }
  const text = await res.text();
  let json: unknown = undefined;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  }
  if (!res.ok) {
    const err = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
    if (res.status === 401 && !opts.token) onUnauthorized?.();
    throw new ApiFailure(res.status, err?.code ?? `http_${res.status}`, err?.message ?? (text.slice(0, 200) || res.statusText));
  }
  return json as T;
}

/** Lists come back as an array or as `{ <name>: [...] }`; the dashboard accepts either. */
export function listOf<T>(body: unknown, name: string): T[] {
  if (Array.isArray(body)) return body as T[];
  if (body && typeof body === 'object') {
    const named = (body as Record<string, unknown>)[name];
    if (Array.isArray(named)) return named as T[];
    const first = Object.values(body as Record<string, unknown>).find(Array.isArray);
    if (first) return first as T[];
  }
  return [];
}
