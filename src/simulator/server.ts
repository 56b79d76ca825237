/**
 * The simulated provider: one `node:http` server on 127.0.0.1 speaking the OpenAI, Anthropic and
 * Gemini wire formats. It is the upstream in gateway tests, benchmarks and `costrail demo`, so it
 * does nothing per request beyond parsing JSON and tokenizing the prompt (outputs are cached).
 */
import { AdminCostsApi } from './admin-costs.js';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { anthropicModels, countTokens, messages } from './anthropic.js';
import { azure } from './azure.js';
import { bedrock } from './bedrock.js';
import { readControls, sendError, sendJson, sleep, type ErrorStyle, type SimControls, type SimulatorOptions } from './context.js';
import { generateContent, geminiModels, geminiTexts } from './gemini.js';
import { chatCompletions, embeddings, models, responses } from './openai.js';
import { countPromptTokens } from './tokens.js';

export type { SimulatorOptions } from './context.js';

/** One request as the simulator received it (what a gateway forwarded). */
export interface SimRequest {
  method: string;
  /** Path with query string. */
  path: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body; the raw string when it was not JSON; undefined when empty. */
  body: unknown;
  at: number;
}

export interface Simulator {
  url: string;
  port: number;
  close(): Promise<void>;
  stats: { requests: number };
  /** The most recent requests, oldest first (bounded by `recordLimit`). */
  lastRequests(): SimRequest[];
  clearRequests(): void;
  /** The simulated admin cost APIs (OpenAI Costs, Anthropic cost_report): figures and fault injection. */
  admin: AdminCostsApi;
  /**
   * The next `count` model calls (any provider shape) fail with `status` in their provider's error
   * format (with `Retry-After: retryAfter` on 429/503/529), whatever their headers say: retries and
   * fallbacks see a provider that fails, then recovers.
   */
  failNext(status: number, count?: number, retryAfter?: string): void;
}

type Rec = Record<string, unknown>;

function styleFor(path: string): ErrorStyle {
  if (path.startsWith('/v1beta/')) return 'gemini';
  if (path.startsWith('/v1/messages')) return 'anthropic';
  return 'openai';
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const GEMINI_PATH = /^\/v1beta\/models\/([^:/]+):(generateContent|streamGenerateContent|countTokens)$/;

async function route(req: IncomingMessage, res: ServerResponse, c: SimControls, body: Rec, pathname: string, query: URLSearchParams): Promise<void> {
  const m = req.method ?? 'GET';
  if (m === 'POST' && pathname === '/v1/chat/completions') return chatCompletions(res, c, body);
  if (m === 'POST' && pathname === '/v1/responses') return responses(res, c, body);
  if (m === 'POST' && pathname === '/v1/embeddings') return embeddings(res, c, body);
  if (m === 'POST' && pathname === '/v1/messages') return messages(res, c, body);
  if (m === 'POST' && pathname === '/v1/messages/count_tokens') return countTokens(res, c, body);
  // Anthropic and OpenAI share GET /v1/models; Anthropic clients always send anthropic-version.
  if (m === 'GET' && pathname === '/v1/models') return req.headers['anthropic-version'] ? anthropicModels(res, c) : models(res, c);
  if (m === 'GET' && pathname === '/v1beta/models') return geminiModels(res, c);
  const g = GEMINI_PATH.exec(pathname);
  if (m === 'POST' && g) {
    const model = decodeURIComponent(g[1]!);
    if (g[2] === 'countTokens') return sendJson(res, c, { totalTokens: countPromptTokens(geminiTexts(body)) });
    return generateContent(res, c, body, model, g[2] === 'streamGenerateContent', query.get('alt') === 'sse');
  }
  sendError(res, styleFor(pathname), 404, `simulator: no route for ${m} ${pathname}`);
}

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const limit = Math.max(1, opts.recordLimit ?? 100);
  const ring: SimRequest[] = [];
  const stats = { requests: 0 };
  const admin = new AdminCostsApi(opts.adminCosts);
  const failures: { status: number; retryAfter: string }[] = [];

  const server = createServer((req, res) => {
    void (async () => {
      stats.requests++;
      const raw = await readBody(req);
      const url = new URL(req.url ?? '/', 'http://sim');
      let body: unknown = undefined;
      let badJson = false;
      if (raw.length > 0) {
        try {
          body = JSON.parse(raw);
        } catch {
          body = raw;
          badJson = true;
        }
      }
      ring.push({ method: req.method ?? 'GET', path: url.pathname + url.search, headers: req.headers, body, at: Date.now() });
      if (ring.length > limit) ring.shift();
      if (admin.handle(req, res, url)) return;

      const c = readControls(req.headers, opts);
      const style = styleFor(url.pathname);
      const failure = failures.shift();
      if (failure) return sendError(res, style, failure.status, `simulated ${failure.status} (failNext)`, failure.retryAfter);
      await sleep(c.latencyMs);
      if (c.status !== undefined && c.status >= 400) {
        return sendError(res, style, c.status, `simulated ${c.status} (x-sim-status)`, c.retryAfter);
      }
      if (badJson) return sendError(res, style, 400, 'simulator: request body is not valid JSON');
      const rec = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Rec) : {};
      if (await bedrock(req, res, c, raw, rec, url, opts.bedrock)) return;
      if (await azure(req, res, c, rec, url.pathname, url.searchParams)) return;
      await route(req, res, c, rec, url.pathname, url.searchParams);
    })().catch((err: unknown) => {
      // A handler bug must not take the server down mid-benchmark; report it as a 500.
      if (!res.headersSent) sendError(res, 'openai', 500, `simulator error: ${String(err)}`);
      else res.destroy();
    });
  });
  // Clients (undici, the SDKs) reuse connections; keep them longer than their idle timeouts.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stats,
    admin,
    failNext: (status, count = 1, retryAfter = '1') => {
      for (let i = 0; i < count; i++) failures.push({ status, retryAfter });
    },
    lastRequests: () => ring.slice(),
    clearRequests: () => void ring.splice(0),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Idle keep-alive sockets would hold close() open; in-flight streams are cut too.
        server.closeAllConnections();
      }),
  };
}
