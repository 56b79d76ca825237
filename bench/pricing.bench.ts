/**
 * Cost-engine micro-benchmark: stream metering and pricing per call, the work the gateway adds
 * to every response. Run: npm run build && node dist/bench/pricing.bench.js
 * Prints ns per operation and, as the baseline, the cost of a bare JSON.parse of the same body.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { priceUsage } from '../src/pricing/cost.js';
import { loadPriceBook } from '../src/pricing/catalog-loader.js';
import { parserFor } from '../src/providers/registry.js';
import type { ApiKind } from '../src/providers/spec.js';
import type { ProviderId } from '../src/providers/registry.js';

const FIX = join(process.cwd(), 'test', 'fixtures', 'providers');
const book = loadPriceBook();

function bench(name: string, iterations: number, fn: () => void): number {
  for (let i = 0; i < Math.min(1000, iterations); i++) fn(); // warm-up
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn();
  const ns = Number(process.hrtime.bigint() - t0) / iterations;
  console.log(`${name.padEnd(58)} ${ns.toFixed(0).padStart(8)} ns/op`);
  return ns;
}

const cases: [string, ProviderId, ApiKind, string][] = [
  ['openai_chat_stream_include_usage.sse', 'openai', 'chat.completions', 'gpt-4o-mini-2024-07-18'],
  ['anthropic_messages_stream_web_search.sse', 'anthropic', 'messages', 'claude-sonnet-4-20250514'],
  ['gemini_streamgeneratecontent_thinking.sse', 'gemini', 'generateContent', 'gemini-3-pro-preview'],
];

for (const [file, provider, api, model] of cases) {
  const bytes = new Uint8Array(readFileSync(join(FIX, file)));
  const text = new TextDecoder().decode(bytes);
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += 512) chunks.push(bytes.subarray(i, i + 512));
  const parser = parserFor(provider);
  const lines = text.split('\n').filter((l) => l.startsWith('data: {'));
  const base = bench(`baseline: JSON.parse every data line of ${file} (${bytes.length} B)`, 5000, () => {
    for (const l of lines) JSON.parse(l.slice(6));
  });
  const meter = bench(`meter ${provider} stream in 512 B chunks`, 5000, () => {
    const m = parser.createStreamMeter({ api });
    for (const c of chunks) m.push(c);
    m.end();
  });
  const outcome = parser.createStreamMeter({ api });
  outcome.push(bytes);
  const ex = outcome.end().extraction;
  if (!ex) throw new Error(`${file}: no usage`);
  const price = bench(`price ${model}`, 50000, () => {
    priceUsage(book, { provider, model, usage: ex.usage, at: new Date() });
  });
  console.log(`  ratio meter/baseline ${(meter / base).toFixed(2)}x; pricing ${(price / 1000).toFixed(1)} us per call\n`);
}
