/**
 * Where the gateway's CPU goes: the simulator and `bench/gateway-server.ts` (under `node --cpu-prof`) as
 * child processes, a fixed number of non-streaming and streaming calls driven at them after a warm-up,
 * then the gateway's CPU µs per call (from /proc) and the share of its main thread's busy time, within
 * the measured window only, spent in each part of the path. Shares and CPU per call are the figures a
 * shared machine distorts least; compare them between two builds run in the same minutes.
 *
 * Run: npm run build && node dist/bench/gateway-profile.js [--calls 5000] [--policy realistic] [--keep DIR]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const CALLS = Number(opt('calls') ?? 5000);
const POLICY = opt('policy');
const KEEP = opt('keep');

interface CallFrame {
  functionName: string;
  url: string;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Parts of the path, by what is on the stack (a sample may fall in several). */
const PARTS: [string, (stack: CallFrame[]) => boolean][] = [
  ['res.flushHeaders()', (s) => s.some((f) => f.functionName === 'flushHeaders')],
  ['AbortController / EventTarget', (s) => s.some((f) => /abort_controller|event_target/.test(f.url))],
  ['URL parsing', (s) => s.some((f) => (f.functionName === 'URL' && f.url.includes('url')) || f.functionName === 'parseURL')],
  ['pricing (priceUsage)', (s) => s.some((f) => f.functionName === 'priceUsage')],
  ['record building + spool append', (s) => s.some((f) => f.functionName === 'record' && f.url.includes('gateway/gateway.js'))],
  ['stream meter', (s) => s.some((f) => f.url.includes('lazy-sse-meter') || f.url.includes('bounded-usage-parser'))],
  ['usage-chunk filter', (s) => s.some((f) => f.url.includes('usage-chunk-filter'))],
  ['policy (admit, settle)', (s) => s.some((f) => f.url.includes('policy/'))],
  ['virtual keys', (s) => s.some((f) => f.url.includes('keys/virtual-keys'))],
  ['metrics (prom-client)', (s) => s.some((f) => f.url.includes('gateway-metrics') || f.url.includes('prom-client'))],
  ['undici', (s) => s.some((f) => f.url.includes('node_modules/undici'))],
  ['DuckDB on the main thread', (s) => s.some((f) => f.url.includes('@duckdb') || f.url.includes('duckdb-store'))],
  ['socket write syscalls', (s) => ['writev', 'writeUtf8String', 'writeLatin1String', 'writeBuffer'].includes(s[s.length - 1]?.functionName ?? '')],
  ['garbage collector', (s) => s[s.length - 1]?.functionName === '(garbage collector)'],
];

/** Share (%) of busy time in each part, counting samples between `fromEndUs` and `toEndUs` before the profile's end. */
function shares(p: CpuProfile, fromEndUs: number, toEndUs: number): Record<string, number> {
  const lo = p.endTime - fromEndUs;
  const hi = p.endTime - toEndUs;
  const self = new Map<number, number>();
  let t = p.startTime;
  p.samples.forEach((id, i) => {
    const d = p.timeDeltas[i] ?? 0;
    t += d;
    if (t >= lo && t <= hi) self.set(id, (self.get(id) ?? 0) + d);
  });
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const acc = new Map<string, number>();
  let busy = 0;
  const walk = (id: number, stack: CallFrame[]): void => {
    const n = byId.get(id);
    if (!n) return;
    const here = [...stack, n.callFrame];
    const us = self.get(id) ?? 0;
    if (us > 0 && n.callFrame.functionName !== '(idle)') {
      busy += us;
      for (const [name, test] of PARTS) if (test(here)) acc.set(name, (acc.get(name) ?? 0) + us);
    }
    for (const c of n.children ?? []) walk(c, here);
  };
  if (p.nodes[0]) walk(p.nodes[0].id, []);
  return Object.fromEntries(PARTS.map(([name]) => [name, busy > 0 ? (100 * (acc.get(name) ?? 0)) / busy : 0]));
}

async function child(argv: string[]): Promise<{ proc: ChildProcess; url: string; secret?: string }> {
  const proc = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(proc.stdout!, 'data')) as [Buffer];
  const [url, secret] = (line.toString().trim().split('\n')[0] as string).split(' ');
  return { proc, url: url as string, ...(secret ? { secret } : {}) };
}

/** CPU seconds (user + system) of a process, from /proc (Linux). */
function cpuSeconds(pid: number | undefined): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(f[11]) + Number(f[12])) / 100;
}

const CHAT = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Benchmark prompt: summarise the quarterly AI spend.' }] });
const STREAM = JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'Benchmark prompt: summarise the quarterly AI spend.' }] });

async function drive(base: string, body: string, calls: number, authorization: string): Promise<number> {
  const pool = new Pool(base, { connections: 16 });
  let left = calls;
  let errors = 0;
  const worker = async (): Promise<void> => {
    while (left-- > 0) {
      const res = await pool.request({ path: '/v1/chat/completions', method: 'POST', headers: { 'content-type': 'application/json', authorization, 'x-costrail-team': 'bench', 'x-sim-chunks': '24' }, body });
      if (res.statusCode >= 300) errors++;
      for await (const _ of res.body) void _;
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  await pool.close();
  return errors;
}

const profDir = KEEP ?? mkdtempSync(join(tmpdir(), 'costrail-profile-'));
const dataDir = mkdtempSync(join(tmpdir(), 'costrail-profile-data-'));
const sim = await child([join('dist', 'src/simulator/main.js'), '0']);
const gw = await child(['--cpu-prof', '--cpu-prof-dir', profDir, join('dist', 'bench/gateway-server.js'), '0', sim.url, dataDir, ...(POLICY ? [POLICY] : [])]);
const authorization = gw.secret ? `Bearer ${gw.secret}` : 'Bearer sk-bench';
try {
  await drive(gw.url, CHAT, Math.min(300, CALLS), authorization);
  await drive(gw.url, STREAM, Math.min(300, CALLS), authorization);
  const from = performance.now();
  for (const [label, body] of [['non-streaming', CHAT], ['streaming (24 chunks)', STREAM]] as const) {
    const c0 = cpuSeconds(gw.proc.pid);
    const errors = await drive(gw.url, body, CALLS, authorization);
    const us = ((cpuSeconds(gw.proc.pid) - c0) * 1e6) / CALLS;
    console.log(`${label.padEnd(22)} gateway CPU ${us.toFixed(0)} µs/call${errors > 0 ? `  NON-2XX ${errors}` : ''}`);
  }
  const to = performance.now();
  gw.proc.kill('SIGTERM');
  await once(gw.proc, 'exit');
  const exited = performance.now();
  const main = readdirSync(profDir).find((f) => f.endsWith('.001.cpuprofile'));
  if (!main) throw new Error(`no main-thread profile in ${profDir}`);
  const profile = JSON.parse(readFileSync(join(profDir, main), 'utf8')) as CpuProfile;
  console.log('\nshare of the gateway main thread (measured window; parts may overlap):');
  for (const [name, pct] of Object.entries(shares(profile, (exited - from) * 1000, (exited - to) * 1000))) console.log(`  ${pct.toFixed(1).padStart(5)}%  ${name}`);
  if (KEEP) console.log(`\nprofiles kept in ${KEEP} (open in Chrome DevTools)`);
} finally {
  gw.proc.kill('SIGTERM');
  sim.proc.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
  if (!KEEP) rmSync(profDir, { recursive: true, force: true });
}
