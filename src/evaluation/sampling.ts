/**
 * A repeatable random sample: rank items by a hash of (seed, id) and take the first n. The same
 * seed over the same captures gives the same sample, so two candidates can be compared on
 * identical requests; a new seed draws anew.
 */
import { createHash } from 'node:crypto';

export function sampleBy<T>(items: readonly T[], idOf: (t: T) => string, n: number, seed: string): T[] {
  return items
    .map((t) => ({ t, k: createHash('sha256').update(`${seed}\u0000${idOf(t)}`).digest('hex') }))
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
    .slice(0, Math.max(0, n))
    .map((x) => x.t);
}
