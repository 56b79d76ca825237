/**
 * One HTTP server for everything `costrail serve` exposes: the gateway routes, /healthz, and
 * (as their issues land) /api, /metrics and the dashboard.
 */
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { errorBodyIn, type GatewayError } from '../gateway/error-format.js';
import { pathForRefusal } from '../gateway/request-target.js';
import { dialectOfPath } from '../gateway/route.js';
import type { Gateway } from '../gateway/gateway.js';
import type { ApiRouter } from '../http/api-router.js';
import type { GatewayMetrics } from './gateway-metrics.js';
import type { DashboardAssets } from './dashboard-assets.js';
import { defaultLogger, type Logger } from '../http/logger.js';
import type { MetricsAccess } from './metrics-access.js';
import type { OtlpReceiver } from '../otel/otlp-receiver.js';

export interface ServerParts {
  gateway: Gateway;
  api?: ApiRouter;
  health?: () => Record<string, unknown>;
  metrics?: GatewayMetrics;
  /**
   * Who may read /metrics (series carry team names and spend): by default the admin token only;
   * `true` when the operator made metrics public (`metrics.public` / COSTRAIL_PUBLIC_METRICS).
   */
  metricsAccess?: MetricsAccess;
  dashboard?: DashboardAssets;
  log?: Logger;
  /** OTLP/HTTP trace intake at POST /v1/traces (src/otel). */
  otel?: OtlpReceiver;
}

export function createCostrailServer(parts: ServerParts): Server {
  return hardenServer(createServer(costrailRequestHandler(parts)));
}

/**
 * Keep-alive and the answers Node gives before any routing (malformed request lines, bad header
 * bytes, CONNECT), in the caller's API format; every server Costrail listens on gets them.
 */
export function hardenServer(server: Server): Server {
  server.keepAliveTimeout = 65_000;
  // Node answers these before any routing, in no API's format: answer them in the caller's.
  server.on('clientError', (err: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Duplex) => refuseMalformed(err, socket));
  // CONNECT host:port (authority-form) is never a gateway call; without this Node just drops the socket.
  server.on('connect', (req: { url?: string }, socket: Duplex) => {
    answerRaw(socket, pathForRefusal(req.url ?? '*'), { status: 400, type: 'invalid_request_target', message: 'CONNECT is not a gateway call: the request target must be a path (origin-form, /…)' });
  });
  return server;
}

/** The handler alone, so a server already listening (started while waiting for the database) can adopt it. */
export function costrailRequestHandler(parts: ServerParts): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const url = req.url ?? '/';
    if (url === '/healthz') {
      const health = { status: 'ok', ...(parts.health?.() ?? {}) };
      // 503 only when this process refuses calls, so a load balancer sends them elsewhere.
      res.writeHead(health.status === 'unavailable' ? 503 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(health));
      return;
    }
    if (url === '/metrics' && parts.metrics) {
      const refused = parts.metricsAccess?.refusal(req.headers.authorization);
      if (refused) {
        res.writeHead(refused.status, { 'content-type': 'application/json', ...(refused.status === 401 ? { 'www-authenticate': 'Bearer' } : {}) });
        res.end(JSON.stringify({ error: { message: refused.message, type: refused.status === 401 ? 'unauthorized' : 'forbidden' } }));
        return;
      }
      const registry = parts.metrics.registry;
      registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': registry.contentType });
          res.end(text);
        },
        () => {
          res.writeHead(500);
          res.end();
        },
      );
      return;
    }
    if (parts.otel?.handles(url)) {
      parts.otel.handle(req, res).catch((err: unknown) => {
        (parts.log ?? defaultLogger().log).error({ err: (err as Error).message }, 'otlp intake failure');
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 13, message: 'internal error' }));
        else res.destroy();
      });
      return;
    }
    if (parts.api?.handles(url)) {
      void parts.api.handle(req, res);
      return;
    }
    if (parts.dashboard?.handle(req, res)) return;
    parts.gateway.handle(req, res).catch((err: unknown) => {
      // A bug in the gateway must not take the process down; the client gets a 500 in plain JSON.
      (parts.log ?? defaultLogger().log).error({ err: (err as Error).message, path: (req.url ?? '').split('?')[0] }, 'gateway failure');
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(errorBodyIn(dialectOfPath(pathForRefusal(req.url ?? '/')), { status: 500, type: 'internal_error', message: 'internal gateway error' }));
      } else res.destroy();
    });
  };
}

/** What Node's parser refused, in the status Node itself would use. */
function malformedError(code: string | undefined): GatewayError {
  if (code === 'HPE_HEADER_OVERFLOW') return { status: 431, type: 'request_header_fields_too_large', message: 'the request headers are too large' };
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return { status: 408, type: 'request_timeout', message: 'the request was not received in time' };
  return { status: 400, type: 'invalid_request', message: `malformed HTTP request (${code ?? 'parse error'})` };
}

function refuseMalformed(err: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  // The request line, if the parser got that far, says which SDK is calling (for the error dialect only).
  const head = err.rawPacket?.subarray(0, 8192).toString('latin1') ?? '';
  const target = /^[A-Za-z]+ (\S+)/.exec(head)?.[1] ?? '/';
  answerRaw(socket, pathForRefusal(target), malformedError(err.code));
}

/** Writes a complete response on a socket the HTTP server no longer drives, and closes it. */
function answerRaw(socket: Duplex, path: string, err: GatewayError): void {
  const body = errorBodyIn(dialectOfPath(path), err);
  socket.end(`HTTP/1.1 ${err.status} ${STATUS_CODES[err.status] ?? 'Error'}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}
