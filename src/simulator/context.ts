/**
 * Per-request controls (read from `x-sim-*` headers over the server defaults), the writers that
 * apply them (JSON body, SSE / JSON-array stream with delays, truncation and garbage), and the
 * three providers' error bodies. Headers rather than server state so every test controls its own
 * call without interfering with calls running beside it.
 */
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { AwsCredentials } from '../providers/bedrock/sigv4.js';
import type { AdminCostsOptions } from './admin-costs.js';

export interface SimulatorOptions {
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Delay before response headers, ms (default 0). */
  latencyMs?: number;
  /** Delay between streamed content deltas, ms (default 0). */
  chunkDelayMs?: number;
  /** Content deltas per stream (default 20). */
  chunks?: number;
  /** Output tokens when the request sets no limit (default 40). */
  defaultOutputTokens?: number;
  /** Requests kept for `lastRequests()` (default 100). */
  recordLimit?: number;
  /** Bedrock: the credentials and region signatures are verified against (default SIM_AWS_CREDENTIALS, us-east-1). */
  bedrock?: { credentials?: AwsCredentials; region?: string };
  /** The simulated admin cost APIs: seed of their figures, the admin key they accept. */
  adminCosts?: AdminCostsOptions;
}

export type ErrorStyle = 'openai' | 'anthropic' | 'gemini';

export interface SimControls {
  status?: number;
  retryAfter: string;
  latencyMs: number;
  chunkDelayMs: number;
  chunks: number;
  failAfterChunks?: number;
  malformed: boolean;
  noUsage: boolean;
  cachedTokens: number;
  outputTokens?: number;
  reasoningTokens?: number;
  defaultOutputTokens: number;
  /** `x-sim-tool-call: 1`: answer with a call to the request's first tool (tool-call.ts). */
  toolCall: boolean;
}

function header(h: IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

function intHeader(h: IncomingHttpHeaders, name: string): number | undefined {
  const v = header(h, name);
  if (v === undefined) return undefined;
  const n = Number.parseInt(v, 10);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

export function readControls(h: IncomingHttpHeaders, o: SimulatorOptions): SimControls {
  return {
    status: intHeader(h, 'x-sim-status'),
    retryAfter: header(h, 'x-sim-retry-after') ?? '1',
    latencyMs: intHeader(h, 'x-sim-latency-ms') ?? o.latencyMs ?? 0,
    chunkDelayMs: intHeader(h, 'x-sim-chunk-delay-ms') ?? o.chunkDelayMs ?? 0,
    chunks: Math.max(1, intHeader(h, 'x-sim-chunks') ?? o.chunks ?? 20),
    failAfterChunks: intHeader(h, 'x-sim-fail-after-chunks'),
    malformed: header(h, 'x-sim-malformed') === '1',
    noUsage: header(h, 'x-sim-no-usage') === '1',
    cachedTokens: intHeader(h, 'x-sim-cached-tokens') ?? 0,
    outputTokens: intHeader(h, 'x-sim-output-tokens'),
    reasoningTokens: intHeader(h, 'x-sim-reasoning-tokens'),
    defaultOutputTokens: o.defaultOutputTokens ?? 40,
    toolCall: header(h, 'x-sim-tool-call') === '1',
  };
}

/** Output length: explicit header, else the request's own limit, else the default. */
export function outputTarget(c: SimControls, requestLimit: unknown): { tokens: number; limited: boolean } {
  if (c.outputTokens !== undefined) return { tokens: c.outputTokens, limited: false };
  if (typeof requestLimit === 'number' && requestLimit > 0) return { tokens: requestLimit, limited: true };
  return { tokens: c.defaultOutputTokens, limited: false };
}

export const sleep = (ms: number): Promise<void> => (ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve());

const OPENAI_ERR: Record<number, [string, string]> = {
  400: ['invalid_request_error', 'invalid_request'],
  401: ['invalid_request_error', 'invalid_api_key'],
  403: ['invalid_request_error', 'unsupported_country_region_territory'],
  404: ['invalid_request_error', 'model_not_found'],
  429: ['requests', 'rate_limit_exceeded'],
};
const ANTHROPIC_ERR: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  529: 'overloaded_error',
};
const GEMINI_ERR: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/** The error body each real provider sends for this status. */
export function errorBody(style: ErrorStyle, status: number, message: string): unknown {
  if (style === 'openai') {
    const [type, code] = OPENAI_ERR[status] ?? ['server_error', null];
    return { error: { message, type, param: null, code } };
  }
  if (style === 'anthropic') return { type: 'error', error: { type: ANTHROPIC_ERR[status] ?? 'api_error', message } };
  return { error: { code: status, message, status: GEMINI_ERR[status] ?? 'INTERNAL' } };
}

export function sendError(res: ServerResponse, style: ErrorStyle, status: number, message: string, retryAfter = '1'): void {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  // Real providers send Retry-After on rate limits (and Anthropic on 529); SDKs and the gateway honour it.
  if (status === 429 || status === 529 || status === 503) headers['retry-after'] = retryAfter;
  res.writeHead(status, headers).end(JSON.stringify(errorBody(style, status, message)));
}

export function sendJson(res: ServerResponse, c: SimControls, body: unknown): void {
  // Malformed: a body cut mid-object, the way a proxy that truncates responses would leave it.
  const text = c.malformed ? JSON.stringify(body).slice(0, 40) : JSON.stringify(body);
  res.writeHead(200, { 'content-type': 'application/json' }).end(text);
}

/** One streamed item: `delta` ones count toward `x-sim-chunks` / `x-sim-fail-after-chunks`. */
export interface StreamEvent {
  event?: string;
  data: unknown;
  delta?: boolean;
}

/**
 * Writes a stream as SSE (`format: 'sse'`), or as Gemini's chunked JSON array. Applies the
 * chunk delay between deltas, the mid-stream socket destruction and the garbage event.
 */
export async function writeStream(res: ServerResponse, c: SimControls, events: StreamEvent[], format: 'sse' | 'json-array' = 'sse'): Promise<void> {
  res.writeHead(200, {
    'content-type': format === 'sse' ? 'text/event-stream' : 'application/json',
    'cache-control': 'no-cache',
  });
  if (format === 'json-array') res.write('[');
  let deltas = 0;
  let first = true;
  for (const ev of events) {
    if (res.destroyed) return;
    if (ev.delta) {
      if (c.failAfterChunks !== undefined && deltas >= c.failAfterChunks) {
        // Let what was written reach the client first, then hang up without the terminating
        // chunk: the client sees a truncated body, as when an upstream dies mid-stream.
        await new Promise<void>((r) => res.write('', () => r()));
        res.socket?.destroy();
        return;
      }
      if (deltas > 0) await sleep(c.chunkDelayMs);
      deltas++;
    }
    const json = typeof ev.data === 'string' ? ev.data : JSON.stringify(ev.data);
    if (format === 'sse') res.write(ev.event ? `event: ${ev.event}\ndata: ${json}\n\n` : `data: ${json}\n\n`);
    else res.write((first ? '' : ',\r\n') + json);
    first = false;
    if (c.malformed && deltas === 1 && ev.delta) {
      res.write(format === 'sse' ? 'data: {"garbage": tru\n\n' : ',\r\n{"garbage": tru');
    }
  }
  if (format === 'json-array') res.write(']');
  res.end();
}

let seq = 0;
/** Unique-enough ids in each provider's style, without crypto per request. */
export function nextId(prefix: string): string {
  seq = (seq + 1) % 1e9;
  return `${prefix}sim${Date.now().toString(36)}${seq.toString(36).padStart(6, '0')}`;
}
