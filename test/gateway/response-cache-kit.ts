/** Shared by the response-cache tests: a gateway with its own cache over a simulator, and the miss-then-hit checks. */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import OpenAI from 'openai';
import { Gateway } from '../../src/gateway/gateway.js';
import { createCostrailServer } from '../../src/server/http-server.js';
import { loadPriceBook } from '../../src/pricing/catalog-loader.js';
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import type { Simulator } from '../../src/simulator/index.js';
import { ResponseCache } from '../../src/gateway/response-cache/response-cache.js';
import { MemoryCacheStore } from '../../src/gateway/response-cache/memory-cache-store.js';
import type { CacheStore } from '../../src/gateway/response-cache/cache-store.js';
import { responseCacheConfig, type ResponseCacheConfig } from '../../src/gateway/response-cache/response-cache-config.js';

const book = loadPriceBook();

export interface CacheRig {
  base: string;
  records: LedgerRecord[];
  cache: ResponseCache;
  close(): Promise<void>;
}

/** A gateway with its own response cache over the shared simulator; records collected in memory. */
export async function cacheRig(s: Simulator, config: Partial<ResponseCacheConfig> = {}, store?: CacheStore, clock?: () => number): Promise<CacheRig> {
  const cfg = responseCacheConfig({ enabled: true, ...config });
  const cache = new ResponseCache(cfg, store ?? new MemoryCacheStore({ maxEntries: cfg.max_entries, maxBytes: cfg.max_bytes }), clock);
  const records: LedgerRecord[] = [];
  const gateway = new Gateway({ upstreams: { openai: `${s.url}/v1`, anthropic: s.url, gemini: s.url }, book, sink: { write: (r) => records.push(r) }, responseCache: cache });
  const server = createCostrailServer({ gateway });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    records,
    cache,
    async close() {
      await closeServer(server);
      await gateway.close();
      await cache.close();
    },
  };
}

async function closeServer(server: Server): Promise<void> {
  await new Promise<void>((r) => {
    server.close(() => r());
    server.closeAllConnections();
  });
}

export function openaiFor(base: string, key = 'sk-tenant-a', headers: Record<string, string> = {}): OpenAI {
  return new OpenAI({ apiKey: key, baseURL: `${base}/v1`, maxRetries: 0, defaultHeaders: { 'x-costrail-team': 'search', 'x-costrail-feature': 'faq', ...headers } });
}

/** The pair a miss-then-hit leaves: one ok record that paid, one cached record that saved exactly that. */
export function assertMissThenHit(records: readonly LedgerRecord[]): { ok: LedgerRecord; hit: LedgerRecord } {
  assert.deepEqual(
    records.map((r) => r.status),
    ['ok', 'cached'],
  );
  const [ok, hit] = records as [LedgerRecord, LedgerRecord];
  assert.equal(ok.priced, true);
  assert.ok(ok.cost && ok.cost.total !== '0');
  assert.equal(hit.saved, ok.cost.total, 'saved is exactly what the original call cost');
  assert.equal(hit.cost?.total, '0');
  assert.ok(Object.entries(hit.cost ?? {}).every(([k, v]) => k === 'currency' || k === 'source' || v === '0'));
  assert.equal(hit.usage, null, 'a hit bills no tokens');
  assert.equal(hit.http_status, 200);
  assert.equal(hit.model, ok.model);
  assert.equal(hit.provider, ok.provider);
  assert.equal(hit.request_hash, ok.request_hash);
  assert.equal(hit.attribution.team, ok.attribution.team);
  assert.equal(ok.saved, undefined);
  return { ok, hit };
}

