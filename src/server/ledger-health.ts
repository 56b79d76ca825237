/**
 * What `/healthz` says about the ledger: whether calls can be recorded (the spool) and committed
 * (the store), since when not, and what recovery found. `unavailable` (HTTP 503) means the gateway
 * refuses calls (the spool cannot be written); `degraded` (HTTP 200) means it serves them while
 * the store is unreachable (records wait in the spool). Corrupt spool lines and quarantined
 * records are history, not a live state: they are counted here (and in /metrics) for alerting.
 */
import type { LedgerWriterStats } from '../ledger/ledger-writer.js';

export type HealthStatus = 'ok' | 'degraded' | 'unavailable';

export interface LedgerHealth {
  status: HealthStatus;
  spool_depth: number;
  dependencies: {
    ledger_spool: { status: 'ok' | 'unwritable'; since: string | null; error: string | null };
    ledger_store: { status: 'ok' | 'unreachable'; since: string | null; error: string | null };
  };
  spool_corrupt_lines: number;
  dead_letter_records: number;
}

export function ledgerHealth(s: LedgerWriterStats): LedgerHealth {
  const storeDown = s.storeUnavailableSince !== null;
  const status: HealthStatus = !s.spoolWritable ? 'unavailable' : storeDown ? 'degraded' : 'ok';
  return {
    status,
    spool_depth: s.spoolDepth,
    dependencies: {
      ledger_spool: { status: s.spoolWritable ? 'ok' : 'unwritable', since: s.spoolUnwritableSince, error: s.spoolError },
      ledger_store: { status: storeDown ? 'unreachable' : 'ok', since: s.storeUnavailableSince, error: storeDown ? s.lastError : null },
    },
    spool_corrupt_lines: s.corruptLines,
    dead_letter_records: s.quarantined,
  };
}
