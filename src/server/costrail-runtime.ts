/**
 * Assembles one Costrail process: embedded store, ledger writer (spool + batches), price book,
 * gateway and the HTTP server. `serve`, `demo`, benchmarks and tests all start it this way.
 */
import type { AddressInfo } from 'node:net';
import { Gateway } from '../gateway/gateway.js';
import { ProviderRouter } from '../gateway/provider-router.js';
import { defaultRouting, type RoutingSetup } from './routing-config.js';
import { resolveUpstreams, type UpstreamMap } from '../gateway/upstreams.js';
import { LedgerWriter } from '../ledger/ledger-writer.js';
import { loadPriceBook } from '../pricing/catalog-loader.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import { openPolicy, type PolicyRuntimeOptions } from '../policy/open-policy.js';
import fs from 'node:fs';
import path from 'node:path';
import { ApiRouter } from './api/api-router.js';
import { loadAdminToken, TokenAuthenticator } from './api/principal.js';
import { registerApiRoutes } from './api-routes.js';
import { createCostrailServer } from './http-server.js';
import type { RuntimeContext } from './runtime-context.js';
import { GatewayMetrics } from './gateway-metrics.js';
import { DashboardAssets } from './dashboard-assets.js';
import { MetricsAccess, publicMetricsFromEnv } from './metrics-access.js';
import { KeyService } from '../keys/key-service.js';
import { loadMasterKey, SecretBox } from '../keys/master-key.js';
import type { KeysConfig } from '../keys/keys-config.js';
import { createLogger, type CostrailLogger } from './logger.js';
import { alertServiceFor, type AlertService } from '../alerts/alert-service.js';
import type { AlertsConfig } from '../alerts/channels/channel-config.js';

export interface RuntimeOptions {
  port: number;
  host?: string;
  dataDir: string;
  /** Explicit upstreams (tests, demo); otherwise env and config decide. */
  upstreams?: UpstreamMap;
  quiet?: boolean;
  /** Named providers, model routes, Bedrock access (from --config); default: built-ins and AWS_* env. */
  routing?: RoutingSetup;
  /** Write `<data>/server.json` so CLI commands find this server (off for in-process CLI runtimes). */
  advertise?: boolean;
  /** The config file's `keys:` section (pass-through mode, provider credentials). */
  keys?: KeysConfig;
  /** Default: JSON lines on stderr (silent when `quiet`). */
  logger?: CostrailLogger;
  /** Policy counters and clock (tests); default from env: COSTRAIL_REDIS_URL, COSTRAIL_RESERVATION_CEILING_USD. */
  policy?: PolicyRuntimeOptions;
  /** `alerts:` from the serve config; the every-minute evaluator runs in advertised (serve, demo) processes. */
  alerts?: AlertsConfig;
  /** Serve /metrics without a token (config `metrics.public`); else COSTRAIL_PUBLIC_METRICS, else admin only. */
  publicMetrics?: boolean;
}

/** Where a running server tells CLI commands on the same data folder how to reach it. */
export const SERVER_FILE = 'server.json';

export interface CostrailRuntime {
  url: string;
  store: Store;
  writer: LedgerWriter;
  /** The admin token for /api (from COSTRAIL_ADMIN_TOKEN or `<data>/admin-token`). */
  adminToken: string;
  /** True when this start created the admin token (serve prints it once). */
  adminTokenCreated: boolean;
  context: RuntimeContext;
  /** The anomaly detectors and alert channels (evaluated every minute in advertised processes). */
  alerts: AlertService;
  close(): Promise<void>;
}

export async function startCostrail(opts: RuntimeOptions): Promise<CostrailRuntime> {
  const logger = opts.logger ?? createLogger(opts.quiet ? { level: 'silent' } : {});
  const log = logger.log;
  const book = loadPriceBook({ dataDir: opts.dataDir });
  const store = await openStore(opts.dataDir);
  const writer = new LedgerWriter({
    dataDir: opts.dataDir,
    store,
    onError: (err) => log.warn({ err: (err as Error).message }, 'ledger store write failed; records stay spooled'),
  });
  // Records of calls answered before a crash are still in the spool: commit them first.
  const recovered = await writer.recover();
  if (recovered.records > 0) log.info(recovered, 'recovered spooled ledger records');
  const keys = await KeyService.open({ store, dataDir: opts.dataDir, config: opts.keys, log });

  const metrics = new GatewayMetrics(() => writer.stats().spoolDepth);
  // Spool first (durability), then metrics: both see the same record.
  const sink = {
    write(record: Parameters<LedgerWriter['write']>[0]): void {
      writer.write(record);
      metrics.observe(record);
      logger.access(record);
    },
  };
  const policy = await openPolicy({ store, book, writer, quiet: opts.quiet, ...opts.policy });
  const upstreams = resolveUpstreams(process.env, { ...opts.routing?.upstreams, ...opts.upstreams });
  const router = new ProviderRouter({ ...(opts.routing ?? defaultRouting()), upstreams });
  const gateway = new Gateway({ upstreams, book, sink, router, keys: keys.keys, policy: policy.engine, onTimings: (p, o, u) => metrics.observeTimings(p, o, u) });
  const admin = loadAdminToken(opts.dataDir);
  const auth = new TokenAuthenticator(admin.token);
  auth.addSource(keys.tokens);
  const context: RuntimeContext = { dataDir: opts.dataDir, store, writer, book, auth, keys, log, policy };
  const api = new ApiRouter(auth, log);
  registerApiRoutes(api, context);
  const metricsAccess = new MetricsAccess(auth, opts.publicMetrics ?? publicMetricsFromEnv(process.env) ?? false);
  const server = createCostrailServer({ gateway, api, metrics, metricsAccess, log, dashboard: new DashboardAssets(), health: () => ({ spool_depth: writer.stats().spoolDepth, price_version: book.version }) });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const url = `http://${addr.address.includes(':') ? `[${addr.address}]` : addr.address}:${addr.port}`;
  const alerts = alertServiceFor(store, { config: opts.alerts, baseUrl: url, budgets: { list: () => policy.list('budgets') } });
  // Channel secrets (webhook signing secret, SMTP password) are sealed under the master key;
  // rows from before sealing existed are sealed now.
  alerts.repo.useSecretBox(new SecretBox(loadMasterKey(opts.dataDir).key));
  const resealed = await alerts.repo.sealStoredSecrets();
  if (resealed > 0) log.info({ channels: resealed }, 'sealed alert channel secrets stored in clear by an earlier version');
  // Budget thresholds go out through the alert channels (Slack, email, webhooks).
  policy.onThreshold((budget) => void alerts.notify({ type: 'budget.threshold', budget }).catch(() => undefined));
  if (opts.advertise) alerts.start();

  const serverFile = path.join(opts.dataDir, SERVER_FILE);
  if (opts.advertise) fs.writeFileSync(serverFile, JSON.stringify({ url, pid: process.pid, started_at: new Date().toISOString() }) + '\n');
  log.info({ url, data: opts.dataDir, price_version: book.version }, 'costrail listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    store,
    writer,
    adminToken: admin.token,
    adminTokenCreated: admin.created,
    context,
    alerts,
    close() {
      closing ??= (async () => {
        if (opts.advertise) fs.rmSync(serverFile, { force: true });
        await new Promise<void>((r) => {
          server.close(() => r());
          server.closeAllConnections();
        });
        await gateway.close();
        await keys.close();
        await alerts.stop();
        await writer.close();
        await policy.close();
        await store.close();
      })();
      return closing;
    },
  };
}
