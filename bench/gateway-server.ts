/**
 * Costrail's gateway as the benchmark runs it: pass-through keys, every call metered, priced
 * and recorded through the real ledger sink. Args: <port> <upstream base URL> <data dir>.
 */
import { startCostrail } from '../src/server/costrail-runtime.js';

const [portArg, upstream, dataDir] = process.argv.slice(2);
const rt = await startCostrail({
  port: Number(portArg ?? 0),
  host: '127.0.0.1',
  dataDir: dataDir ?? '.costrail-bench',
  upstreams: { openai: `${upstream}/v1`, anthropic: upstream, gemini: upstream },
  quiet: true,
});
console.log(rt.url);
process.on('SIGTERM', () => void rt.close().then(() => process.exit(0)));
