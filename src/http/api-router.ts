/**
 * The management API under /api: a small router (method + path pattern with `{param}`s), bearer
 * authentication, JSON in and out, zod validation at the edge, and an OpenAPI document built from
 * the same registrations so the served spec cannot drift from the routes.
 *
 * Domain modules (keys, budgets, analytics, alerts…) each export `registerXxxRoutes(api, …)`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z, type ZodType } from 'zod';
import { ApiError, apiErrorBody } from './api-error.js';
import type { ApiAuthenticator, Principal } from './principal.js';
import { defaultLogger, type Logger } from './logger.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ApiRequest<B = unknown> {
  method: HttpMethod;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  /** Parsed and validated by the route's `body` schema when it has one. */
  body: B;
  principal: Principal;
  raw: IncomingMessage;
}

export interface ApiResult {
  status?: number;
  /** JSON-serialised unless `text` is given. */
  body?: unknown;
  /** A non-JSON body (CSV, Markdown, HTML) with its content type. */
  text?: { contentType: string; content: string; filename?: string };
  headers?: Record<string, string>;
}

export interface ApiRoute<B = unknown> {
  method: HttpMethod;
  /** e.g. `/api/budgets/{id}` */
  path: string;
  summary: string;
  /** OpenAPI tag (the domain: Ledger, Budgets, Keys, Alerts…). */
  tag: string;
  /** Who may call it: `admin` (admin token only) or `read` (any valid token; data is limited to its scope). Default `admin`. */
  access?: 'admin' | 'read';
  /** Validates the JSON body; a failure is a 400 naming the field. */
  body?: ZodType<B>;
  /** Documented query parameters (name → description). */
  queryParams?: Record<string, string>;
  /** Documents the JSON success body in the OpenAPI document (not validated at run time). */
  response?: ZodType;
  /** Success status when it is not 200 (201 for creations), for the OpenAPI document. */
  successStatus?: number;
  handler: (req: ApiRequest<B>) => Promise<ApiResult> | ApiResult;
}

/** The body of every API error (see api-error.ts). */
const API_ERROR_SCHEMA = z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) });

function responsesOf(route: ApiRoute<unknown>): Record<string, unknown> {
  const status = String(route.successStatus ?? 200);
  const error = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
  const success = route.response
    ? { description: status === '201' ? 'Created' : 'OK', content: { 'application/json': { schema: z.toJSONSchema(route.response, { io: 'output', unrepresentable: 'any' }) } } }
    : { description: status === '201' ? 'Created' : 'OK' };
  const responses: Record<string, unknown> = { [status]: success, '400': error('Invalid request'), '401': error('Missing or invalid token') };
  if ((route.access ?? 'admin') === 'admin') responses['403'] = error('Needs the admin token');
  if (route.path.includes('{')) responses['404'] = error('No such resource');
  return responses;
}

interface CompiledRoute {
  route: ApiRoute<unknown>;
  pattern: RegExp;
  names: string[];
}

const MAX_BODY_BYTES = 8 * 1024 * 1024;

export class ApiRouter {
  private readonly routes: CompiledRoute[] = [];

  constructor(
    private readonly auth: ApiAuthenticator,
    private readonly log?: Logger,
  ) {}

  add<B>(route: ApiRoute<B>): void {
    const names: string[] = [];
    const source = route.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([a-zA-Z_]+)\}/g, (_m, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    this.routes.push({ route: route as ApiRoute<unknown>, pattern: new RegExp(`^${source}$`), names });
  }

  /** True when the path belongs to the API (the server sends everything under /api here). */
  handles(url: string): boolean {
    return url === '/api' || url.startsWith('/api/') || url.startsWith('/api?');
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const result = await this.dispatch(req);
      send(res, result);
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError(500, 'internal_error', 'internal error; see the server log');
      if (!(err instanceof ApiError)) (this.log ?? defaultLogger().log).error({ path: (req.url ?? '').split('?')[0], err: (err as Error).message }, 'api failure');
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res.writeHead(e.status, { 'content-type': 'application/json' });
      res.end(apiErrorBody(e));
    }
  }

  private async dispatch(req: IncomingMessage): Promise<ApiResult> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase() as HttpMethod;
    if (url.pathname === '/api/openapi.json' && method === 'GET') return { body: this.openApi() };

    let pathMatched = false;
    for (const c of this.routes) {
      const m = c.pattern.exec(url.pathname);
      if (!m) continue;
      pathMatched = true;
      if (c.route.method !== method) continue;
      const principal = this.auth.authenticate(bearer(req));
      if (!principal) throw new ApiError(401, 'unauthorized', 'missing or invalid token: send Authorization: Bearer <admin token or API token>');
      if ((c.route.access ?? 'admin') === 'admin' && principal.kind !== 'admin') throw ApiError.forbidden('this endpoint needs the admin token');
      const params: Record<string, string> = {};
      c.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1] ?? '')));
      let body: unknown = undefined;
      if (method !== 'GET' && method !== 'DELETE') body = isJsonLines(req) ? (await readBody(req)).toString('utf8') : await readJson(req);
      if (c.route.body) {
        const parsed = c.route.body.safeParse(body ?? {});
        if (!parsed.success) throw ApiError.badRequest(validationMessage(parsed.error), parsed.error.issues);
        body = parsed.data;
      }
      return c.route.handler({ method, path: url.pathname, params, query: url.searchParams, body, principal, raw: req });
    }
    if (pathMatched) throw new ApiError(405, 'method_not_allowed', `${method} is not allowed on ${url.pathname}`);
    throw ApiError.notFound(`no API endpoint ${method} ${url.pathname}; see /api/openapi.json`);
  }

  /** OpenAPI 3.1 from the registrations; request bodies carry their JSON Schema (zod's own export). */
  openApi(): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const { route } of this.routes) {
      const op: Record<string, unknown> = {
        summary: route.summary,
        tags: [route.tag],
        security: [{ bearer: [] }],
        responses: responsesOf(route),
      };
      const params = Object.entries(route.queryParams ?? {}).map(([name, description]) => ({ name, in: 'query', required: false, description, schema: { type: 'string' } }));
      for (const name of route.path.match(/\{([a-zA-Z_]+)\}/g) ?? []) params.push({ name: name.slice(1, -1), in: 'path', required: true, description: '', schema: { type: 'string' } } as never);
      if (params.length) op['parameters'] = params;
      if (route.body) op['requestBody'] = { required: true, content: { 'application/json': { schema: z.toJSONSchema(route.body, { io: 'input', unrepresentable: 'any' }) } } };
      (paths[route.path] ??= {})[route.method.toLowerCase()] = op;
    }
    return {
      openapi: '3.1.0',
      info: { title: 'Costrail management API', version: '1' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } }, schemas: { Error: z.toJSONSchema(API_ERROR_SCHEMA) } },
      paths,
    };
  }
}

function bearer(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  if (typeof h !== 'string') return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(h.trim());
  return m?.[1];
}

/**
 * A JSON Lines body (`application/x-ndjson` or `application/jsonl`), CSV (`text/csv`, billing
 * exports) or plain text (`text/plain`, Prometheus scrapes) reaches the handler as its text.
 */
function isJsonLines(req: IncomingMessage): boolean {
  return /^(application\/(x-ndjson|jsonl|x-jsonlines)|text\/(csv|plain))\b/i.test(String(req.headers['content-type'] ?? ''));
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_BODY_BYTES) throw new ApiError(413, 'payload_too_large', `request body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const bytes = await readBody(req);
  if (bytes.length === 0) return undefined;
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw ApiError.badRequest('request body is not valid JSON');
  }
}

function validationMessage(err: z.ZodError): string {
  const first = err.issues[0];
  if (!first) return 'invalid request body';
  const where = first.path.length ? first.path.join('.') : 'body';
  return `${where}: ${first.message}`;
}

function send(res: ServerResponse, result: ApiResult): void {
  const headers: Record<string, string> = { ...(result.headers ?? {}) };
  if (result.text) {
    headers['content-type'] = result.text.contentType;
    if (result.text.filename) headers['content-disposition'] = `attachment; filename="${result.text.filename}"`;
    res.writeHead(result.status ?? 200, headers);
    res.end(result.text.content);
    return;
  }
  if (result.body === undefined) {
    res.writeHead(result.status ?? 204, headers);
    res.end();
    return;
  }
  headers['content-type'] = 'application/json';
  res.writeHead(result.status ?? 200, headers);
  res.end(JSON.stringify(result.body));
}
