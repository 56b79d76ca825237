/**
 * CLI entry for bench and demo scripts: `node dist/src/simulator/main.js [port]`.
 * Port from argv, else COSTRAIL_SIM_PORT, else 0 (ephemeral); prints the base URL on one line
 * so a parent process can read it from stdout.
 */
import { startSimulator } from './server.js';
import { environment } from '../config/environment.js';

const arg = process.argv[2] ?? environment().COSTRAIL_SIM_PORT ?? '0';
const port = Number.parseInt(arg, 10);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`costrail simulator: bad port "${arg}"`);
  process.exit(2);
}
const sim = await startSimulator({ port });
console.log(sim.url);
const stop = (): void => {
  void sim.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
