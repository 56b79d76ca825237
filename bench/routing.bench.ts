/**
 * What routing rules add per gateway call: `RoutingTable.decide` alone, as CPU time
 * (process.cpuUsage, so other load on a shared machine does not inflate it), no network, for
 *   - 20 rules where none matches (every rule tested: the worst case of a miss),
 *   - 20 rules where the last matches by team + model pattern,
 *   - a time window + budget-state rule (zone clock cached, budget fraction a Map read),
 *   - a weighted split (FNV-1a of the trace id),
 *   - a cheapest_capable rule (the choice cached per price book version).
 * Issue 21 target: ≤ 50 µs per call. Retries and fallbacks cost nothing until a call fails.
 *
 * Run: npm run build && node dist/bench/routing.bench.js [--calls 200000]
 */
import { ProviderRouter } from '../src/gateway/provider-router.js';
import { routeRequest, type Route } from '../src/gateway/route.js';
import { emptyAttribution } from '../src/ledger/ledger-record.js';
import { loadPriceBook } from '../src/pricing/catalog-loader.js';
import { builtinCapabilities } from '../src/routing/model-capabilities.js';
import { RoutingSectionSchema, type RoutingSectionInput } from '../src/routing/routing-schema.js';
import { RoutingTable, type RoutingCall } from '../src/routing/routing-table.js';

const args = process.argv.slice(2);
const CALLS = Number(args[args.indexOf('--calls') + 1] ?? 0) || 200_000;
const book = loadPriceBook();
const router = new ProviderRouter({ upstreams: { openai: 'http://o/v1', anthropic: 'http://a', gemini: 'http://g' } });
const route = routeRequest('/v1/chat/completions') as Route;
const usage = { usedFraction: (name: string) => (name === 'search-monthly' ? 0.9 : undefined) };

const filler = Array.from({ length: 19 }, (_, i) => ({ id: `r${i}`, match: { team: `team-${i}`, model: `model-${i}-*` }, target: { provider: 'openai', model: 'gpt-4o-mini' } }));
const cases: [string, RoutingSectionInput, Partial<RoutingCall>][] = [
  ['20 rules, none matches', { rules: [...filler, { id: 'last', match: { team: 'nobody' }, target: { provider: 'openai', model: 'gpt-4o-mini' } }] }, {}],
  ['20 rules, the last matches (team + model pattern)', { rules: [...filler, { id: 'last', match: { team: 'search', model: 'gpt-4o*' }, target: { provider: 'openai', model: 'gpt-4o-mini' } }] }, {}],
  ['time window + budget state', { rules: [{ id: 'tb', match: { model: 'gpt-4o', time: { days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], from: '00:00', to: '24:00', timezone: 'Europe/Berlin' }, budget: { name: 'search-monthly', used_at_least: 0.8 } }, target: { provider: 'openai', model: 'gpt-4o-mini' } }] }, {}],
  ['weighted split (trace id)', { rules: [{ id: 'ab', split: [{ arm: 'a', weight: 1, provider: 'openai', model: 'gpt-4o' }, { arm: 'b', weight: 1, provider: 'openai', model: 'gpt-4o-mini' }] }] }, { traceId: '4bf92f3577b34da6a3ce929d0e0e4736' }],
  ['cheapest_capable (cached choice)', { pools: { p: { models: ['openai/gpt-4o', 'openai/gpt-4o-mini', 'openai/gpt-4.1-nano', 'anthropic/claude-haiku-4-5'] } }, rules: [{ id: 'cc', cheapest_capable: { pool: 'p', requires: { vision: true, tools: true } } }] }, {}],
];

for (const [name, section, extra] of cases) {
  const table = new RoutingTable(RoutingSectionSchema.parse(section), { router, book, capabilities: builtinCapabilities(), budgets: usage });
  const call: RoutingCall = { route, model: 'gpt-4o', attribution: { ...emptyAttribution(), team: 'search', feature: 'answer' }, traceId: null, requestId: 'a3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d', now: Date.now(), ...extra };
  for (let i = 0; i < 5000; i++) table.decide(call); // warm-up (JIT, caches)
  let hits = 0;
  const before = process.cpuUsage();
  for (let i = 0; i < CALLS; i++) if (table.decide(call)) hits++;
  const cpu = process.cpuUsage(before);
  const us = (cpu.user + cpu.system) / CALLS;
  console.log(`${name.padEnd(52)} ${us.toFixed(3).padStart(8)} µs/call CPU  (${hits === CALLS ? 'routed' : hits === 0 ? 'not routed' : `${hits} routed`})`);
}
