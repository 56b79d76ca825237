/**
 * Where cached answers live: in-process (an LRU, the default) or Redis (COSTRAIL_REDIS_URL), one
 * interface so the response cache and its tests treat them alike. A store never throws into the
 * call: a store that cannot answer reports a miss (or drops the write), and the call goes upstream.
 */
import type { CachedResponse } from './cached-response.js';

export interface CacheStore {
  readonly kind: 'memory' | 'redis';
  /** The entry under `key`, or undefined (absent, expired, or the store could not answer). */
  get(key: string): CachedResponse | undefined | Promise<CachedResponse | undefined>;
  /** Keeps `entry` under `key` for `ttlMs`; failures are swallowed (reported through onError). */
  set(key: string, entry: CachedResponse, ttlMs: number): void | Promise<void>;
  close(): Promise<void>;
}
