/**
 * One call, one record, whoever saw it: the gateway, the in-process SDK, an OpenTelemetry span, an
 * import. Records of one call share the provider's response id (`provider` + `response_id`, the
 * call key); the stores keep one record per key and fold every later record of it into that one
 * with `mergeCallRecords` (docs/ledger-record.md "One record per call").
 *
 * The merge rule, per field:
 * - The record of the most trusted source is the base, whatever order they arrived in: gateway
 *   (and the demo's simulator) > sdk > import > otel. The gateway read the bytes on the wire and
 *   holds the request id its client saw; the SDK read the same bytes in-process; a span is what an
 *   instrumentation chose to write down. Between records of one source the one stored first is the
 *   base. The base gives `id`, `source`, the times, the outcome (`status`, `http_status`,
 *   `error`), the model and everything about the request's shape.
 * - Usage and cost travel together (usage, usage_source, raw_usage, usage_version, cost, priced,
 *   price_version, unpriced_reason): from the base, unless the base counted nothing (usage null)
 *   and another record did.
 * - Attribution, key by key: the base's value when it has one, else the next source's in the same
 *   order. A span's user or session attribute thus lands on the gateway's record, while a value
 *   the gateway had (from a header or a virtual key) is never replaced.
 * - Tags: the union; on the same tag name the base's value wins.
 * - Every other field that the base leaves null or absent (trace and span ids, key id, ttft, api,
 *   request shape, finish reason) is filled from the others in source order.
 *
 * The fold is associative and, up to ties within one source, independent of arrival order, so a
 * call seen three ways ends as the same record whichever two met first.
 */
import { ATTRIBUTION_FIELDS, type LedgerRecord, type LedgerSource } from './ledger-record.js';

const SOURCE_RANK: Record<LedgerSource, number> = { gateway: 0, simulator: 0, sdk: 1, import: 2, otel: 3 };

/** The fields that describe usage and its price: taken as one group. */
const USAGE_GROUP = ['usage', 'usage_source', 'raw_usage', 'usage_version', 'cost', 'priced', 'price_version', 'unpriced_reason'] as const;
/** Fields never filled from another record (the base's own identity and outcome). */
const BASE_ONLY = new Set<string>(['id', 'source', 'started_at', 'ended_at', 'duration_ms', 'status', 'http_status', 'error', 'stream', 'model', 'model_requested', 'provider', 'response_id', 'attribution', 'tags', ...USAGE_GROUP]);

/** The call key of a record: provider and response id; undefined when the record has no response id. */
export function callKey(r: Pick<LedgerRecord, 'provider' | 'response_id'>): string | undefined {
  return r.response_id ? `${r.provider}\u0000${r.response_id}` : undefined;
}

/**
 * Records of one call, in arrival order (the stored one first), folded into one by the rule
 * above. Throws on an empty list; a single record comes back unchanged.
 */
export function mergeCallRecords(records: readonly LedgerRecord[]): LedgerRecord {
  if (records.length === 0) throw new Error('mergeCallRecords: no records');
  // Stable sort: within one source, arrival order decides.
  const ranked = records.map((r, i) => ({ r, i })).sort((a, b) => SOURCE_RANK[a.r.source] - SOURCE_RANK[b.r.source] || a.i - b.i).map((x) => x.r);
  const base = ranked[0]!;
  if (ranked.length === 1) return base;
  const out: LedgerRecord = { ...base, attribution: { ...base.attribution }, tags: {} };
  const o = out as unknown as Record<string, unknown>;
  for (const other of ranked.slice(1)) {
    const src = other as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(src)) {
      if (BASE_ONLY.has(k) || v === null || v === undefined) continue;
      if (o[k] === null || o[k] === undefined) o[k] = v;
    }
    for (const key of ATTRIBUTION_FIELDS) {
      if (out.attribution[key] === null && other.attribution[key] !== null) (out.attribution as Record<string, unknown>)[key] = other.attribution[key];
    }
    if (out.usage === null && other.usage !== null) for (const k of USAGE_GROUP) o[k] = src[k];
  }
  // Tags: lower-ranked first so the base's value wins on a shared name.
  for (const r of [...ranked].reverse()) Object.assign(out.tags, r.tags);
  return out;
}

/** Whether merging changed anything a store keeps (so an unchanged record is not rewritten). */
export function sameRecord(a: LedgerRecord, b: LedgerRecord): boolean {
  return canonical(a) === canonical(b);
}

function canonical(r: LedgerRecord): string {
  const sorted = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sorted);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined && x !== null).sort(([x], [y]) => (x < y ? -1 : 1)).map(([k, x]) => [k, sorted(x)]));
    return v;
  };
  return JSON.stringify(sorted(r));
}

/**
 * A batch with the records of one call folded together (first occurrence's position kept), so a
 * store sees each call key at most once per batch.
 */
export function foldBatchCalls(records: readonly LedgerRecord[]): LedgerRecord[] {
  const byKey = new Map<string, LedgerRecord[]>();
  let shared = false;
  for (const r of records) {
    const k = callKey(r);
    if (k === undefined) continue;
    const list = byKey.get(k);
    if (list) {
      list.push(r);
      shared = true;
    } else byKey.set(k, [r]);
  }
  if (!shared) return records as LedgerRecord[];
  const out: LedgerRecord[] = [];
  for (const r of records) {
    const k = callKey(r);
    if (k === undefined) out.push(r);
    else {
      const list = byKey.get(k);
      if (!list) continue;
      out.push(list.length === 1 ? r : mergeCallRecords(list));
      byKey.delete(k);
    }
  }
  return out;
}
