/**
 * How a Costrail process opens its policy: in-process counters by default, Redis when
 * COSTRAIL_REDIS_URL is set (prefix COSTRAIL_REDIS_PREFIX, default `costrail:`; per-operation
 * timeout COSTRAIL_REDIS_TIMEOUT_MS, default 1000), and the
 * reservation ceiling from COSTRAIL_RESERVATION_CEILING_USD (default $5 per call). On a shared
 * store, COSTRAIL_POLICY_SYNC_MS (default 1000) is how often the rules' revision is polled.
 */
import type { LedgerWriter } from '../ledger/ledger-writer.js';
import type { PriceBookSource } from '../pricing/current-price-book.js';
import type { Store } from '../store/store.js';
import type { PolicyCounters } from './counters/policy-counters.js';
import { RedisCounters } from './counters/redis-counters.js';
import { PolicyService } from './policy-service.js';
import { environment, type Environment } from '../config/environment.js';

export interface PolicyRuntimeOptions {
  counters?: PolicyCounters;
  clock?: () => number;
  reservationCeilingUsd?: string;
  reservationTtlMs?: number;
  syncIntervalMs?: number;
}

export async function openPolicy(o: PolicyRuntimeOptions & { store: Store; book: PriceBookSource; writer: LedgerWriter; quiet?: boolean; env?: Environment }): Promise<PolicyService> {
  const env = o.env ?? environment();
  let counters = o.counters;
  if (!counters && env.COSTRAIL_REDIS_URL) {
    counters = await RedisCounters.open({ url: env.COSTRAIL_REDIS_URL, prefix: env.COSTRAIL_REDIS_PREFIX ?? 'costrail:', timeoutMs: env.COSTRAIL_REDIS_TIMEOUT_MS ? Number(env.COSTRAIL_REDIS_TIMEOUT_MS) : undefined });
  }
  return PolicyService.open({
    store: o.store,
    book: o.book,
    counters,
    clock: o.clock,
    reservationCeilingUsd: o.reservationCeilingUsd ?? env.COSTRAIL_RESERVATION_CEILING_USD,
    reservationTtlMs: o.reservationTtlMs,
    syncIntervalMs: o.syncIntervalMs ?? (env.COSTRAIL_POLICY_SYNC_MS ? Number(env.COSTRAIL_POLICY_SYNC_MS) : undefined),
    flushLedger: () => o.writer.flush(),
    log: o.quiet ? undefined : (level, msg, fields) => console.error(JSON.stringify({ level, msg, ...fields })),
  });
}
