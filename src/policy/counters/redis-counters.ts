/**
 * Counters shared by every Costrail process through Redis (`COSTRAIL_REDIS_URL`). Every operation
 * is one Lua script (atomic, one round trip); config changes and kill switches travel on a pub/sub
 * channel. When Redis cannot answer, operations reject with CountersUnavailableError at once (no
 * offline queue, short command timeout) and each rule's fail mode decides (see policy-engine.ts).
 */
import { createHash, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { CountersUnavailableError, type BucketState, type Charge, type PolicyCounters, type ReserveResult, type Settlement } from './policy-counters.js';
import { READ, REBUILD, RESERVE, SEED, SETTLE } from './redis-scripts.js';

export interface RedisCountersOptions {
  url: string;
  /** Prepended to every key and the channel, so several deployments (or test runs) share one Redis. */
  prefix?: string;
  /** Longest a counter operation may take before the rule's fail mode applies (default 1000 ms). */
  timeoutMs?: number;
  /** How long `open` waits for the first connection before starting anyway (default 2000 ms). */
  connectWaitMs?: number;
}

const exp = (t: number): string => (Number.isFinite(t) ? String(Math.ceil(t)) : '0');

class Script {
  readonly sha: string;
  constructor(readonly lua: string) {
    this.sha = createHash('sha1').update(lua).digest('hex');
  }
}

const scripts = { reserve: new Script(RESERVE), settle: new Script(SETTLE), read: new Script(READ), seed: new Script(SEED), rebuild: new Script(REBUILD) };

export class RedisCounters implements PolicyCounters {
  readonly kind = 'redis' as const;
  readonly prefix: string;
  private readonly channel: string;
  private readonly origin = randomUUID();
  private readonly listeners: ((m: string) => void)[] = [];
  private readonly reconnectListeners: (() => void)[] = [];
  /** Set once the connection dropped, so the next 'ready' is a return rather than the first connect. */
  private lost = false;
  private subscriber: Redis | undefined;

  private constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.prefix = prefix;
    this.channel = `${prefix}policy-changes`;
  }

  static async open(o: RedisCountersOptions): Promise<RedisCounters> {
    const redis = new Redis(o.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: o.timeoutMs ?? 1000,
      connectTimeout: 1000,
      retryStrategy: (n) => Math.min(n * 200, 2000),
      lazyConnect: true,
      // Many calls in flight: one socket write per tick for all their scripts.
      enableAutoPipelining: true,
    });
    redis.on('error', () => undefined); // reported per operation; reconnects in the background
    const c = new RedisCounters(redis, o.prefix ?? 'costrail:');
    // Settles and broadcasts failed while Redis was away: the policy service rebuilds on return.
    redis.on('close', () => {
      c.lost = true;
    });
    redis.on('ready', () => {
      if (!c.lost) return;
      c.lost = false;
      for (const l of c.reconnectListeners) l();
    });
    await Promise.race([redis.connect().catch(() => undefined), new Promise((r) => setTimeout(r, o.connectWaitMs ?? 2000).unref())]);
    // Not connected yet: the first 'ready' is a return from an outage the startup seed could not see.
    if (redis.status !== 'ready') c.lost = true;
    // ioredis's own re-subscribe after a reconnect leaves its promise unhandled, and a connection
    // dropping right then rejects it (an unhandled rejection ends a Node 20 process): subscribe on
    // every 'ready' ourselves instead, with the rejection handled.
    const sub = redis.duplicate({ enableOfflineQueue: true, commandTimeout: undefined, lazyConnect: false, autoResubscribe: false, maxRetriesPerRequest: null });
    sub.on('error', () => undefined);
    sub.on('message', (_ch: string, raw: string) => c.deliver(raw));
    sub.on('ready', () => void sub.subscribe(c.channel).catch(() => undefined));
    c.subscriber = sub;
    return c;
  }

  private async run(s: Script, keys: string[], args: string[]): Promise<unknown> {
    const full = keys.map((k) => this.prefix + k);
    try {
      try {
        return await this.redis.evalsha(s.sha, full.length, ...full, ...args);
      } catch (e) {
        if (!String((e as Error).message).includes('NOSCRIPT')) throw e;
        return await this.redis.eval(s.lua, full.length, ...full, ...args);
      }
    } catch (e) {
      throw new CountersUnavailableError(`redis counters: ${(e as Error).message}`);
    }
  }

  async reserve(id: string, charges: readonly Charge[], now: number, ttlMs: number): Promise<ReserveResult> {
    const args = [String(now), String(now + ttlMs), id];
    for (const c of charges) args.push(c.amount.toString(), c.limit === null ? '' : c.limit.toString(), exp(c.expiresAt));
    const r = (await this.run(scripts.reserve, charges.map((c) => c.key), args)) as [number, string?, string?];
    if (r[0] === 0) return { ok: true };
    return { ok: false, index: r[0] - 1, used: BigInt(r[1] ?? '0') + BigInt(r[2] ?? '0') };
  }

  async settle(id: string, settlements: readonly Settlement[], now: number): Promise<BucketState[]> {
    const args = [String(now), id];
    for (const s of settlements) args.push(s.actual.toString(), exp(s.expiresAt));
    return pairs((await this.run(scripts.settle, settlements.map((s) => s.key), args)) as string[]);
  }

  async read(keys: readonly string[], now: number): Promise<BucketState[]> {
    if (keys.length === 0) return [];
    return pairs((await this.run(scripts.read, [...keys], [String(now)])) as string[]);
  }

  async seed(key: string, spent: bigint, expiresAt: number): Promise<boolean> {
    return (await this.run(scripts.seed, [key], [spent.toString(), exp(expiresAt)])) === 1;
  }

  async rebuild(key: string, spent: bigint, expiresAt: number): Promise<bigint> {
    return BigInt(String(await this.run(scripts.rebuild, [key], [spent.toString(), exp(expiresAt)])));
  }

  onReconnect(listener: () => void): void {
    this.reconnectListeners.push(listener);
  }

  async claim(key: string, expiresAt: number): Promise<boolean> {
    try {
      const ttl = Number.isFinite(expiresAt) ? Math.max(1000, Math.ceil(expiresAt - Date.now())) : 366 * 86_400_000;
      return (await this.redis.set(this.prefix + key, '1', 'PX', ttl, 'NX')) === 'OK';
    } catch (e) {
      throw new CountersUnavailableError(`redis counters: ${(e as Error).message}`);
    }
  }

  async broadcast(message: string): Promise<void> {
    try {
      await this.redis.publish(this.channel, JSON.stringify({ origin: this.origin, message }));
    } catch (e) {
      throw new CountersUnavailableError(`redis counters: ${(e as Error).message}`);
    }
  }

  onBroadcast(listener: (message: string) => void): void {
    this.listeners.push(listener);
  }

  private deliver(raw: string): void {
    try {
      const m = JSON.parse(raw) as { origin?: string; message?: string };
      if (m.origin === this.origin || typeof m.message !== 'string') return;
      for (const l of this.listeners) l(m.message);
    } catch {
      /* not ours */
    }
  }

  /** Deletes every key under the prefix (tests clean up after themselves). */
  async purge(): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}*`, 'COUNT', 500);
      if (keys.length > 0) await this.redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  }

  async close(): Promise<void> {
    this.subscriber?.disconnect();
    this.redis.disconnect();
    return Promise.resolve();
  }
}

function pairs(flat: string[]): BucketState[] {
  const out: BucketState[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push({ spent: BigInt(flat[i] as string), reserved: BigInt(flat[i + 1] as string) });
  return out;
}
