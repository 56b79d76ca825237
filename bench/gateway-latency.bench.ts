/**
 * Gateway latency at a fixed request rate and memory with many open streams, in one process tree:
 * the simulated provider, a bare pass-through proxy and Costrail run as child processes (as in
 * gateway.bench.ts) and this process drives each in interleaved rounds.
 *
 * 1. Open-loop load at a fixed rate (default 1,000 req/s): requests leave on schedule whether or
 *    not earlier ones finished, and latency is measured from the scheduled instant, so a stalled
 *    gateway cannot hide its queueing (no coordinated omission). Added latency = Costrail - direct.
 * 2. Many open streams (default 1,000) held open at once (slow upstream chunks); the resident set
 *    of the Costrail and bare-proxy processes is sampled from /proc while they are all open.
 *
 * Run: npm run build && node dist/bench/gateway-latency.bench.js [--rate 1000] [--seconds 8] [--rounds 2] [--streams 1000]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { Pool } from 'undici';

const args = process.argv.slice(2);
const flag = (name: string, dflt: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const RATE = flag('rate', 1000);
const SECONDS = flag('seconds', 8);
const ROUNDS = flag('rounds', 2);
const STREAMS = flag('streams', 1000);

async function child(script: string, argv: string[]): Promise<{ proc: ChildProcess; url: string }> {
  const proc = spawn(process.execPath, [join('dist', script), ...argv], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(proc.stdout!, 'data')) as [Buffer];
  return { proc, url: line.toString().trim().split('\n')[0] as string };
}

const body = (stream: boolean): string => JSON.stringify({ model: 'gpt-4o-mini', stream, messages: [{ role: 'user', content: 'Benchmark prompt: summarise the quarterly AI spend.' }] });
const HEADERS = { 'content-type': 'application/json', authorization: 'Bearer sk-bench', 'x-costrail-team': 'bench', 'x-sim-chunks': '24' };

interface Quantiles {
  p50: number;
  p99: number;
  p999: number;
}
interface FixedRateResult {
  latency: Quantiles;
  ttfb: Quantiles;
  sent: number;
  failed: number;
}

function quantiles(a: number[]): Quantiles {
  a.sort((x, y) => x - y);
  const q = (p: number): number => a[Math.min(a.length - 1, Math.floor(a.length * p))] ?? 0;
  return { p50: q(0.5), p99: q(0.99), p999: q(0.999) };
}

async function fixedRate(base: string, stream: boolean, rate: number, seconds: number): Promise<FixedRateResult> {
  const pool = new Pool(base, { connections: 512, pipelining: 1 });
  const payload = body(stream);
  const lat: number[] = [];
  const ttfb: number[] = [];
  let failed = 0;
  const total = Math.round(rate * seconds);
  const t0 = performance.now() + 50;
  const inflight: Promise<void>[] = [];
  const one = async (scheduled: number): Promise<void> => {
    try {
      const res = await pool.request({ path: '/v1/chat/completions', method: 'POST', headers: HEADERS, body: payload });
      let first = true;
      for await (const _ of res.body) {
        if (first) {
          ttfb.push(performance.now() - scheduled);
          first = false;
        }
      }
      if (res.statusCode !== 200) failed++;
      lat.push(performance.now() - scheduled);
    } catch {
      failed++;
    }
  };
  for (let i = 0; i < total; i++) {
    const scheduled = t0 + (i * 1000) / rate;
    const wait = scheduled - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inflight.push(one(scheduled));
  }
  await Promise.all(inflight);
  await pool.close();
  return { latency: quantiles(lat), ttfb: quantiles(ttfb), sent: total, failed };
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Opens `n` slow streams at once and samples the target's RSS while all are open. */
async function openStreams(base: string, pid: number, n: number): Promise<{ idleMb: number; peakMb: number; completed: number }> {
  const idleMb = rssMb(pid);
  const pool = new Pool(base, { connections: n, pipelining: 1 });
  let opened = 0;
  let completed = 0;
  let peakMb = idleMb;
  const all = Array.from({ length: n }, async () => {
    // 40 chunks x 100 ms: every stream stays open ~4 s.
    const res = await pool.request({ path: '/v1/chat/completions', method: 'POST', headers: { ...HEADERS, 'x-sim-chunks': '40', 'x-sim-chunk-delay-ms': '100' }, body: body(true) });
    opened++;
    for await (const _ of res.body) {
      /* drain */
    }
    completed++;
  });
  const sampler = setInterval(() => {
    if (opened > 0) peakMb = Math.max(peakMb, rssMb(pid));
  }, 100);
  await Promise.all(all);
  clearInterval(sampler);
  await pool.close();
  return { idleMb, peakMb, completed };
}

const sim = await child('src/simulator/main.js', ['0']);
const bare = await child('bench/bare-proxy.js', ['0', sim.url]);
const costrail = await child('bench/gateway-server.js', ['0', sim.url, mkdtempSync(join(tmpdir(), 'costrail-bench-'))]);
const targets = { direct: sim.url, bare: bare.url, costrail: costrail.url } as const;
const fmt = (q: Quantiles): string => `p50 ${q.p50.toFixed(2)}  p99 ${q.p99.toFixed(2)}  p99.9 ${q.p999.toFixed(2)} ms`;

try {
  // Warm every path (JIT, connection pools) before measuring.
  for (const url of Object.values(targets)) await fixedRate(url, false, 500, 1);
  for (const stream of [false, true]) {
    const runs: Record<string, FixedRateResult[]> = { direct: [], bare: [], costrail: [] };
    for (let r = 0; r < ROUNDS; r++) for (const [name, url] of Object.entries(targets)) runs[name]?.push(await fixedRate(url, stream, RATE, SECONDS));
    const mean = (name: string, pick: (x: FixedRateResult) => number): number => (runs[name] ?? []).reduce((a, x) => a + pick(x), 0) / ROUNDS;
    console.log(`\n${stream ? 'streaming (24 chunks)' : 'non-streaming'} at ${RATE} req/s (${ROUNDS} rounds x ${SECONDS}s, latency from the scheduled send)`);
    for (const name of Object.keys(targets)) {
      const lat = { p50: mean(name, (x) => x.latency.p50), p99: mean(name, (x) => x.latency.p99), p999: mean(name, (x) => x.latency.p999) };
      const tt = { p50: mean(name, (x) => x.ttfb.p50), p99: mean(name, (x) => x.ttfb.p99), p999: mean(name, (x) => x.ttfb.p999) };
      console.log(`  ${name.padEnd(9)} total ${fmt(lat)} | ttfb ${fmt(tt)} | failed ${mean(name, (x) => x.failed)}`);
    }
    const added = (k: keyof Quantiles, pick: 'latency' | 'ttfb'): string => (mean('costrail', (x) => x[pick][k]) - mean('direct', (x) => x[pick][k])).toFixed(2);
    console.log(`  added by Costrail over direct: total p50 ${added('p50', 'latency')} ms, p99 ${added('p99', 'latency')} ms; ttfb p99 ${added('p99', 'ttfb')} ms`);
    const addedBare = (mean('bare', (x) => x.latency.p99) - mean('direct', (x) => x.latency.p99)).toFixed(2);
    console.log(`  (bare proxy adds p99 ${addedBare} ms)`);
  }
  console.log(`\n${STREAMS} streams open at once (40 chunks x 100 ms each):`);
  for (const [name, c] of [['bare', bare], ['costrail', costrail]] as const) {
    const r = await openStreams(c.url, c.proc.pid!, STREAMS);
    console.log(`  ${name.padEnd(9)} RSS idle ${r.idleMb.toFixed(0)} MB, peak ${r.peakMb.toFixed(0)} MB, completed ${r.completed}/${STREAMS}`);
  }
} finally {
  for (const c of [costrail, bare, sim]) c.proc.kill('SIGTERM');
}
