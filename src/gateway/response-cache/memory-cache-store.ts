/**
 * The in-process store: `lru-cache` bounded by entries and by total bytes, with per-entry TTL.
 * (Why that library: docs/architecture.md, "Response cache".)
 */
import { LRUCache } from 'lru-cache';
import type { CachedResponse } from './cached-response.js';
import type { CacheStore } from './cache-store.js';

/** Bytes an entry holds beyond its body (head, key, bookkeeping), counted against max_bytes. */
const ENTRY_OVERHEAD = 512;

export class MemoryCacheStore implements CacheStore {
  readonly kind = 'memory' as const;
  private readonly lru: LRUCache<string, CachedResponse>;

  constructor(o: { maxEntries: number; maxBytes: number }) {
    this.lru = new LRUCache<string, CachedResponse>({
      max: o.maxEntries,
      maxSize: o.maxBytes,
      sizeCalculation: (e) => e.body.length + ENTRY_OVERHEAD,
      // Expiry is also checked against the entry's own expiresAt (the response cache's clock);
      // the LRU's TTL only frees the memory of entries nobody asks for again.
      ttlAutopurge: false,
    });
  }

  get(key: string): CachedResponse | undefined {
    return this.lru.get(key);
  }

  set(key: string, entry: CachedResponse, ttlMs: number): void {
    this.lru.set(key, entry, { ttl: ttlMs });
  }

  /** Entries held now (tests). */
  get size(): number {
    return this.lru.size;
  }

  close(): Promise<void> {
    this.lru.clear();
    return Promise.resolve();
  }
}
