/**
 * Real Redis at 127.0.0.1:6379 (COSTRAIL_TEST_REDIS_URL to override), one key prefix per run,
 * deleted afterwards. Without Redis the tests skip, unless CI=true, where they must fail.
 */
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { RedisCounters } from '../../src/policy/counters/redis-counters.js';

export const REDIS_URL = process.env.COSTRAIL_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export async function redisReachable(): Promise<boolean> {
  const u = new URL(REDIS_URL);
  return new Promise((resolve) => {
    const s = net.connect({ host: u.hostname, port: Number(u.port || 6379) });
    s.setTimeout(1000);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });
}

/** `{ skip }` for node:test when Redis is missing outside CI; throws in CI. */
export async function redisTestOptions(): Promise<{ skip?: string }> {
  if (await redisReachable()) return {};
  if (process.env.CI === 'true') throw new Error(`CI=true and Redis is not reachable at ${REDIS_URL}`);
  return { skip: `Redis not reachable at ${REDIS_URL}` };
}

export function testPrefix(): string {
  return `costrail-test:${randomUUID().slice(0, 12)}:`;
}

/** Counters whose close() first deletes every key under their prefix. */
export async function openTestCounters(prefix = testPrefix()): Promise<RedisCounters> {
  const c = await RedisCounters.open({ url: REDIS_URL, prefix, timeoutMs: 2000 });
  const close = c.close.bind(c);
  c.close = async () => {
    await c.purge().catch(() => undefined);
    await close();
  };
  return c;
}
