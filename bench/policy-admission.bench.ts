/**
 * What budget enforcement adds per gateway call, measured on the policy engine alone as CPU time
 * (process.cpuUsage, so other load on a shared machine does not inflate it), no network:
 * admit (scope lookup, worst-case estimate, reservation) + settle, per call, with
 *   - no rules, 5 matching budgets, 5 matching budgets among 1,000 others (the scope index),
 *   - 5 matching budgets on Redis counters (one round trip to reserve, one to settle), 64 calls in flight.
 *
 * Run: npm run build && node dist/bench/policy-admission.bench.js [--calls 50000]
 */
import { randomUUID } from 'node:crypto';
import type { AdmissionRequest } from '../src/gateway/call-policy.js';
import { emptyAttribution, type LedgerRecord } from '../src/ledger/ledger-record.js';
import { loadPriceBook } from '../src/pricing/catalog-loader.js';
import { CompiledRules } from '../src/policy/compiled-rules.js';
import { MemoryCounters } from '../src/policy/counters/memory-counters.js';
import type { PolicyCounters } from '../src/policy/counters/policy-counters.js';
import { RedisCounters } from '../src/policy/counters/redis-counters.js';
import { PolicyEngine } from '../src/policy/policy-engine.js';
import { emptyRules, type BudgetSpec } from '../src/policy/policy-schemas.js';
import { WorstCaseEstimator } from '../src/policy/worst-case-cost.js';
import { emptyUsage } from '../src/providers/spec.js';

const args = process.argv.slice(2);
const CALLS = Number(args[args.indexOf('--calls') + 1] ?? 0) || 50_000;
const book = loadPriceBook();

const budget = (id: string, scope: Record<string, string>): BudgetSpec => ({ id, name: id, scope, period: 'month', timezone: 'Europe/Berlin', fiscal_month_start_day: 1, limit_usd: '1000000', thresholds: [0.5, 0.8, 1], action: 'block', on_counter_error: 'open' });
const matching = [budget('g', {}), budget('t', { team: 'bench' }), budget('p', { provider: 'openai' }), budget('m', { model: 'gpt-4o-mini' }), budget('tm', { team: 'bench', model: 'gpt-4o-mini' })];
const others = Array.from({ length: 1000 }, (_, i) => budget(`o${i}`, i % 2 ? { team: `team-${i}` } : { team: `team-${i}`, model: 'gpt-4o-mini' }));

const body = { model: 'gpt-4o-mini', max_tokens: 200, messages: [{ role: 'user', content: 'Benchmark prompt: summarise the quarterly AI spend.' }] };
const attribution = { ...emptyAttribution(), team: 'bench' };
function request(): AdmissionRequest {
  return { id: randomUUID(), route: { provider: 'openai', api: 'chat.completions', upstreamPath: '/chat/completions', urlStream: false }, model: 'gpt-4o-mini', body, stream: false, bodyBytes: 120, who: { attribution, tags: {}, trace_id: null, span_id: null }, identity: { key_id: 'pt_bench' }, at: Date.now() };
}
const record = { cost: { total: '0.0001542' }, usage: { ...emptyUsage(), input_tokens: 20, output_tokens: 200 } } as unknown as LedgerRecord;

function engine(counters: PolicyCounters, budgets: BudgetSpec[]): PolicyEngine {
  const e = new PolicyEngine({ counters, estimator: new WorstCaseEstimator(book) });
  e.setRules(new CompiledRules({ ...emptyRules(), budgets }));
  return e;
}

async function measure(label: string, e: PolicyEngine, inFlight: number): Promise<number> {
  const one = async () => {
    const a = await e.admit(request());
    if (a.refusal) throw new Error(a.refusal.message);
    a.ticket?.settle(record);
  };
  for (let i = 0; i < 2000; i++) await one(); // warm up (JIT, price cache)
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let left = CALLS;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (left-- > 0) await one();
    }),
  );
  const wall = ((performance.now() - t0) * 1000) / CALLS;
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / CALLS;
  console.log(`  ${label.padEnd(48)} ${cpu.toFixed(2).padStart(8)} µs CPU per call  (wall ${wall.toFixed(2)} µs)`);
  return cpu;
}

console.log(`admit + settle, ${CALLS.toLocaleString('en-US')} calls`);
const mem = new MemoryCounters();
await measure('no rules', engine(mem, []), 1);
await measure('5 matching budgets, in-process', engine(mem, matching), 1);
await measure('5 matching among 1,005 budgets, in-process', engine(mem, [...matching, ...others]), 1);
await mem.close();

const redisUrl = process.env.COSTRAIL_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const redis = await RedisCounters.open({ url: redisUrl, prefix: `costrail-bench:${process.pid}:`, connectWaitMs: 1000 }).catch(() => undefined);
if (redis) {
  try {
    await measure('5 matching budgets, Redis, 64 calls in flight', engine(redis, matching), 64);
  } catch (e) {
    console.log(`  Redis: ${(e as Error).message}`);
  } finally {
    await redis.purge().catch(() => undefined);
    await redis.close();
  }
}
