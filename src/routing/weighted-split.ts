/**
 * The arm of a weighted split a call lands on: FNV-1a (32-bit) of the trace id, else the request
 * id, modulo the weights' sum. Deterministic, so every call of a trace stays on one arm and an
 * experiment can be replayed; no allocation, no crypto (it is a bucket, not a secret).
 */
export function splitBucket(key: string, total: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return total > 0 ? (h >>> 0) % total : 0;
}
