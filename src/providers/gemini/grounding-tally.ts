/**
 * Grounding with Google Search, read from `candidates[].groundingMetadata`.
 *
 * Gemini 2.x bills per grounded PROMPT, Gemini 3 per search QUERY (`webSearchQueries`), so both
 * are recorded and pricing picks per model (reference/pricing_rules.md section 4).
 *
 * Streams repeat grounding metadata across chunks (cumulative snapshots in some, increments in
 * others), so queries are merged as a multiset per candidate: each distinct query counts as many
 * times as the most any single chunk listed it. A snapshot repeated on every chunk is then counted
 * once, increments add up, and a query the model really ran twice in one response still counts twice.
 */
import { ProviderPayloadError, asRecord } from '../spec.js';

export class GroundingTally {
  /** candidate index -> query -> highest multiplicity seen in one chunk */
  private readonly queries = new Map<number, Map<string, number>>();
  private grounded = false;

  /** Reads one response (or stream chunk); throws ProviderPayloadError on wrong field types. */
  add(response: Record<string, unknown>): void {
    const candidates = response.candidates;
    if (candidates === undefined || candidates === null) return;
    if (!Array.isArray(candidates)) throw new ProviderPayloadError('candidates is not an array');
    for (let pos = 0; pos < candidates.length; pos++) {
      const cand = asRecord(candidates[pos]);
      if (!cand) continue;
      const gm = cand.groundingMetadata;
      if (gm === undefined || gm === null) continue;
      const meta = asRecord(gm);
      if (!meta) throw new ProviderPayloadError('groundingMetadata is not an object');
      // Streams send `groundingMetadata: {}` on chunks before the search results arrive.
      if (Object.keys(meta).length > 0) this.grounded = true;
      const list = meta.webSearchQueries;
      if (list === undefined || list === null) continue;
      if (!Array.isArray(list)) throw new ProviderPayloadError('groundingMetadata.webSearchQueries is not an array');
      const local = new Map<string, number>();
      for (const q of list) {
        if (typeof q !== 'string') throw new ProviderPayloadError('groundingMetadata.webSearchQueries has a non-string entry');
        local.set(q, (local.get(q) ?? 0) + 1);
      }
      // proto3 JSON omits `index` 0; position is the fallback when it is missing altogether.
      const index = typeof cand.index === 'number' ? cand.index : pos;
      let seen = this.queries.get(index);
      if (!seen) {
        seen = new Map();
        this.queries.set(index, seen);
      }
      for (const [q, n] of local) if (n > (seen.get(q) ?? 0)) seen.set(q, n);
    }
  }

  /** Billable search queries across all candidates. */
  get webSearchQueries(): number {
    let total = 0;
    for (const seen of this.queries.values()) for (const n of seen.values()) total += n;
    return total;
  }

  /** True when any candidate carried non-empty grounding metadata. */
  get isGrounded(): boolean {
    return this.grounded;
  }
}
