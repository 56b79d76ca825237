/**
 * How a Costrail process opens its response cache: none unless `cache.enabled`; in-process LRU by
 * default; Redis when COSTRAIL_REDIS_URL is set (prefix COSTRAIL_REDIS_PREFIX, per-operation
 * timeout COSTRAIL_REDIS_TIMEOUT_MS: the same variables the policy counters read).
 */
import type { PolicySettings } from '../../policy/open-policy.js';
import { MemoryCacheStore } from './memory-cache-store.js';
import { RedisCacheStore } from './redis-cache-store.js';
import { ResponseCache } from './response-cache.js';
import type { ResponseCacheConfig } from './response-cache-config.js';

export async function openResponseCache(config: ResponseCacheConfig | undefined, redis: PolicySettings['redis'], onError?: (err: Error) => void): Promise<ResponseCache | undefined> {
  if (!config?.enabled) return undefined;
  const store = redis ? await RedisCacheStore.open({ url: redis.url, prefix: redis.prefix, timeoutMs: redis.timeoutMs, onError }) : new MemoryCacheStore({ maxEntries: config.max_entries, maxBytes: config.max_bytes });
  return new ResponseCache(config, store);
}
