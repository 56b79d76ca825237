/**
 * Gateway overhead, in one process tree: the simulated provider, a bare pass-through proxy
 * and Costrail run as child processes; this process drives load at each of them in
 * interleaved rounds (direct, bare proxy, Costrail) so drift on the machine hits all three alike.
 *
 * Run: npm run build && node dist/bench/gateway.bench.js [--seconds 5] [--rounds 3] [--connections 32,256]
 * Targets: the simulator directly, the bare proxy, Costrail as shipped by default (pass-through keys,
 * no budgets) and Costrail `realistic` (5 budgets on in-process counters and virtual keys).
 * Each row gives the CPU µs per call of every process in the path (the target, the simulated
 * provider behind it, this load generator), so a regression shows where it came from.
 * Budget on/off: add --policy to compare Costrail without budgets, with 5 matching budgets on
 * in-process counters, and (when Redis answers at COSTRAIL_BENCH_REDIS_URL, default
 * redis://127.0.0.1:6379) the same on Redis counters.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { Pool } from 'undici';
import { RedisCounters } from '../src/policy/counters/redis-counters.js';

const args = process.argv.slice(2);
const flag = (name: string, dflt: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const SECONDS = flag('seconds', 4);
const ROUNDS = flag('rounds', 3);
const POLICY = args.includes('--policy');
const CONNECTIONS = (args.includes('--connections') ? String(args[args.indexOf('--connections') + 1]) : '32,256').split(',').map(Number);

async function child(script: string, argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ proc: ChildProcess; url: string; secret?: string }> {
  const proc = spawn(process.execPath, [join('dist', script), ...argv], { stdio: ['ignore', 'pipe', 'inherit'], env });
  const [line] = (await once(proc.stdout!, 'data')) as [Buffer];
  const [url, secret] = (line.toString().trim().split('\n')[0] as string).split(' ');
  return { proc, url: url as string, ...(secret ? { secret } : {}) };
}

const CHAT = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Benchmark prompt: summarise the quarterly AI spend.' }] });
const STREAM = JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'Benchmark prompt: summarise the quarterly AI spend.' }] });

/** CPU seconds (user + system) a child has used, from /proc (Linux); 0 elsewhere. */
function cpuSeconds(pid: number | undefined): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

interface Result {
  rps: number;
  /** Target process CPU per request, µs (policy mode: the figure a loaded machine cannot distort much). */
  cpuUs: number;
  /** The simulated provider's CPU per request, µs (the target itself when driving it directly). */
  simCpuUs: number;
  /** This load generator's CPU per request, µs. */
  loadCpuUs: number;
  /** Answers that were not 2xx (a misconfigured target would otherwise look fast). */
  errors: number;
  p50: number;
  p99: number;
  ttfbP99: number;
}

async function load(base: string, body: string, connections: number, seconds: number, authorization = 'Bearer sk-bench'): Promise<Result> {
  const pool = new Pool(base, { connections, pipelining: 1 });
  const lat: number[] = [];
  const ttfb: number[] = [];
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  const worker = async () => {
    while (performance.now() < end) {
      const t0 = performance.now();
      const res = await pool.request({ path: '/v1/chat/completions', method: 'POST', headers: { 'content-type': 'application/json', authorization, 'x-costrail-team': 'bench', 'x-sim-chunks': '24' }, body });
      if (res.statusCode >= 300) errors++;
      let first = true;
      for await (const _ of res.body) {
        if (first) {
          ttfb.push(performance.now() - t0);
          first = false;
        }
      }
      lat.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  await pool.close();
  lat.sort((a, b) => a - b);
  ttfb.sort((a, b) => a - b);
  const q = (a: number[], p: number) => a[Math.min(a.length - 1, Math.floor(a.length * p))] ?? 0;
  return { rps: lat.length / seconds, p50: q(lat, 0.5), p99: q(lat, 0.99), ttfbP99: q(ttfb, 0.99), cpuUs: lat.length, simCpuUs: 0, loadCpuUs: 0, errors };
}

const sim = await child('src/simulator/main.js', ['0']);
const dataDir = () => mkdtempSync(join(tmpdir(), 'costrail-bench-'));
const procs: { proc: ChildProcess; url: string; secret?: string }[] = [sim];
let targets: Record<string, string>;
let cleanup = async (): Promise<void> => undefined;
if (POLICY) {
  const redisUrl = process.env.COSTRAIL_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = `costrail-bench:${process.pid}:`;
  cleanup = async () => {
    const c = await RedisCounters.open({ url: redisUrl, prefix, connectWaitMs: 1000 });
    await c.purge().catch(() => undefined);
    await c.close();
  };
  const off = await child('bench/gateway-server.js', ['0', sim.url, dataDir()]);
  const mem = await child('bench/gateway-server.js', ['0', sim.url, dataDir(), 'budgets']);
  procs.push(off, mem);
  targets = { costrail: off.url, 'budgets-memory': mem.url };
  const redis = await child('bench/gateway-server.js', ['0', sim.url, dataDir(), 'budgets'], { ...process.env, COSTRAIL_REDIS_URL: redisUrl, COSTRAIL_REDIS_PREFIX: prefix }).catch(() => undefined);
  if (redis) {
    procs.push(redis);
    targets['budgets-redis'] = redis.url;
  }
} else {
  const bare = await child('bench/bare-proxy.js', ['0', sim.url]);
  const costrail = await child('bench/gateway-server.js', ['0', sim.url, dataDir()]);
  const realistic = await child('bench/gateway-server.js', ['0', sim.url, dataDir(), 'realistic']);
  procs.push(bare, costrail, realistic);
  targets = { direct: sim.url, bare: bare.url, costrail: costrail.url, realistic: realistic.url };
}

try {
  for (const [label, body] of [['non-streaming', CHAT], ['streaming (24 chunks)', STREAM]] as const) {
    for (const conns of CONNECTIONS) {
      const sums: Record<string, Result[]> = Object.fromEntries(Object.keys(targets).map((k) => [k, []]));
      for (let r = 0; r < ROUNDS; r++)
        for (const [name, url] of Object.entries(targets)) {
          const target = procs.find((p) => p.url === url);
          const pid = target?.proc.pid;
          const c0 = cpuSeconds(pid);
          const s0 = cpuSeconds(sim.proc.pid);
          const l0 = process.cpuUsage();
          const res = await load(url, body, conns, SECONDS, target?.secret ? `Bearer ${target.secret}` : undefined);
          const calls = res.cpuUs;
          const l1 = process.cpuUsage(l0);
          res.cpuUs = calls > 0 ? ((cpuSeconds(pid) - c0) * 1e6) / calls : 0;
          res.simCpuUs = calls > 0 ? ((cpuSeconds(sim.proc.pid) - s0) * 1e6) / calls : 0;
          res.loadCpuUs = calls > 0 ? (l1.user + l1.system) / calls : 0;
          sums[name]?.push(res);
        }
      const avg = (name: string, k: keyof Result) => (sums[name] ?? []).reduce((a, b) => a + b[k], 0) / ROUNDS;
      console.log(`\n${label}, ${conns} connections (${ROUNDS} rounds x ${SECONDS}s)`);
      for (const name of Object.keys(targets)) {
        console.log(`  ${name.padEnd(14)} ${avg(name, 'rps').toFixed(0).padStart(7)} req/s  p50 ${avg(name, 'p50').toFixed(2)} ms  p99 ${avg(name, 'p99').toFixed(2)} ms  ttfb p99 ${avg(name, 'ttfbP99').toFixed(2)} ms  cpu µs/req: target ${avg(name, 'cpuUs').toFixed(0)}, simulator ${avg(name, 'simCpuUs').toFixed(0)}, load ${avg(name, 'loadCpuUs').toFixed(0)}${avg(name, 'errors') > 0 ? `  NON-2XX ${avg(name, 'errors').toFixed(0)}` : ''}`);
      }
      if (POLICY) for (const name of Object.keys(targets).filter((n) => n !== 'costrail')) console.log(`  ${name}/costrail throughput ${(avg(name, 'rps') / avg('costrail', 'rps')).toFixed(3)}x`);
      else console.log(`  costrail/bare throughput ${(avg('costrail', 'rps') / avg('bare', 'rps')).toFixed(2)}x; costrail/direct ${(avg('costrail', 'rps') / avg('direct', 'rps')).toFixed(2)}x; realistic/bare ${(avg('realistic', 'rps') / avg('bare', 'rps')).toFixed(2)}x`);
    }
  }
} finally {
  for (const c of procs.reverse()) c.proc.kill('SIGTERM');
  await cleanup();
}
