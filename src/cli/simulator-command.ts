/**
 * `costrail simulator`: the simulated provider the tests and `demo` use, on a port of its own, so
 * `serve` can be tried with the real SDKs and no provider keys. It answers OpenAI, Anthropic and
 * Gemini calls with deterministic usage; any key is accepted.
 */
import type { Command } from 'commander';
import { startSimulator } from '../simulator/index.js';
import { CliError, describeError } from './cli-error.js';
import { keepServingWithoutStdout, parsePort } from './serve-command.js';
import { environment } from '../config/environment.js';

interface SimulatorOpts {
  port: string;
}

/** The env `serve` needs to send every provider's calls to the simulator at `url`. */
export function serveEnvFor(url: string): Record<string, string> {
  return { COSTRAIL_OPENAI_BASE_URL: `${url}/v1`, COSTRAIL_ANTHROPIC_BASE_URL: url, COSTRAIL_GEMINI_BASE_URL: url };
}

export function registerSimulatorCommand(program: Command): void {
  program
    .command('simulator')
    .description('Run the simulated provider (OpenAI, Anthropic and Gemini APIs, no real keys needed) for trying serve')
    .option('--port <port>', 'port to listen on (0 picks a free one)', environment().COSTRAIL_SIM_PORT ?? '4200')
    .addHelpText('after', '\nThen, in another terminal:\n  COSTRAIL_OPENAI_BASE_URL=http://127.0.0.1:4200/v1 COSTRAIL_ANTHROPIC_BASE_URL=http://127.0.0.1:4200 \\\n  COSTRAIL_GEMINI_BASE_URL=http://127.0.0.1:4200 costrail serve')
    .action(async (opts: SimulatorOpts) => {
      const port = parsePort(opts.port);
      keepServingWithoutStdout();
      let sim;
      try {
        sim = await startSimulator({ port });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new CliError(`port ${port} is already in use; pass --port`);
        throw new CliError(describeError(e));
      }
      // The URL alone on stdout (a script reads it); the how-to on stderr.
      process.stdout.write(`${sim.url}\n`);
      process.stderr.write(`simulated provider on ${sim.url} (loopback only; OpenAI, Anthropic, Gemini; any key works; usage is deterministic)\n`);
      process.stderr.write('point serve at it:\n');
      for (const [k, v] of Object.entries(serveEnvFor(sim.url))) process.stderr.write(`  export ${k}=${v}\n`);
      process.stderr.write('  costrail serve\n');
      const stop = (): void => {
        void sim.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
