/**
 * What `instrument()` adds per wrapped call, on the caller's path:
 *   - in process, no network: the official openai client over a fetch that answers at once from
 *     memory, plain vs instrumented; wall time per call and this process's CPU per call
 *     (process.cpuUsage), non-streaming and streaming. The difference is the SDK's added latency.
 *   - the same pair against the simulator over HTTP, for scale (noisier: the network dominates).
 * The records go to a sink that counts them (no server), so only the wrapper is measured.
 *
 * Run: npm run build && node dist/bench/sdk-overhead.bench.js [--calls 5000] [--rounds 3]
 * (a smoke run: --calls 20 --rounds 1). The last line gives the added latency per call in ms,
 * instrumented minus bare client, for each mode, from this one run (the issue's target: ≤ 0.1 ms).
 */
import { performance } from 'node:perf_hooks';
import OpenAI from 'openai';
import { instrument, type RecordSink } from '../src/sdk/index.js';
import { startSimulator } from '../src/simulator/index.js';

const args = process.argv.slice(2);
const arg = (name: string, dflt: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) || dflt : dflt;
};
const CALLS = arg('--calls', 5000);
const ROUNDS = arg('--rounds', 3);

const completion = JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'gpt-4o-mini-2024-07-18', choices: [{ index: 0, message: { role: 'assistant', content: 'Spend is on budget.' }, finish_reason: 'stop' }], usage: { prompt_tokens: 20, completion_tokens: 5, total_tokens: 25 } });
const chunk = (o: unknown) => `data: ${JSON.stringify(o)}\n\n`;
const sse = [
  ...Array.from({ length: 8 }, (_, i) => chunk({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini-2024-07-18', choices: [{ index: 0, delta: { content: `w${i} ` }, finish_reason: null }] })),
  chunk({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini-2024-07-18', choices: [], usage: { prompt_tokens: 20, completion_tokens: 8, total_tokens: 28 } }),
  'data: [DONE]\n\n',
].join('');

const memoryFetch: typeof fetch = (_input, init) => {
  const stream = typeof init?.body === 'string' && init.body.includes('"stream":true');
  return Promise.resolve(new Response(stream ? sse : completion, { status: 200, headers: { 'content-type': stream ? 'text/event-stream' : 'application/json' } }));
};

class CountingSink implements RecordSink {
  records = 0;
  enqueue(): void {
    this.records++;
  }
}

const messages = [{ role: 'user' as const, content: 'Summarise the quarterly AI spend for the finance team.' }];
async function call(client: OpenAI, stream: boolean): Promise<void> {
  if (!stream) {
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    return;
  }
  const s = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true, stream_options: { include_usage: true } });
  for await (const _ of s) void _;
}

async function measure(client: OpenAI, stream: boolean, calls: number): Promise<{ wallUs: number; cpuUs: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) await call(client, stream);
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { wallUs: (wall * 1000) / calls, cpuUs: (cpu.user + cpu.system) / calls };
}

/** Added wall time per call (instrumented − bare), in ms, per mode measured. */
const added: { label: string; ms: number }[] = [];

async function compare(label: string, plain: OpenAI, wrapped: OpenAI, calls: number): Promise<void> {
  for (const stream of [false, true]) {
    await measure(plain, stream, Math.min(200, calls));
    await measure(wrapped, stream, Math.min(200, calls));
    const p: number[] = [];
    const w: number[] = [];
    const pc: number[] = [];
    const wc: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const a = await measure(plain, stream, calls);
      const b = await measure(wrapped, stream, calls);
      p.push(a.wallUs);
      w.push(b.wallUs);
      pc.push(a.cpuUs);
      wc.push(b.cpuUs);
    }
    const med = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] as number;
    added.push({ label: `${label} ${stream ? 'streaming' : 'non-streaming'}`, ms: (med(w) - med(p)) / 1000 });
    console.log(`${label} ${stream ? 'streaming' : 'non-streaming'}: plain ${med(p).toFixed(1)} µs/call, instrumented ${med(w).toFixed(1)} µs/call, added ${(med(w) - med(p)).toFixed(1)} µs wall; CPU ${med(pc).toFixed(1)} → ${med(wc).toFixed(1)} µs/call (added ${(med(wc) - med(pc)).toFixed(1)} µs)`);
  }
}

const sink = new CountingSink();
const inMemory = new OpenAI({ apiKey: 'sk-bench', baseURL: 'http://bench.invalid/v1', maxRetries: 0, fetch: memoryFetch });
await compare('in-process', inMemory, instrument(inMemory, { sink, fetch: memoryFetch }), CALLS);

const sim = await startSimulator();
try {
  const overHttp = new OpenAI({ apiKey: 'sk-bench', baseURL: `${sim.url}/v1`, maxRetries: 0 });
  await compare('simulator over HTTP', overHttp, instrument(overHttp, { sink }), Math.max(1, Math.floor(CALLS / 5)));
} finally {
  await sim.close();
}
// Records are made after the response is handed over; let the last ones finish before counting.
await new Promise((r) => setTimeout(r, 200));
console.log(`records made: ${sink.records}`);
console.log(`added latency per call vs the bare client (ms): ${added.map((a) => `${a.label} ${a.ms.toFixed(4)}`).join('; ')}`);
