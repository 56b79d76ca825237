/**
 * One HTTP server for everything `costrail serve` exposes: the gateway routes, /healthz, and
 * (as their issues land) /api, /metrics and the dashboard.
 */
import { createServer, type Server } from 'node:http';
import type { Gateway } from '../gateway/gateway.js';
import type { ApiRouter } from './api/api-router.js';
import type { GatewayMetrics } from './gateway-metrics.js';
import type { DashboardAssets } from './dashboard-assets.js';
import { defaultLogger, type Logger } from './logger.js';
import type { MetricsAccess } from './metrics-access.js';

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
}

export function createCostrailServer(parts: ServerParts): Server {
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'ok', ...(parts.health?.() ?? {}) }));
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
        res.end(JSON.stringify({ error: { message: 'internal gateway error', type: 'internal_error' } }));
      } else res.destroy();
    });
  });
  server.keepAliveTimeout = 65_000;
  return server;
}
