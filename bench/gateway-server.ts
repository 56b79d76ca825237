/**
 * Costrail's gateway as the benchmark runs it: pass-through keys, every call metered, priced
 * and recorded through the real ledger sink. Args: <port> <upstream base URL> <data dir> [policy],
 * policy `budgets` adding 5 budgets that every benchmark call matches (COSTRAIL_REDIS_URL set by
 * the parent decides in-process or Redis counters), `realistic` the same 5 budgets plus virtual
 * keys (one key, the OpenAI credential held by Costrail): prints "<url> <virtual key secret>".
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
let secret = '';
if (policy === 'budgets' || policy === 'realistic') {
  // Five different scope shapes, all matching the bench traffic (team bench, gpt-4o-mini), limits never reached.
  const scopes = [{}, { team: 'bench' }, { provider: 'openai' }, { model: 'gpt-4o-mini' }, { team: 'bench', model: 'gpt-4o-mini' }];
  for (const [i, scope] of scopes.entries()) await rt.context.policy.put('budget', { id: `bench-${i}`, name: `bench ${i}`, scope, period: 'month', timezone: 'UTC', fiscal_month_start_day: 1, limit_usd: '1000000', thresholds: [0.5, 0.8, 1], action: 'block', on_counter_error: 'open' });
}
if (policy === 'realistic') {
  // Virtual keys: the client presents a Costrail key, Costrail presents the held provider credential.
  await rt.context.keys.credentials.set('openai', 'sk-bench-upstream');
  secret = (await rt.context.keys.keys.create({ name: 'bench', defaults: { team: 'bench' } })).secret;
}
console.log(secret ? `${rt.url} ${secret}` : rt.url);
process.on('SIGTERM', () => void rt.close().then(() => process.exit(0)));
