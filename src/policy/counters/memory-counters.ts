/**
 * In-process counters (the default, one node). Synchronous, so admission costs no extra turn of
 * the event loop. Reservations share one time-to-live, so each bucket keeps its holds in arrival
 * order and expiry only ever looks at the oldest ones.
 */
import type { BucketState, Charge, PolicyCounters, ReserveResult, Settlement } from './policy-counters.js';

interface Hold {
  id: string;
  amount: bigint;
  expires: number;
}

interface Bucket {
  spent: bigint;
  reserved: bigint;
  holds: Map<string, Hold>;
  order: Hold[];
  head: number;
  expiresAt: number;
}

export class MemoryCounters implements PolicyCounters {
  readonly kind = 'memory' as const;
  private readonly buckets = new Map<string, Bucket>();
  private readonly claims = new Map<string, number>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(sweepEveryMs = 60_000) {
    this.sweeper = setInterval(() => this.sweep(Date.now()), sweepEveryMs);
    this.sweeper.unref();
  }

  private bucket(key: string, expiresAt: number): Bucket {
    let b = this.buckets.get(key);
    if (!b) {
      b = { spent: 0n, reserved: 0n, holds: new Map(), order: [], head: 0, expiresAt };
      this.buckets.set(key, b);
    }
    return b;
  }

  private release(b: Bucket, now: number): void {
    while (b.head < b.order.length) {
      const h = b.order[b.head] as Hold;
      if (h.expires > now) break;
      if (b.holds.get(h.id) === h) {
        b.holds.delete(h.id);
        b.reserved -= h.amount;
      }
      b.head++;
    }
    // Settled holds leave stale entries in `order`; drop them once they outnumber live holds
    // (amortised O(1) per call, and memory stays proportional to calls in flight).
    if (b.order.length - b.head > 64 && b.order.length - b.head > 2 * b.holds.size) {
      const live: Hold[] = [];
      for (let i = b.head; i < b.order.length; i++) {
        const h = b.order[i] as Hold;
        if (b.holds.get(h.id) === h) live.push(h);
      }
      b.order = live;
      b.head = 0;
    }
  }

  reserve(id: string, charges: readonly Charge[], now: number, ttlMs: number): ReserveResult {
    const buckets: Bucket[] = [];
    for (let i = 0; i < charges.length; i++) {
      const c = charges[i] as Charge;
      const b = this.bucket(c.key, c.expiresAt);
      // As Redis does: each reservation extends the bucket's life (trace guards slide).
      if (c.expiresAt > b.expiresAt) b.expiresAt = c.expiresAt;
      this.release(b, now);
      if (c.limit !== null && b.spent + b.reserved + c.amount > c.limit) return { ok: false, index: i, used: b.spent + b.reserved };
      buckets.push(b);
    }
    const expires = now + ttlMs;
    for (let i = 0; i < charges.length; i++) {
      const b = buckets[i] as Bucket;
      const amount = (charges[i] as Charge).amount;
      const prior = b.holds.get(id);
      const hold: Hold = { id, amount: amount + (prior?.amount ?? 0n), expires };
      b.holds.set(id, hold);
      b.order.push(hold);
      b.reserved += amount;
    }
    return { ok: true };
  }

  settle(id: string, settlements: readonly Settlement[], now: number): BucketState[] {
    const out: BucketState[] = [];
    for (const s of settlements) {
      const b = this.bucket(s.key, s.expiresAt);
      this.release(b, now);
      const h = b.holds.get(id);
      if (h) {
        b.holds.delete(id);
        b.reserved -= h.amount;
      }
      b.spent += s.actual;
      out.push({ spent: b.spent, reserved: b.reserved });
    }
    return out;
  }

  read(keys: readonly string[], now: number): Promise<BucketState[]> {
    return Promise.resolve(
      keys.map((k) => {
        const b = this.buckets.get(k);
        if (!b) return { spent: 0n, reserved: 0n };
        this.release(b, now);
        return { spent: b.spent, reserved: b.reserved };
      }),
    );
  }

  rebuild(key: string, spent: bigint, expiresAt: number): Promise<bigint> {
    const b = this.bucket(key, expiresAt);
    if (b.spent < spent) b.spent = spent;
    return Promise.resolve(b.spent);
  }

  onReconnect(): void {
    // In-process counters are never unreachable.
  }

  seed(key: string, spent: bigint, expiresAt: number): Promise<boolean> {
    if (this.buckets.has(key)) return Promise.resolve(false);
    this.bucket(key, expiresAt).spent = spent;
    return Promise.resolve(true);
  }

  claim(key: string, expiresAt: number): Promise<boolean> {
    if (this.claims.has(key)) return Promise.resolve(false);
    this.claims.set(key, expiresAt);
    return Promise.resolve(true);
  }

  broadcast(): Promise<void> {
    return Promise.resolve();
  }

  onBroadcast(): void {
    /* one process: nobody else to hear it */
  }

  private sweep(now: number): void {
    for (const [k, b] of this.buckets) if (b.expiresAt <= now && b.holds.size === 0) this.buckets.delete(k);
    for (const [k, t] of this.claims) if (t <= now) this.claims.delete(k);
  }

  close(): Promise<void> {
    clearInterval(this.sweeper);
    return Promise.resolve();
  }
}
