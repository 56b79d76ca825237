/**
 * How a Costrail process opens its policy: in-process counters by default, Redis when
 * COSTRAIL_REDIS_URL is set (prefix COSTRAIL_REDIS_PREFIX, default `costrail:`; per-operation
 * timeout COSTRAIL_REDIS_TIMEOUT_MS, default 1000), and the
 * reservation ceiling from COSTRAIL_RESERVATION_CEILING_USD (default $5 per call). On a shared
 * store, COSTRAIL_POLICY_SYNC_MS (default 1000) is how often the rules' revision is polled.
 * The variables are read by src/config/policy-settings.ts; this module receives the result.
 */
import type { LedgerWriter } from '../ledger/ledger-writer.js';
import type { PriceBookSource } from '../pricing/current-price-book.js';
import type { Store } from '../store/store.js';
import type { PolicyCounters } from './counters/policy-counters.js';
import { RedisCounters } from './counters/redis-counters.js';
import { PolicyService } from './policy-service.js';
import type { ImportedSpendMeter } from './imported-budgets.js';

export interface PolicyRuntimeOptions {
  counters?: PolicyCounters;
  clock?: () => number;
  reservationCeilingUsd?: string;
  reservationTtlMs?: number;
  syncIntervalMs?: number;
  /** Imported spend for vendor / category budgets (the runtime passes the inventory's meter). */
  importedSpend?: ImportedSpendMeter;
}

/** Where the counters live and the policy's tunables, as src/config/ resolved them from the environment. */
export interface PolicySettings {
  redis?: { url: string; prefix: string; timeoutMs?: number };
  reservationCeilingUsd?: string;
  syncIntervalMs?: number;
}

export async function openPolicy(o: PolicyRuntimeOptions & { store: Store; book: PriceBookSource; writer: LedgerWriter; quiet?: boolean; settings?: PolicySettings }): Promise<PolicyService> {
  const settings = o.settings ?? {};
  let counters = o.counters;
  if (!counters && settings.redis) counters = await RedisCounters.open(settings.redis);
  return PolicyService.open({
    store: o.store,
    book: o.book,
    counters,
    clock: o.clock,
    reservationCeilingUsd: o.reservationCeilingUsd ?? settings.reservationCeilingUsd,
    reservationTtlMs: o.reservationTtlMs,
    syncIntervalMs: o.syncIntervalMs ?? settings.syncIntervalMs,
    importedSpend: o.importedSpend,
    flushLedger: () => o.writer.flush(),
    log: o.quiet ? undefined : (level, msg, fields) => console.error(JSON.stringify({ level, msg, ...fields })),
  });
}
