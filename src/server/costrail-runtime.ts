/**
 * Assembles one Costrail process: embedded store, ledger writer (spool + batches), price book,
 * gateway and the HTTP server. `serve`, `demo`, benchmarks and tests all start it this way.
 */
import type { AddressInfo } from 'node:net';
import { Gateway } from '../gateway/gateway.js';
import { resolveUpstreams, type UpstreamMap } from '../gateway/upstreams.js';
import { LedgerWriter } from '../ledger/ledger-writer.js';
import { loadPriceBook } from '../pricing/catalog-loader.js';
import { DuckDbStore } from '../store/embedded/duckdb-store.js';
import fs from 'node:fs';
import path from 'node:path';
import { ApiRouter } from './api/api-router.js';
import { loadAdminToken, TokenAuthenticator } from './api/principal.js';
import { registerApiRoutes } from './api-routes.js';
import { createCostrailServer } from './http-server.js';
import type { RuntimeContext } from './runtime-context.js';
import { GatewayMetrics } from './gateway-metrics.js';
import { alertServiceFor } from '../alerts/alert-service.js';
import type { AlertsConfig } from '../alerts/channels/channel-config.js';

export interface RuntimeOptions {
  port: number;
  host?: string;
  dataDir: string;
  /** Explicit upstreams (tests, demo); otherwise env and config decide. */
  upstreams?: UpstreamMap;
  quiet?: boolean;
  /** Write `<data>/server.json` so CLI commands find this server (off for in-process CLI runtimes). */
  advertise?: boolean;
  /** `alerts:` from the serve config; the every-minute evaluator runs in advertised (serve, demo) processes. */
  alerts?: AlertsConfig;
}

/** Where a running server tells CLI commands on the same data folder how to reach it. */
export const SERVER_FILE = 'server.json';

export interface CostrailRuntime {
  url: string;
  store: DuckDbStore;
  writer: LedgerWriter;
  /** The admin token for /api (from COSTRAIL_ADMIN_TOKEN or `<data>/admin-token`). */
  adminToken: string;
  /** True when this start created the admin token (serve prints it once). */
  adminTokenCreated: boolean;
  context: RuntimeContext;
  close(): Promise<void>;
}

export async function startCostrail(opts: RuntimeOptions): Promise<CostrailRuntime> {
  const book = loadPriceBook({ dataDir: opts.dataDir });
  const store = await DuckDbStore.open(opts.dataDir);
  const writer = new LedgerWriter({
    dataDir: opts.dataDir,
    store,
    onError: (err) => {
      if (!opts.quiet) console.error(JSON.stringify({ level: 'warn', msg: 'ledger store write failed; records stay spooled', err: (err as Error).message }));
    },
  });
  // Records of calls answered before a crash are still in the spool: commit them first.
  const recovered = await writer.recover();
  if (recovered.records > 0 && !opts.quiet) console.error(JSON.stringify({ level: 'info', msg: 'recovered spooled ledger records', ...recovered }));

  const metrics = new GatewayMetrics(() => writer.stats().spoolDepth);
  // Spool first (durability), then metrics: both see the same record.
  const sink = {
    write(record: Parameters<LedgerWriter['write']>[0]): void {
      writer.write(record);
      metrics.observe(record);
    },
  };
  const gateway = new Gateway({ upstreams: resolveUpstreams(process.env, opts.upstreams), book, sink });
  const admin = loadAdminToken(opts.dataDir);
  const auth = new TokenAuthenticator(admin.token);
  const context: RuntimeContext = { dataDir: opts.dataDir, store, writer, book, auth };
  const api = new ApiRouter(auth);
  registerApiRoutes(api, context);
  const server = createCostrailServer({ gateway, api, metrics, health: () => ({ spool_depth: writer.stats().spoolDepth, price_version: book.version }) });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const url = `http://${addr.address.includes(':') ? `[${addr.address}]` : addr.address}:${addr.port}`;
  const alerts = alertServiceFor(store, { config: opts.alerts, baseUrl: url });
  if (opts.advertise) alerts.start();

  const serverFile = path.join(opts.dataDir, SERVER_FILE);
  if (opts.advertise) fs.writeFileSync(serverFile, JSON.stringify({ url, pid: process.pid, started_at: new Date().toISOString() }) + '\n');

  let closing: Promise<void> | undefined;
  return {
    url,
    store,
    writer,
    adminToken: admin.token,
    adminTokenCreated: admin.created,
    context,
    close() {
      closing ??= (async () => {
        if (opts.advertise) fs.rmSync(serverFile, { force: true });
        await new Promise<void>((r) => {
          server.close(() => r());
          server.closeAllConnections();
        });
        await gateway.close();
        await alerts.stop();
        await writer.close();
        await store.close();
      })();
      return closing;
    },
  };
}
