/**
 * The providers' admin cost APIs, simulated: OpenAI's `GET /v1/organization/costs` and Anthropic's
 * `GET /v1/organizations/cost_report`, in the shapes of their references (see
 * test/fixtures/billing): daily buckets, `has_more` / `next_page` paging, OpenAI amounts as JSON
 * numbers in dollars, Anthropic amounts as decimal strings in cents. The figures are a pure function
 * of the seed and the day, so a test can compute the provider's own total (`expectedTotalUsd`) and
 * check the pulled bill against it to the last digit. `failNext` queues failures (429 with
 * Retry-After, 5xx) for the next admin calls, so back-off is tested without real outages.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { seededRandom } from './seeded-random.js';

const DAY_S = 86_400;
const OPENAI_PROJECTS = ['proj_search', 'proj_support'];
const OPENAI_ITEMS = ['gpt-4o-2024-08-06, input', 'gpt-4o-2024-08-06, output', 'gpt-4o-mini-2024-07-18, input'];
const ANTHROPIC_WORKSPACES = ['wrkspc_01Search', 'wrkspc_01Support'];
const ANTHROPIC_ITEMS: { description: string; model: string | null; token_type: string | null; cost_type: string }[] = [
  { description: 'Claude Sonnet 4 Usage - Input Tokens', model: 'claude-sonnet-4-20250514', token_type: 'uncached_input_tokens', cost_type: 'tokens' },
  { description: 'Claude Sonnet 4 Usage - Output Tokens', model: 'claude-sonnet-4-20250514', token_type: 'output_tokens', cost_type: 'tokens' },
  { description: 'Claude Sonnet 4 Usage - Input Tokens, Cache Hit', model: 'claude-sonnet-4-20250514', token_type: 'cache_read_input_tokens', cost_type: 'tokens' },
  { description: 'Web Search Usage', model: null, token_type: null, cost_type: 'web_search' },
];

export type AdminProvider = 'openai' | 'anthropic';

export interface AdminCostsOptions {
  /** Seed of the figures (default 7). */
  seed?: number;
  /** The admin key the simulator accepts (default: any non-empty key). */
  adminKey?: string;
}

interface Failure {
  status: number;
  retryAfter?: string;
}

/** One result's amount in micro-dollars (integers: the expected totals are exact sums). */
function microUsd(seed: number, provider: AdminProvider, day: number, i: number): bigint {
  const r = seededRandom(seed * 1_000_003 + day * 31 + i * 7 + (provider === 'openai' ? 0 : 500_000))();
  return BigInt(Math.floor(r * 40_000_000)) + 1n; // up to $40 a line, never zero
}

const decimal = (micro: bigint, scale: number): string => {
  const neg = micro < 0n;
  const s = (neg ? -micro : micro).toString().padStart(scale + 1, '0');
  const int = s.slice(0, s.length - scale);
  const frac = s.slice(s.length - scale).replace(/0+$/, '');
  return `${neg ? '-' : ''}${int}${frac ? `.${frac}` : ''}`;
};

export class AdminCostsApi {
  private readonly failures: Failure[] = [];
  readonly calls: { provider: AdminProvider; query: string }[] = [];

  constructor(private readonly o: AdminCostsOptions = {}) {}

  /** The next `count` admin calls answer `status` (429 with `retryAfter` seconds when given). */
  failNext(status: number, count = 1, retryAfter?: string): void {
    for (let i = 0; i < count; i++) this.failures.push({ status, ...(retryAfter !== undefined ? { retryAfter } : {}) });
  }

  private stray = false;

  /** The next page carries one extra bucket dated 1970 (a hostile or broken answer). */
  strayBucketNext(): void {
    this.stray = true;
  }

  /** Drops failures still queued. */
  clearFailures(): void {
    this.failures.length = 0;
  }

  /** What the provider's bill says for [fromDay, toDay) (Unix days), in USD, exactly. */
  expectedTotalUsd(provider: AdminProvider, from: string, to: string): string {
    let sum = 0n;
    for (let d = Math.floor(Date.parse(from) / 86_400_000); d < Math.ceil(Date.parse(to) / 86_400_000); d++) for (const [i] of this.items(provider).entries()) sum += microUsd(this.seed, provider, d, i);
    return decimal(sum, 6);
  }

  /** Handles an admin cost call; false when the path is not one. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL): boolean {
    const provider: AdminProvider | null = url.pathname === '/v1/organization/costs' ? 'openai' : url.pathname === '/v1/organizations/cost_report' ? 'anthropic' : null;
    if (!provider || req.method !== 'GET') return false;
    this.calls.push({ provider, query: url.search });
    const key = provider === 'openai' ? /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] : (req.headers['x-api-key'] as string | undefined);
    if (!key || (this.o.adminKey !== undefined && key !== this.o.adminKey)) return this.error(res, provider, 401, 'invalid admin key'), true;
    if (provider === 'anthropic' && !req.headers['anthropic-version']) return this.error(res, provider, 400, 'anthropic-version header is required'), true;
    const fail = this.failures.shift();
    if (fail) return this.error(res, provider, fail.status, `simulated ${fail.status}`, fail.retryAfter), true;
    try {
      const page = provider === 'openai' ? this.openAiPage(url.searchParams) : this.anthropicPage(url.searchParams);
      if (this.stray) {
        this.stray = false;
        page.data.push(provider === 'openai' ? { object: 'bucket', start_time: 0, end_time: DAY_S, results: [] } : { starting_at: '1970-01-01T00:00:00Z', ending_at: '1970-01-02T00:00:00Z', results: [] });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(page));
    } catch (e) {
      this.error(res, provider, 400, (e as Error).message);
    }
    return true;
  }

  private get seed(): number {
    return this.o.seed ?? 7;
  }

  private items(provider: AdminProvider): unknown[] {
    return provider === 'openai' ? OPENAI_ITEMS.flatMap((item) => OPENAI_PROJECTS.map((p) => [p, item])) : ANTHROPIC_ITEMS.flatMap((item) => ANTHROPIC_WORKSPACES.map((w) => [w, item]));
  }

  private openAiPage(q: URLSearchParams): { data: unknown[]; [k: string]: unknown } {
    const start = Number(q.get('start_time'));
    if (!Number.isInteger(start)) throw new Error('start_time must be Unix seconds');
    const end = q.get('end_time') === null ? start + 7 * DAY_S : Number(q.get('end_time'));
    const limit = Math.min(180, Math.max(1, Number(q.get('limit') ?? 7)));
    const first = q.get('page') ? Number(Buffer.from(q.get('page')!, 'base64url').toString()) : Math.floor(start / DAY_S);
    const last = Math.ceil(end / DAY_S);
    const data = [];
    for (let d = first; d < Math.min(last, first + limit); d++) {
      const results = (this.items('openai') as [string, string][]).map(([project, item], i) => ({
        object: 'organization.costs.result',
        amount: { value: Number(decimal(microUsd(this.seed, 'openai', d, i), 6)), currency: 'usd' },
        line_item: item,
        project_id: project,
        api_key_id: null,
        quantity: null,
        quantity_unit: null,
      }));
      data.push({ object: 'bucket', start_time: d * DAY_S, end_time: (d + 1) * DAY_S, results });
    }
    const more = first + limit < last;
    return { object: 'page', data, has_more: more, next_page: more ? Buffer.from(String(first + limit)).toString('base64url') : null };
  }

  private anthropicPage(q: URLSearchParams): { data: unknown[]; [k: string]: unknown } {
    const start = Date.parse(q.get('starting_at') ?? '');
    if (!Number.isFinite(start)) throw new Error('starting_at must be an RFC 3339 instant');
    const end = q.get('ending_at') ? Date.parse(q.get('ending_at')!) : start + 7 * 86_400_000;
    const limit = Math.min(31, Math.max(1, Number(q.get('limit') ?? 7)));
    const first = q.get('page') ? Number(Buffer.from(q.get('page')!, 'base64url').toString()) : Math.floor(start / 86_400_000);
    const last = Math.ceil(end / 86_400_000);
    const data = [];
    for (let d = first; d < Math.min(last, first + limit); d++) {
      const results = (this.items('anthropic') as [string, (typeof ANTHROPIC_ITEMS)[number]][]).map(([workspace, item], i) => ({
        currency: 'USD',
        // cents, as the API sends them: micro-dollars / 10,000
        amount: decimal(microUsd(this.seed, 'anthropic', d, i), 4),
        workspace_id: workspace,
        description: item.description,
        cost_type: item.cost_type,
        context_window: item.model ? '0-200k' : null,
        model: item.model,
        service_tier: item.model ? 'standard' : null,
        token_type: item.token_type,
        inference_geo: null,
      }));
      data.push({ starting_at: new Date(d * 86_400_000).toISOString().replace('.000Z', 'Z'), ending_at: new Date((d + 1) * 86_400_000).toISOString().replace('.000Z', 'Z'), results });
    }
    const more = first + limit < last;
    return { data, has_more: more, next_page: more ? Buffer.from(String(first + limit)).toString('base64url') : null };
  }

  private error(res: ServerResponse, provider: AdminProvider, status: number, message: string, retryAfter?: string): void {
    const body = provider === 'openai' ? { error: { message, type: status === 429 ? 'rate_limit_exceeded' : 'server_error', code: null } } : { type: 'error', error: { type: status === 429 ? 'rate_limit_error' : status === 401 ? 'authentication_error' : 'api_error', message } };
    res.writeHead(status, { 'content-type': 'application/json', ...(retryAfter !== undefined ? { 'retry-after': retryAfter } : {}) }).end(JSON.stringify(body));
  }
}
