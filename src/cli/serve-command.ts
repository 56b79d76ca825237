/** `costrail serve`: gateway (and, as they land, API, dashboard, metrics) in one process. */
import type { Command } from 'commander';
import { loadServeConfig } from '../server/serve-config.js';
import { startCostrail } from '../server/costrail-runtime.js';
import type { UpstreamMap } from '../gateway/upstreams.js';
import type { ProviderId } from '../providers/spec.js';
import { isProviderId } from '../providers/registry.js';
import { CliError, describeError } from './cli-error.js';

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
    .option('--port <port>', 'port to listen on', process.env.COSTRAIL_PORT ?? '4100')
    .option('--host <host>', 'interface to listen on (0.0.0.0 for every interface)', process.env.COSTRAIL_HOST ?? '127.0.0.1')
    .option('--data <dir>', 'data folder (ledger, spool, imported prices)', process.env.COSTRAIL_DATA ?? './.costrail')
    .option('--config <file>', 'YAML or JSON config: providers.<id>.base_url', process.env.COSTRAIL_CONFIG)
    .addHelpText('after', '\nPoint an SDK at it, e.g. OpenAI: baseURL http://127.0.0.1:4100/v1; Anthropic: baseURL http://127.0.0.1:4100;\nGemini: httpOptions.baseUrl http://127.0.0.1:4100. Upstreams: COSTRAIL_<PROVIDER>_BASE_URL or --config.')
    .action(async (opts: { port: string; host: string; data: string; config?: string }) => {
      const port = parsePort(opts.port);
      keepServingWithoutStdout();
      const upstreams: UpstreamMap = {};
      let config;
      try {
        config = loadServeConfig(opts.config);
        for (const [id, p] of Object.entries(config.providers)) {
          if (!isProviderId(id)) throw new Error(`${opts.config}: unknown provider "${id}" in providers`);
          upstreams[id as ProviderId] = p.base_url;
        }
      } catch (e) {
        throw new CliError(describeError(e));
      }
      let rt;
      try {
        rt = await startCostrail({ port, host: opts.host, dataDir: opts.data, upstreams, advertise: true, alerts: config.alerts });
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE') throw new CliError(`port ${port} is already in use; pass --port or set COSTRAIL_PORT`);
        throw new CliError(describeError(e));
      }
      console.log(`costrail gateway listening on ${rt.url}  (data: ${opts.data})`);
      console.log(`  OpenAI SDK baseURL ${rt.url}/v1 · Anthropic baseURL ${rt.url} · Gemini baseUrl ${rt.url}`);
      if (rt.adminTokenCreated) console.log(`  admin token (shown once; kept in ${opts.data}/admin-token): ${rt.adminToken}`);
      console.log(`  management API ${rt.url}/api (Authorization: Bearer <admin token>; spec at ${rt.url}/api/openapi.json)`);
      const stop = () => {
        void rt.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
