/**
 * Reads who and what caused a call from the request: x-costrail-* headers, W3C traceparent,
 * and the OpenAI `user` / `metadata` body fields. Headers win over body fields; key defaults
 * (virtual keys) fill only what neither gave; tags merge.
 *
 * What a virtual key fixes is binding: its team, project and customer are the call's, whatever
 * a header says (a header once moved a growth key's calls to search's budget and kill switch).
 * A header that disagrees is reported as a conflict, and the gateway refuses the call.
 *
 * Tags are bounded: a request brings at most MAX_REQUEST_TAGS (headers first, then `metadata`),
 * keys up to 64 and values up to 256 characters. What was cut is recorded in the reserved tags
 * `costrail_tags_dropped` and `costrail_tags_truncated` (counts), which clients cannot set.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { emptyAttribution, type Attribution, type Priority } from '../ledger/ledger-record.js';

export interface CallAttribution {
  attribution: Attribution;
  tags: Record<string, string>;
  trace_id: string | null;
  span_id: string | null;
  /** A header named another value for a field the virtual key fixes (the key's value is kept above). */
  conflict?: { field: BoundField; requested: string; bound: string };
}

/** Fields a virtual key fixes when it sets them: who pays and who is refused. */
export const BOUND_FIELDS = ['team', 'project', 'customer'] as const;
export type BoundField = (typeof BOUND_FIELDS)[number];

export const MAX_REQUEST_TAGS = 50;
const MAX_TAG_KEY = 64;
/** Reserved tag names: what the gateway cut from a request's tags. */
export const TAGS_DROPPED = 'costrail_tags_dropped';
export const TAGS_TRUNCATED = 'costrail_tags_truncated';
const RESERVED_TAG_PREFIX = 'costrail_';

const HEADER_FIELDS: [string, keyof Attribution][] = [
  ['x-costrail-team', 'team'],
  ['x-costrail-project', 'project'],
  ['x-costrail-feature', 'feature'],
  ['x-costrail-customer', 'customer'],
  ['x-costrail-user', 'user'],
  ['x-costrail-env', 'env'],
  ['x-costrail-agent', 'agent'],
  ['x-costrail-prompt-version', 'prompt_version'],
];

const MAX_VALUE = 256;

/** A header's whole value (tags are cut pair by pair, so that cuts can be counted). */
function rawHeader(h: IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v.join(';') : v;
}

function header(h: IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name];
  const s = Array.isArray(v) ? v[0] : v;
  if (s === undefined) return undefined;
  const t = s.trim();
  return t.length === 0 ? undefined : t.slice(0, MAX_VALUE);
}

/** W3C traceparent: 00-<32 hex trace id>-<16 hex parent id>-<flags>. */
export function parseTraceparent(value: string | undefined): { trace_id: string; span_id: string } | undefined {
  if (!value) return undefined;
  const m = /^[\da-f]{2}-([\da-f]{32})-([\da-f]{16})-[\da-f]{2}$/.exec(value.trim().toLowerCase());
  if (!m || /^0+$/.test(m[1] ?? '')) return undefined;
  return { trace_id: m[1] as string, span_id: m[2] as string };
}

/** Collects request tags under the caps, counting what it drops and cuts. */
class TagCollector {
  readonly tags: Record<string, string> = {};
  count = 0;
  dropped = 0;
  truncated = 0;

  add(key: string, value: string): void {
    const k = key.slice(0, MAX_TAG_KEY);
    if (k.startsWith(RESERVED_TAG_PREFIX)) {
      this.dropped++;
      return;
    }
    if (Object.hasOwn(this.tags, k)) return; // an earlier (stronger) source already set it
    if (this.count >= MAX_REQUEST_TAGS) {
      this.dropped++;
      return;
    }
    if (key.length > MAX_TAG_KEY || value.length > MAX_VALUE) this.truncated++;
    this.tags[k] = value.slice(0, MAX_VALUE);
    this.count++;
  }
}

function headerTags(value: string | undefined, into: TagCollector): void {
  if (!value) return;
  for (const part of value.split(/[;,]/)) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const k = part.slice(0, eq).trim();
    if (k) into.add(k, part.slice(eq + 1).trim());
  }
}

export interface KeyDefaults {
  attribution?: Partial<Attribution>;
  tags?: Record<string, string>;
}

export function attributeCall(h: IncomingHttpHeaders, body: Record<string, unknown> | undefined, defaults?: KeyDefaults): CallAttribution {
  const attribution = emptyAttribution();
  for (const [name, field] of HEADER_FIELDS) {
    const v = header(h, name);
    if (v !== undefined) (attribution as unknown as Record<string, string | null>)[field] = v;
  }
  const priority = header(h, 'x-costrail-priority');
  if (priority === 'critical' || priority === 'normal' || priority === 'background') attribution.priority = priority as Priority;

  // OpenAI's own attribution fields, for clients that cannot set headers.
  if (attribution.user === null && typeof body?.['user'] === 'string') attribution.user = (body['user'] as string).slice(0, MAX_VALUE);
  // Header tags win over metadata, so they are taken first; the cap then falls on metadata.
  const collected = new TagCollector();
  headerTags(rawHeader(h, 'x-costrail-tags'), collected);
  const metadata = body?.['metadata'];
  if (metadata && typeof metadata === 'object' && !Array.isArray(metadata)) {
    for (const k in metadata as Record<string, unknown>) {
      const v = (metadata as Record<string, unknown>)[k];
      if (typeof v === 'string') collected.add(k, v);
    }
  }

  let conflict: CallAttribution['conflict'];
  if (defaults?.attribution) {
    for (const [k, v] of Object.entries(defaults.attribution) as [keyof Attribution, string | null | undefined][]) {
      if (!v) continue;
      const current = attribution[k];
      if (current !== null && current !== v && (BOUND_FIELDS as readonly string[]).includes(k)) {
        conflict ??= { field: k as BoundField, requested: current, bound: v };
        (attribution as unknown as Record<string, string | null>)[k] = v;
      } else if (current === null) (attribution as unknown as Record<string, string | null>)[k] = v;
    }
  }
  const merged: Record<string, string> = { ...(defaults?.tags ?? {}), ...collected.tags };
  if (collected.dropped > 0) merged[TAGS_DROPPED] = String(collected.dropped);
  if (collected.truncated > 0) merged[TAGS_TRUNCATED] = String(collected.truncated);

  const tp = parseTraceparent(header(h, 'traceparent'));
  const trace_id = header(h, 'x-costrail-trace-id') ?? tp?.trace_id ?? null;
  const who: CallAttribution = { attribution, tags: merged, trace_id, span_id: tp?.span_id ?? null };
  if (conflict) who.conflict = conflict;
  return who;
}
