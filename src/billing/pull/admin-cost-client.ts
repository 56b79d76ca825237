/**
 * Fetches a provider's cost report from its admin API, every page: OpenAI's
 * `GET /v1/organization/costs` (Bearer admin key) and Anthropic's
 * `GET /v1/organizations/cost_report` (`x-api-key` + `anthropic-version`). Daily buckets,
 * `has_more` / `next_page` cursors. A 429, a 5xx or a dropped connection is retried with jittered
 * exponential back-off that honours `Retry-After`; any other answer stops the pull with the
 * provider's own message. The admin key goes only to the configured origin: the cursor is a query
 * parameter, never a URL the provider hands back.
 */
import { request } from 'undici';

export type PullProvider = 'openai' | 'anthropic';
export const PULL_PROVIDERS: readonly PullProvider[] = ['openai', 'anthropic'];

export interface AdminApiTarget {
  provider: PullProvider;
  /** OpenAI: up to and including `/v1` (as the SDK's base URL); Anthropic: the origin. */
  baseUrl: string;
  adminKey: string;
}

export interface FetchCostOptions {
  /** [from, to): ISO instants; whole UTC days are asked for. */
  from: string;
  to: string;
  maxAttempts?: number;
  /** First back-off step, ms (doubles each attempt, jittered, capped at 30 s). */
  backoffMs?: number;
  /** Longest Retry-After honoured, ms (a longer one fails the pull instead of hanging it). */
  maxRetryAfterMs?: number;
  timeoutMs?: number;
  maxPages?: number;
  sleep?: (ms: number) => Promise<void>;
  onPage?: (pages: number) => void;
}

export class AdminApiError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
    this.name = 'AdminApiError';
  }
}

/** The longest answer read per page: a runaway or hostile body stops the pull, not the process. */
const MAX_PAGE_BYTES = 32 * 1024 * 1024;

function pageUrl(t: AdminApiTarget, o: FetchCostOptions, cursor: string | null): URL {
  const base = t.baseUrl.replace(/\/+$/, '');
  const from = new Date(Math.floor(Date.parse(o.from) / 86_400_000) * 86_400_000);
  const to = new Date(Math.ceil(Date.parse(o.to) / 86_400_000) * 86_400_000);
  let url: URL;
  if (t.provider === 'openai') {
    url = new URL(`${base}/organization/costs`);
    url.searchParams.set('start_time', String(from.getTime() / 1000));
    url.searchParams.set('end_time', String(to.getTime() / 1000));
    url.searchParams.set('bucket_width', '1d');
    url.searchParams.append('group_by', 'project_id');
    url.searchParams.append('group_by', 'line_item');
    url.searchParams.set('limit', '180');
  } else {
    url = new URL(`${base}/v1/organizations/cost_report`);
    url.searchParams.set('starting_at', from.toISOString().replace('.000Z', 'Z'));
    url.searchParams.set('ending_at', to.toISOString().replace('.000Z', 'Z'));
    url.searchParams.append('group_by[]', 'workspace_id');
    url.searchParams.append('group_by[]', 'description');
    url.searchParams.set('limit', '31');
  }
  if (cursor !== null) url.searchParams.set('page', cursor);
  return url;
}

function headers(t: AdminApiTarget): Record<string, string> {
  return t.provider === 'openai' ? { authorization: `Bearer ${t.adminKey}`, accept: 'application/json' } : { 'x-api-key': t.adminKey, 'anthropic-version': '2023-06-01', accept: 'application/json' };
}

/** Seconds or an HTTP date, as ms from now; undefined when absent or unreadable. */
export function retryAfterMs(v: string | string[] | undefined, now = Date.now()): number | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  if (!s) return undefined;
  if (/^\d+(\.\d+)?$/.test(s.trim())) return Math.round(Number(s) * 1000);
  const at = Date.parse(s);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

/** The provider's error message from an error body, for the operator. */
function problem(status: number, text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } | string };
    const m = typeof body.error === 'object' ? body.error?.message : body.error;
    if (typeof m === 'string') return `${status}: ${m}`;
  } catch {
    // not JSON: fall through to the raw text
  }
  return `${status}: ${text.slice(0, 200)}`;
}

async function readBounded(body: AsyncIterable<Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of body) {
    size += c.length;
    if (size > MAX_PAGE_BYTES) throw new AdminApiError(`a page is over ${MAX_PAGE_BYTES / 1024 / 1024} MB; refusing it`, null);
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The admin key reads an organisation's whole bill: it goes over TLS, or over plain HTTP only to
 * this machine (a simulator, a local proxy), and never inside a URL's user part.
 */
function checkedOrigin(t: AdminApiTarget): string {
  let u: URL;
  try {
    u = new URL(t.baseUrl);
  } catch {
    throw new AdminApiError(`admin base URL "${t.baseUrl}" is not a URL`, null);
  }
  if (u.username || u.password) throw new AdminApiError('admin base URL must not carry credentials', null);
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && loopback)) throw new AdminApiError(`admin base URL must be https (plain http only on loopback), not ${u.origin}`, null);
  return u.origin;
}

const sleeper = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Every bucket must start inside the whole days asked for: an import replaces its source's lines over
 * the period it covers, so one stray bucket (a start of 0, a year off) would delete bill lines far
 * outside the pull.
 */
function checkBuckets(provider: PullProvider, page: unknown, o: FetchCostOptions, n: number): void {
  const lo = Math.floor(Date.parse(o.from) / 86_400_000) * 86_400_000;
  const hi = Math.ceil(Date.parse(o.to) / 86_400_000) * 86_400_000;
  const data = page && typeof page === 'object' ? (page as { data?: unknown }).data : undefined;
  if (!Array.isArray(data)) throw new AdminApiError(`page ${n} has no "data" array`, 200);
  for (const b of data) {
    const rec = (b && typeof b === 'object' ? b : {}) as Record<string, unknown>;
    const start = provider === 'openai' ? (typeof rec['start_time'] === 'number' ? rec['start_time'] * 1000 : NaN) : typeof rec['starting_at'] === 'string' ? Date.parse(rec['starting_at']) : NaN;
    if (!(start >= lo && start < hi)) throw new AdminApiError(`page ${n} has a bucket starting at ${String(provider === 'openai' ? rec['start_time'] : rec['starting_at'])}, outside the ${new Date(lo).toISOString().slice(0, 10)} – ${new Date(hi).toISOString().slice(0, 10)} asked for; nothing imported`, 200);
  }
}

/** Every page of the cost report for [from, to), in order, as parsed JSON. */
export async function fetchCostPages(t: AdminApiTarget, o: FetchCostOptions): Promise<unknown[]> {
  const maxAttempts = o.maxAttempts ?? 6;
  const backoff = o.backoffMs ?? 500;
  const maxRetryAfter = o.maxRetryAfterMs ?? 120_000;
  const sleep = o.sleep ?? sleeper;
  const origin = checkedOrigin(t);
  const pages: unknown[] = [];
  let cursor: string | null = null;
  for (;;) {
    if (pages.length >= (o.maxPages ?? 1000)) throw new AdminApiError(`more than ${o.maxPages ?? 1000} pages; narrow --from/--to`, null);
    const url = pageUrl(t, o, cursor);
    // The one place the admin key leaves the process: only to the configured origin.
    if (url.origin !== origin) throw new AdminApiError(`refusing to send the admin key to ${url.origin}`, null);
    let page: unknown;
    for (let attempt = 1; ; attempt++) {
      let wait: number;
      let why: string;
      try {
        const res = await request(url, { method: 'GET', headers: headers(t), headersTimeout: o.timeoutMs ?? 30_000, bodyTimeout: o.timeoutMs ?? 30_000 });
        const text = await readBounded(res.body);
        if (res.statusCode === 200) {
          try {
            page = JSON.parse(text);
          } catch {
            throw new AdminApiError(`page ${pages.length + 1} is not JSON`, 200);
          }
          break;
        }
        why = problem(res.statusCode, text);
        if (res.statusCode !== 429 && res.statusCode < 500) throw new AdminApiError(`${t.provider} admin API answered ${why}`, res.statusCode);
        const after = retryAfterMs(res.headers['retry-after']);
        if (after !== undefined && after > maxRetryAfter) throw new AdminApiError(`${t.provider} admin API asks to retry after ${Math.round(after / 1000)} s (${why}); try again later`, res.statusCode);
        wait = after ?? Math.min(30_000, backoff * 2 ** (attempt - 1) * (0.5 + Math.random()));
      } catch (e) {
        if (e instanceof AdminApiError) throw e;
        why = (e as Error).message;
        wait = Math.min(30_000, backoff * 2 ** (attempt - 1) * (0.5 + Math.random()));
      }
      if (attempt >= maxAttempts) throw new AdminApiError(`${t.provider} admin API failed ${attempt} times (last: ${why})`, null);
      await sleep(wait);
    }
    checkBuckets(t.provider, page, o, pages.length + 1);
    pages.push(page);
    o.onPage?.(pages.length);
    const p = page as { has_more?: unknown; next_page?: unknown };
    if (p.has_more !== true) return pages;
    if (typeof p.next_page !== 'string' || p.next_page === '' || p.next_page === cursor) throw new AdminApiError(`page ${pages.length} says has_more but gives no new next_page`, 200);
    cursor = p.next_page;
  }
}
