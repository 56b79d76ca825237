/**
 * `serve` with the ledger database (PostgreSQL) unreachable at start: instead of exiting, the
 * process listens at once, says so on `/healthz` (`degraded`, which dependency, since when) and in
 * the log, and keeps trying to connect with back-off. Until it can, gateway calls are refused
 * with 503 `ledger_database_unavailable` in the caller's format and recorded in the spool: the
 * virtual keys, revocations and budgets live in that database, so serving without them would
 * either open pass-through or ignore a revocation. `/api` answers 503. Once connected, the
 * runtime finishes starting on the same listening socket and commits the spooled records.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CallIdentity, KeyAuthority } from '../gateway/call-policy.js';
import type { GatewayError } from '../gateway/error-format.js';
import type { Gateway } from '../gateway/gateway.js';
import { isStoreUnavailable } from '../ledger/store-failure.js';
import type { Store } from '../store/store.js';
import type { Logger } from '../http/logger.js';

export const LEDGER_DATABASE_DOWN: GatewayError = {
  status: 503,
  type: 'ledger_database_unavailable',
  message: 'Costrail is starting and cannot reach its ledger database yet; retry shortly',
  retryAfterSeconds: 5,
};

/** Refuses every call while the keys cannot be read (the gateway records each refusal). */
export const REFUSE_UNTIL_DATABASE: KeyAuthority = { identify: (): GatewayError | CallIdentity => LEDGER_DATABASE_DOWN };

export interface DatabaseOutage {
  since: string;
  error: string;
}

/** The request handler while waiting: /healthz degraded, /api 503, everything else to the refusing gateway. */
export function waitingHandler(gateway: Gateway, outage: DatabaseOutage, extraHealth: () => Record<string, unknown>, log: Logger): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const url = req.url ?? '/';
    if (url === '/healthz') {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ...extraHealth(), status: 'degraded', accepting_calls: false, dependencies: { ledger_database: { status: 'unreachable', since: outage.since, error: outage.error } } }));
      return;
    }
    if (url === '/api' || url.startsWith('/api/')) {
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '5' });
      res.end(JSON.stringify({ error: { type: 'ledger_database_unavailable', message: LEDGER_DATABASE_DOWN.message } }));
      return;
    }
    gateway.handle(req, res).catch((err: unknown) => {
      log.error({ err: (err as Error).message }, 'gateway failure while waiting for the ledger database');
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  };
}

/**
 * Opens the store, retrying while the database is unreachable (back-off 1 s doubling to 30 s).
 * Any other error (bad URL, failed migration) is thrown at once: waiting would not fix it.
 */
export async function openStoreWhenReachable(open: () => Promise<Store>, outage: DatabaseOutage, log: Logger, signal: { stopped: boolean }): Promise<Store> {
  let delay = 1000;
  for (;;) {
    await new Promise((r) => setTimeout(r, delay));
    if (signal.stopped) throw new Error('stopped while waiting for the ledger database');
    try {
      const store = await open();
      log.info({ dependency: 'ledger_database', unreachable_since: outage.since }, 'ledger database reachable; finishing start');
      return store;
    } catch (e) {
      if (!isStoreUnavailable(e)) throw e;
      outage.error = (e as Error).message;
      delay = Math.min(delay * 2, 30_000);
    }
  }
}
