/**
 * Assembles one Costrail process: embedded store, ledger writer (spool + batches), price book,
 * gateway and the HTTP server. `serve`, `demo`, benchmarks and tests all start it this way.
 */
import { BodyCapture } from '../capture/body-capture.js';
import type { CaptureConfig } from '../capture/capture-config.js';
import { captureRepositoryFor } from '../capture/capture-store.js';
import { scheduleCaptureRetention } from '../capture/capture-retention.js';
import { ReplayService } from '../evaluation/replay-service.js';
import type { AddressInfo } from 'node:net';
import { Gateway } from '../gateway/gateway.js';
import { ProviderRouter } from '../gateway/provider-router.js';
import { RoutingService } from '../routing/routing-service.js';
import { defaultRouting, type RoutingSetup } from '../config/routing-config.js';
import { resolveUpstreams, type UpstreamMap } from '../gateway/upstreams.js';
import { LedgerWriter } from '../ledger/ledger-writer.js';
import { CurrentPriceBook } from '../pricing/current-price-book.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import { openPolicy, type PolicyRuntimeOptions } from '../policy/open-policy.js';
import { policySettingsFrom } from '../config/policy-settings.js';
import fs from 'node:fs';
import path from 'node:path';
import { ApiRouter } from '../http/api-router.js';
import { loadAdminToken, TokenAuthenticator } from '../http/principal.js';
import { registerApiRoutes } from './api-routes.js';
import { OtlpReceiver } from '../otel/otlp-receiver.js';
import { otelAttributeNames } from '../otel/otel-settings.js';
import { GatewayCallIndex } from '../otel/gateway-call-index.js';
import { SdkAdmission } from '../policy/sdk-admission.js';
import { RequestSpanExporter, type RequestSpanExportOptions } from '../otel/request-span-exporter.js';
import { requestSpanSettings } from '../config/otel-export-settings.js';
import { costrailRequestHandler, createCostrailServer, hardenServer } from './http-server.js';
import { createServer, type Server } from 'node:http';
import { isStoreUnavailable } from '../ledger/store-failure.js';
import { openStoreWhenReachable, REFUSE_UNTIL_DATABASE, waitingHandler, type DatabaseOutage } from './ledger-database-wait.js';
import type { RuntimeContext } from './runtime-context.js';
import { GatewayMetrics } from './gateway-metrics.js';
import { ledgerHealth } from './ledger-health.js';
import { makeDataDirPrivate } from './private-data-dir.js';
import { DashboardAssets } from './dashboard-assets.js';
import { MetricsAccess, publicMetricsFromEnv } from './metrics-access.js';
import { KeyService } from '../keys/key-service.js';
import { loadMasterKey, SecretBox } from '../keys/master-key.js';
import type { KeysConfig } from '../keys/keys-config.js';
import { createLogger, type CostrailLogger } from '../http/logger.js';
import { alertServiceFor, type AlertService } from '../alerts/alert-service.js';
import type { AlertsConfig } from '../alerts/channels/channel-config.js';
import { OutcomeHeaderRecorder } from '../economics/outcome-header.js';
import { scheduleRetention } from '../ledger-admin/retention.js';
import { BillingPullService } from '../billing/pull/billing-pull-service.js';
import { adminTargets } from '../billing/pull/billing-pull.js';
import { environment } from '../config/environment.js';
import { openResponseCache } from '../gateway/response-cache/open-response-cache.js';
import type { ResponseCache } from '../gateway/response-cache/response-cache.js';
import type { ResponseCacheConfig } from '../gateway/response-cache/response-cache-config.js';

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
  /**
   * Simulated traffic (`demo`): records carry `source: "simulator"`, and the store and counters are
   * the embedded ones whatever COSTRAIL_DATABASE_URL / COSTRAIL_REDIS_URL name, so a demo can never
   * reach a real ledger or a real budget.
   */
  simulated?: boolean;
  /**
   * `serve`: when the ledger database is unreachable at start, listen anyway (healthz degraded,
   * calls refused 503 and spooled) and finish starting once it answers, instead of failing.
   */
  waitForDatabase?: boolean;
  /** Delete raw ledger records older than this many days: 5 s after start, then daily (serve's retention). */
  retentionDays?: number;
  /** Costrail's own request spans to an OTLP/HTTP endpoint; default from COSTRAIL_OTEL_EXPORT_ENDPOINT; false: off. */
  requestSpans?: RequestSpanExportOptions | false;
  /** Serve /metrics without a token (config `metrics.public`); else COSTRAIL_PUBLIC_METRICS, else admin only. */
  publicMetrics?: boolean;
  /** `cache:` from the serve config: the gateway's response cache (Redis when COSTRAIL_REDIS_URL is set, unless simulated). */
  cache?: ResponseCacheConfig;
  /** A response cache built by the caller (tests); wins over `cache`. */
  responseCache?: ResponseCache;
  /** Body capture for replay evaluation (config `capture:`); off when absent or not enabled. */
  capture?: CaptureConfig;
}

/** How often the overrides file's mtime is checked (a stat, off the call path). */
const OVERRIDES_POLL_MS = 2_000;

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

function listen(server: Server, port: number, host = '127.0.0.1'): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
}

function serverUrl(server: Server): string {
  const addr = server.address() as AddressInfo;
  return `http://${addr.address.includes(':') ? `[${addr.address}]` : addr.address}:${addr.port}`;
}

/** A store that can commit a spool segment file as a whole (the embedded one). */
function segmentLoader(store: Store): store is Store & { insertSpoolSegment(file: string): Promise<{ inserted: number; records: number }> } {
  return typeof (store as { insertSpoolSegment?: unknown }).insertSpoolSegment === 'function';
}

export async function startCostrail(opts: RuntimeOptions): Promise<CostrailRuntime> {
  const logger = opts.logger ?? createLogger(opts.quiet ? { level: 'silent' } : {});
  const log = logger.log;
  makeDataDirPrivate(opts.dataDir);
  const book = new CurrentPriceBook({ dataDir: opts.dataDir });
  const storeEnv = opts.simulated ? {} : environment();
  let store: Store | undefined;
  let outage: DatabaseOutage | undefined;
  try {
    store = await openStore(opts.dataDir, storeEnv);
  } catch (e) {
    if (!opts.waitForDatabase || !isStoreUnavailable(e)) throw e;
    outage = { since: new Date().toISOString(), error: (e as Error).message };
    log.error({ dependency: 'ledger_database', err: outage.error }, 'ledger database unreachable at start; /healthz says degraded and calls are refused with 503 until it answers');
  }
  makeDataDirPrivate(opts.dataDir); // the files the store just created
  const writer = new LedgerWriter({
    dataDir: opts.dataDir,
    // Until the database answers, commits fail as "unreachable": records wait in the spool.
    store: {
      insertRecords: (records) => (store ? store.insertRecords(records) : Promise.reject(Object.assign(new Error('ledger database unreachable'), { code: 'ECONNREFUSED' }))),
      // Embedded: whole spool segments load off the event loop (staging worker + read_json).
      insertSpoolSegment: (file) => (store && segmentLoader(store) ? store.insertSpoolSegment(file) : null),
    },
    onError: (err) => log.warn({ err: (err as Error).message }, 'ledger store write failed; records stay spooled'),
    onQuarantine: (q) => log.error(q, 'ledger store refused records for their content; moved to the dead-letter file'),
    onSpoolHealth: (h) => (h.writable ? log.info({}, 'ledger spool writable again; accepting calls') : log.error({ err: h.error }, 'ledger spool cannot be written; refusing calls with 503 until it can')),
  });
  // Records of calls answered before a crash are still in the spool: commit them first.
  const recovered = await writer.recover();
  if (recovered.records > 0) log.info(recovered, 'recovered spooled ledger records');
  if (recovered.corrupt > 0) log.error({ corrupt_lines: recovered.corrupt }, 'spool recovery found corrupt lines (kept in .corrupt segment files); the records around them were recovered');

  const metrics = new GatewayMetrics(() => writer.stats().spoolDepth, () => writer.stats());
  // Spool first (durability), then metrics: both see the same record.
  const gatewayCalls = new GatewayCallIndex();
  const spanOptions = opts.requestSpans === false ? undefined : (opts.requestSpans ?? requestSpanSettings(environment()));
  const spans = spanOptions ? new RequestSpanExporter(spanOptions) : undefined;
  // Undefined when the export is off: the sink then makes no call for it.
  const observeSpan = spans && ((record: Parameters<LedgerWriter['write']>[0]): void => {
    if (record.source === 'gateway' || record.source === 'simulator') spans.observe(record);
  });
  const sink = {
    write(record: Parameters<LedgerWriter['write']>[0]): void {
      writer.write(record);
      gatewayCalls.note(record);
      observeSpan?.(record);
      metrics.observe(record);
      logger.access(record);
    },
    // Group commit: the gateway finishes the response once this settles (one spool write per turn).
    append(record: Parameters<LedgerWriter['write']>[0]): Promise<void> {
      const durable = writer.append(record);
      gatewayCalls.note(record);
      observeSpan?.(record);
      metrics.observe(record);
      logger.access(record);
      return durable;
    },
    writable: () => writer.writable(),
  };
  const upstreams = resolveUpstreams(environment(), { ...opts.routing?.upstreams, ...opts.upstreams });
  const router = new ProviderRouter({ ...(opts.routing ?? defaultRouting()), upstreams });
  let waiting: Server | undefined;
  if (!store) {
    const refusing = new Gateway({ upstreams, book, sink, router, keys: REFUSE_UNTIL_DATABASE, source: opts.simulated ? 'simulator' : 'gateway' });
    waiting = hardenServer(createServer(waitingHandler(refusing, outage!, () => ({ ...ledgerHealth(writer.stats()) }), log)));
    await listen(waiting, opts.port, opts.host);
    log.info({ url: serverUrl(waiting), data: opts.dataDir }, 'costrail listening, waiting for the ledger database');
    store = await openStoreWhenReachable(() => openStore(opts.dataDir, storeEnv), outage!, log, { stopped: false });
    await refusing.close();
    await writer.flush();
  }
  const keys = await KeyService.open({ store, dataDir: opts.dataDir, config: opts.keys, log });
  const policy = await openPolicy({ store, book, writer, quiet: opts.quiet, settings: policySettingsFrom(storeEnv), ...opts.policy });
  const outcomeHeaders = new OutcomeHeaderRecorder(store, log);
  const responseCache = opts.responseCache ?? (await openResponseCache(opts.cache, policySettingsFrom(storeEnv).redis, (err) => log.warn({ dependency: 'response_cache', err: err.message }, 'response cache unavailable; calls go upstream until it answers')));
  const captures = captureRepositoryFor(store);
  const box = new SecretBox(loadMasterKey(opts.dataDir).key);
  const capture = opts.capture?.enabled ? new BodyCapture(opts.capture, box, captures, (err) => log.warn({ err: err.message }, 'body capture write failed; those captures are dropped')) : undefined;
  const routing = new RoutingService({ router, book, config: opts.routing?.rules, dataDir: opts.dataDir, budgets: policy, log: (level, msg) => log[level]({}, msg) });
  const gateway = new Gateway({ responseCache, capture, upstreams, book, sink, router, routing: routing.table, keys: keys.keys, policy: policy.engine, allowedEndpoints: opts.keys?.allowedEndpoints, onTimings: (p, o, u) => metrics.observeTimings(p, o, u), source: opts.simulated ? 'simulator' : 'gateway', onOutcomeHeader: outcomeHeaders.record });
  const admin = loadAdminToken(opts.dataDir);
  const auth = new TokenAuthenticator(admin.token);
  auth.addSource(keys.tokens);
  // A demo never pulls a real bill: its ledger is simulated.
  const billingPulls = new BillingPullService(store, opts.simulated ? [] : adminTargets(environment()), (r) => {
    metrics.observeBillingPull(r.provider, r.status);
    if (r.status === 'failed' || r.status === 'refused') log.warn({ provider: r.provider, from: r.from, to: r.to, err: r.error }, 'billing pull failed');
    else log.info({ provider: r.provider, from: r.from, to: r.to, pages: r.pages, status: r.status, lines: r.import?.lines ?? 0 }, 'billing pulled');
  });
  const admission = new SdkAdmission({ policy: policy.engine, append: (r) => sink.append(r) });
  let selfUrl = '';
  const replays = new ReplayService({ repo: captures, box, gatewayUrl: () => selfUrl, onError: (id, err) => log.warn({ run: id, err: err.message }, 'replay run failed') });
  const context: RuntimeContext = { dataDir: opts.dataDir, store, writer, prices: book, auth, keys, log, policy, admission, billingPulls, routing, replays, captures, capture };
  const api = new ApiRouter(auth, log);
  registerApiRoutes(api, context);
  const metricsAccess = new MetricsAccess(auth, opts.publicMetrics ?? publicMetricsFromEnv(environment()) ?? false);
  const otel = new OtlpReceiver({ auth, prices: book, names: otelAttributeNames(environment()), gatewayCalls, append: (r) => sink.append(r) });
  const parts = { gateway, api, metrics, metricsAccess, log, otel, dashboard: new DashboardAssets(), health: () => ({ ...ledgerHealth(writer.stats()), price_version: book.current().version, key_mode: keys.keys.keyMode() }) };
  let server: Server;
  if (waiting) {
    // Same socket, so clients and health checks that found the waiting process keep their address.
    server = waiting;
    server.removeAllListeners('request');
    server.on('request', costrailRequestHandler(parts));
  } else {
    server = createCostrailServer(parts);
    await listen(server, opts.port, opts.host);
  }
  const url = serverUrl(server);
  selfUrl = url;
  const alerts = alertServiceFor(store, { config: opts.alerts, baseUrl: url, budgets: { list: () => policy.list('budgets') } });
  // Channel secrets (webhook signing secret, SMTP password) are sealed under the master key;
  // rows from before sealing existed are sealed now.
  alerts.repo.useSecretBox(box);
  const resealed = await alerts.repo.sealStoredSecrets();
  if (resealed > 0) log.info({ channels: resealed }, 'sealed alert channel secrets stored in clear by an earlier version');
  // Budget thresholds go out through the alert channels (Slack, email, webhooks).
  policy.onThreshold((budget) => void alerts.notify({ type: 'budget.threshold', budget }).catch(() => undefined));
  if (opts.advertise) alerts.start();
  if (opts.advertise) billingPulls.schedule();
  const captureRetention = capture ? scheduleCaptureRetention(captures, opts.capture!.retention_days, (r) => (r instanceof Error ? log.warn({ err: r.message }, 'capture retention failed') : r.deleted > 0 && log.info({ captures_deleted: r.deleted }, 'capture retention applied'))) : undefined;
  const retention = opts.retentionDays === undefined ? undefined : scheduleRetention(store, opts.retentionDays, (r) => (r instanceof Error ? log.warn({ err: r.message }, 'retention failed') : log.info({ ...r }, 'retention applied')));

  const serverFile = path.join(opts.dataDir, SERVER_FILE);
  if (opts.advertise) fs.writeFileSync(serverFile, JSON.stringify({ url, pid: process.pid, started_at: new Date().toISOString() }) + '\n');
  log.info({ url, data: opts.dataDir, price_version: book.current().version }, 'costrail listening');
  // A hand edit of price-overrides.json (or the CLI writing it beside this server) prices new calls within seconds.
  book.watch(
    OVERRIDES_POLL_MS,
    (b) => log.info({ price_version: b.version }, 'price overrides changed on disk; new calls use them'),
    (err) => log.error({ err: err.message }, 'price overrides file is invalid; calls keep the previous prices until it is fixed'),
  );

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
        retention?.stop();
        captureRetention?.stop();
        await billingPulls.stop();
        if (opts.advertise) fs.rmSync(serverFile, { force: true });
        book.stop();
        await new Promise<void>((r) => {
          server.close(() => r());
          server.closeAllConnections();
        });
        await gateway.close();
        await responseCache?.close();
        await capture?.close();
        await outcomeHeaders.flush();
        await keys.close();
        await alerts.stop();
        await writer.close();
        await spans?.flush();
        await policy.close();
        await store.close();
      })();
      return closing;
    },
  };
}
