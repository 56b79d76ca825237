/**
 * What the response cache adds per gateway call, measured on the cache alone as CPU time
 * (process.cpuUsage, so other load on a shared machine does not inflate it), no network, the
 * in-process store holding 10,000 answers:
 *   - request_hash: the normalised-body hash every call's ledger record carries anyway (with the
 *     cache on it is computed before forwarding instead of after; shown for scale, not added);
 *   - consult on a miss: the per-call headers, opt-in and temperature checks, the key's SHA-256 and
 *     the LRU lookup (what the cache adds to a call it cannot answer);
 *   - consult on a hit (what replaces the whole upstream call).
 * The body is a chat request with a system prompt and 8 turns (~2.6 KB).
 *
 * Run: npm run build && node dist/bench/response-cache.bench.js [--calls 20000]
 */
import { adapterFor } from '../src/providers/registry.js';
import { MemoryCacheStore } from '../src/gateway/response-cache/memory-cache-store.js';
import { ResponseCache, type CacheCall } from '../src/gateway/response-cache/response-cache.js';
import { responseCacheConfig } from '../src/gateway/response-cache/response-cache-config.js';
import { emptyUsage } from '../src/providers/spec.js';

const args = process.argv.slice(2);
const CALLS = Number(args[args.indexOf('--calls') + 1] ?? 0) || 20_000;

const turns = Array.from({ length: 8 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `Turn ${i}: what did the search team spend on gpt-4o-mini last week, by feature and customer, and why did it change?` }));
const body = { model: 'gpt-4o-mini', temperature: 0, max_tokens: 300, messages: [{ role: 'system', content: 'You are a FinOps analyst. '.repeat(40) }, ...turns] };
const requestShape = adapterFor('openai').requestShape!;
const config = responseCacheConfig({ enabled: true });
const cache = new ResponseCache(config, new MemoryCacheStore({ maxEntries: config.max_entries, maxBytes: config.max_bytes }));

const call = (hash: string): CacheCall => ({ headers: {}, provider: 'openai', api: 'chat.completions', upstreamPath: '/chat/completions', stream: false, body, requestHash: hash, keyId: 'pt_0123456789abcdef', team: 'search', feature: 'answer' });
const answer = Buffer.alloc(1200, 'x');
for (let i = 0; i < 10_000; i++) {
  cache.keep(`k${i}`, { status: 200, contentType: 'application/json', body: answer, pricing: { usage: emptyUsage(), model: 'gpt-4o-mini' }, finishReason: 'stop', sourceId: `r${i}` });
}
const stored = call('stored');
const looked = cache.consult(stored);
if (looked instanceof Promise || 'error' in looked || looked.state !== 'miss') throw new Error('expected a miss');
looked.fill.complete({ id: 'r', status: 'ok', http_status: 200, usage_source: 'provider', usage: emptyUsage(), model: 'gpt-4o-mini', finish_reason: 'stop' } as Parameters<typeof looked.fill.complete>[0], null, 'application/json', answer);

function cpuMicros(label: string, fn: (i: number) => void): void {
  for (let i = 0; i < 2000; i++) fn(i); // warm up
  const c0 = process.cpuUsage();
  for (let i = 0; i < CALLS; i++) fn(i);
  const c = process.cpuUsage(c0);
  console.log(`${label.padEnd(44)} ${((c.user + c.system) / CALLS).toFixed(2)} µs CPU/call`);
}

let sink = 0;
cpuMicros('request_hash (already paid by every call)', () => {
  sink += requestShape(body, 'chat.completions', undefined)!.request_hash!.length;
});
cpuMicros('consult, miss', (i) => {
  const r = cache.consult(call(`miss-${i}`));
  if (!(r instanceof Promise) && 'state' in r) sink += r.state.length;
});
cpuMicros('consult, hit', () => {
  const r = cache.consult(stored);
  if (!(r instanceof Promise) && 'state' in r && r.state !== 'hit') throw new Error('expected a hit');
  sink += 1;
});
console.log(`(${CALLS} calls each; body ${Buffer.byteLength(JSON.stringify(body))} bytes; checksum ${sink})`);
