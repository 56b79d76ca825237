/**
 * The counters behind budgets, rate windows and trace guards, behind one interface so one node
 * runs them in memory and many nodes share them in Redis. Both implementations pass
 * test/policy/policy-counters.case.ts.
 *
 * A bucket holds `spent` and `reserved` (integers: tokens or pico-dollars, see money-units.ts).
 * `reserve` is all-or-nothing across its charges: it first releases reservations whose time has
 * passed (a crashed gateway never settles them), then admits only if every limited charge still
 * fits (`spent + reserved + amount <= limit`), then holds each amount under the call's id.
 * `settle` releases the call's hold (if it has not expired) and adds the actual amount to `spent`.
 */
import { CostrailError } from '../../errors/costrail-error.js';

export interface Charge {
  /** Bucket key (the backend adds its own prefix). */
  key: string;
  /** Held until settled or expired. */
  amount: bigint;
  /** null: counted, never refused (notify-only budgets). */
  limit: bigint | null;
  /** When the bucket itself may be forgotten (epoch ms; Infinity keeps it). */
  expiresAt: number;
}

export type ReserveResult = { ok: true } | { ok: false; index: number; used: bigint };

export interface Settlement {
  key: string;
  actual: bigint;
  /** As in Charge: a bucket that expired meanwhile is recreated with this lifetime. */
  expiresAt: number;
}

export interface BucketState {
  spent: bigint;
  reserved: bigint;
}

export interface PolicyCounters {
  readonly kind: 'memory' | 'redis';
  reserve(id: string, charges: readonly Charge[], now: number, ttlMs: number): ReserveResult | Promise<ReserveResult>;
  /** Returns each bucket's state after settling, in the order given. */
  settle(id: string, settlements: readonly Settlement[], now: number): BucketState[] | Promise<BucketState[]>;
  read(keys: readonly string[], now: number): Promise<BucketState[]>;
  /** Sets `spent` of a bucket that does not exist yet (spend already in the ledger); false if it exists. */
  seed(key: string, spent: bigint, expiresAt: number): Promise<boolean>;
  /**
   * Raises a bucket's `spent` to `spent` if it holds less (creating it if missing) and returns the
   * result. Idempotent, so replicas rebuilding the same period from the ledger at once agree, and
   * spend settled meanwhile is never lowered (a raise, not a SET of a possibly stale sum).
   */
  rebuild(key: string, spent: bigint, expiresAt: number): Promise<bigint>;
  /** True exactly once per key across every process sharing the counters (threshold events). */
  claim(key: string, expiresAt: number): Promise<boolean>;
  /** Sends a config change to every other process sharing the counters (none in memory). */
  broadcast(message: string): Promise<void>;
  onBroadcast(listener: (message: string) => void): void;
  /** Called each time shared counters come back after being unreachable (never for in-process ones). */
  onReconnect(listener: () => void): void;
  close(): Promise<void>;
}

/** The counters could not answer (Redis unreachable or timed out). */
export class CountersUnavailableError extends CostrailError {
  override readonly name = 'CountersUnavailableError';
  readonly code = 'policy_unavailable';
  readonly status = 503;
  override get retryable(): boolean {
    return true;
  }
}
