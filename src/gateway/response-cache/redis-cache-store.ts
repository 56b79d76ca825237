/**
 * Cached answers in Redis, shared by every Costrail process (COSTRAIL_REDIS_URL): one key per
 * answer, `<prefix>cache:<sha256>`, holding the encoded entry with a PX expiry. Connected like the
 * policy counters (src/policy/counters/redis-counters.ts): no offline queue and a short command
 * timeout, so while Redis is away a lookup fails at once, counts as a miss, and the call goes
 * upstream; writes are dropped. The connection comes back in the background.
 */
import { Redis } from 'ioredis';
import { decodeCachedResponse, encodeCachedResponse, type CachedResponse } from './cached-response.js';
import type { CacheStore } from './cache-store.js';

export interface RedisCacheStoreOptions {
  url: string;
  /** Prepended to every key (several deployments or test runs on one Redis). */
  prefix?: string;
  /** Longest a lookup or write may take (default 1000 ms); past it the call goes upstream. */
  timeoutMs?: number;
  /** How long `open` waits for the first connection before starting anyway (default 2000 ms). */
  connectWaitMs?: number;
  /** Told when Redis could not answer (once per outage, not per call). */
  onError?: (err: Error) => void;
}

export class RedisCacheStore implements CacheStore {
  readonly kind = 'redis' as const;
  private reported = false;

  private constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly onError: ((err: Error) => void) | undefined,
  ) {}

  static async open(o: RedisCacheStoreOptions): Promise<RedisCacheStore> {
    const redis = new Redis(o.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: o.timeoutMs ?? 1000,
      connectTimeout: 1000,
      retryStrategy: (n) => Math.min(n * 200, 2000),
      lazyConnect: true,
      enableAutoPipelining: true,
    });
    redis.on('error', () => undefined); // reported per operation; reconnects in the background
    const store = new RedisCacheStore(redis, `${o.prefix ?? 'costrail:'}cache:`, o.onError);
    redis.on('ready', () => {
      store.reported = false;
    });
    await Promise.race([redis.connect().catch(() => undefined), new Promise((r) => setTimeout(r, o.connectWaitMs ?? 2000).unref())]);
    return store;
  }

  async get(key: string): Promise<CachedResponse | undefined> {
    try {
      const buf = await this.redis.getBuffer(this.prefix + key);
      return buf ? decodeCachedResponse(buf) : undefined;
    } catch (e) {
      this.report(e);
      return undefined;
    }
  }

  async set(key: string, entry: CachedResponse, ttlMs: number): Promise<void> {
    try {
      await this.redis.set(this.prefix + key, encodeCachedResponse(entry), 'PX', Math.max(1, Math.ceil(ttlMs)));
    } catch (e) {
      this.report(e);
    }
  }

  /** Deletes every key under this store's prefix (tests). */
  async purge(): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await this.redis.del(...keys);
    } while (cursor !== '0');
  }

  async close(): Promise<void> {
    this.redis.disconnect();
    return Promise.resolve();
  }

  private report(e: unknown): void {
    if (this.reported) return;
    this.reported = true;
    this.onError?.(e instanceof Error ? e : new Error(String(e)));
  }
}
