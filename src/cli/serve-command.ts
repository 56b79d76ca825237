/** `costrail serve`: gateway (and, as they land, API, dashboard, metrics) in one process. */
import type { Command } from 'commander';
import { startCostrail } from '../server/costrail-runtime.js';
import { signInLink } from '../server/dashboard-assets.js';
import { CliError, describeError } from './cli-error.js';
import { resolveServeSettings, type ServeSettings } from '../config/serve-settings.js';
import { environment } from '../config/environment.js';

export function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new CliError(`--port must be a port number (0-65535), not "${v}"`, 2);
  return n;
}

/** A server outlives its terminal: a closed stdout (EPIPE) must not stop the gateway. */
export function keepServingWithoutStdout(): void {
  process.stdout.removeAllListeners('error');
  process.stdout.on('error', () => undefined);
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('Run the gateway: one base URL for every SDK; every call metered, priced, attributed and recorded')
    .option('--port <port>', 'port to listen on', environment().COSTRAIL_PORT ?? '4100')
    .option('--host <host>', 'interface to listen on (0.0.0.0 for every interface)', environment().COSTRAIL_HOST ?? '127.0.0.1')
    .option('--data <dir>', 'data folder (ledger, spool, imported prices)', environment().COSTRAIL_DATA ?? './.costrail')
    .option('--config <file>', 'YAML or JSON config: providers (base_url, Bedrock credentials, named OpenAI-compatible servers), routes by model', environment().COSTRAIL_CONFIG)
    .option('--retention-days <n>', 'delete raw ledger records older than N days, daily (or COSTRAIL_RETENTION_DAYS, or retention_days in --config)', environment().COSTRAIL_RETENTION_DAYS)
    .addHelpText('after', '\nPoint an SDK at it, e.g. OpenAI: baseURL http://127.0.0.1:4100/v1; Anthropic: baseURL http://127.0.0.1:4100;\nGemini: httpOptions.baseUrl http://127.0.0.1:4100; Azure: endpoint http://127.0.0.1:4100/azure;\nBedrock: endpoint http://127.0.0.1:4100/bedrock (signed with held AWS credentials); named providers: /<name>/v1.\nUpstreams: COSTRAIL_<PROVIDER>_BASE_URL or --config.')
    .action(async (opts: { port: string; host: string; data: string; config?: string; retentionDays?: string }) => {
      const port = parsePort(opts.port);
      keepServingWithoutStdout();
      process.umask(0o077); // ledger, spool and engine files are born readable by this user only
      let settings: ServeSettings;
      try {
        settings = resolveServeSettings({ config: opts.config, retentionDays: opts.retentionDays });
      } catch (e) {
        throw new CliError(describeError(e));
      }
      const { retentionDays } = settings;
      let rt;
      try {
        rt = await startCostrail({ port, host: opts.host, dataDir: opts.data, routing: settings.routing, advertise: true, keys: settings.keys, alerts: settings.alerts, waitForDatabase: true, publicMetrics: settings.publicMetrics, retentionDays, cache: settings.cache, capture: settings.capture });
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE') throw new CliError(`port ${port} is already in use; pass --port or set COSTRAIL_PORT`);
        throw new CliError(describeError(e));
      }
      console.log(`costrail gateway listening on ${rt.url}  (data: ${opts.data})`);
      console.log(`  OpenAI SDK baseURL ${rt.url}/v1 · Anthropic baseURL ${rt.url} · Gemini baseUrl ${rt.url}`);
      if (rt.adminTokenCreated) console.log(`  admin token (shown once; kept in ${opts.data}/admin-token): ${rt.adminToken}`);
      // The link carries the admin token: print it to a person at a terminal (or on first start), not into service logs.
      console.log(`  dashboard ${rt.adminTokenCreated || process.stdout.isTTY ? signInLink(rt.url, rt.adminToken) : `${rt.url}/ (sign in with the admin token)`}`);
      console.log(`  management API ${rt.url}/api (Authorization: Bearer <admin token>; spec at ${rt.url}/api/openapi.json)`);
      if (retentionDays !== undefined) console.log(`  retention: raw ledger records older than ${retentionDays} days are deleted daily`);
      const stop = () => {
        void rt.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
