/**
 * Costrail's gateway as the benchmark runs it: pass-through keys, every call metered, priced
 * and recorded through the real ledger sink. Args: <port> <upstream base URL> <data dir> [policy],
 * policy `budgets` adding 5 budgets that every benchmark call matches (COSTRAIL_REDIS_URL set by
 * the parent decides in-process or Redis counters).
 */
import { startCostrail } from '../src/server/costrail-runtime.js';

const [portArg, upstream, dataDir, policy] = process.argv.slice(2);
const rt = await startCostrail({
  port: Number(portArg ?? 0),
  host: '127.0.0.1',
  dataDir: dataDir ?? '.costrail-bench',
  upstreams: { openai: `${upstream}/v1`, anthropic: upstream, gemini: upstream },
  quiet: true,
});
if (policy === 'budgets') {
  // Five different scope shapes, all matching the bench traffic (team bench, gpt-4o-mini), limits never reached.
  const scopes = [{}, { team: 'bench' }, { provider: 'openai' }, { model: 'gpt-4o-mini' }, { team: 'bench', model: 'gpt-4o-mini' }];
  for (const [i, scope] of scopes.entries()) await rt.context.policy.put('budget', { id: `bench-${i}`, name: `bench ${i}`, scope, period: 'month', timezone: 'UTC', fiscal_month_start_day: 1, limit_usd: '1000000', thresholds: [0.5, 0.8, 1], action: 'block', on_counter_error: 'open' });
}
console.log(rt.url);
process.on('SIGTERM', () => void rt.close().then(() => process.exit(0)));
