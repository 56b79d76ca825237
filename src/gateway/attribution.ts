/**
 * Reads who and what caused a call from the request: x-costrail-* headers, W3C traceparent,
 * and the OpenAI `user` / `metadata` body fields. Headers win over body fields; key defaults
 * (virtual keys) fill only what neither gave; tags merge.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { emptyAttribution, type Attribution, type Priority } from '../ledger/ledger-record.js';

export interface CallAttribution {
  attribution: Attribution;
  tags: Record<string, string>;
  trace_id: string | null;
  span_id: string | null;
}

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

function header(h: IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name];
  const s = Array.isArray(v) ? v[0] : v;
  if (s === undefined) return undefined;
  const t = s.trim();
  return t.length === 0 ? undefined : t.slice(0, MAX_VALUE);
}

/** `key=value; key=value` (also accepts commas). Malformed pairs are skipped, not fatal. */
export function parseTags(value: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!value) return out;
  for (const part of value.split(/[;,]/)) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const k = part.slice(0, eq).trim();
    const v = part.slice(eq + 1).trim();
    if (k) out[k.slice(0, 64)] = v.slice(0, MAX_VALUE);
  }
  return out;
}

/** W3C traceparent: 00-<32 hex trace id>-<16 hex parent id>-<flags>. */
export function parseTraceparent(value: string | undefined): { trace_id: string; span_id: string } | undefined {
  if (!value) return undefined;
  const m = /^[\da-f]{2}-([\da-f]{32})-([\da-f]{16})-[\da-f]{2}$/.exec(value.trim().toLowerCase());
  if (!m || /^0+$/.test(m[1] ?? '')) return undefined;
  return { trace_id: m[1] as string, span_id: m[2] as string };
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
  const tags: Record<string, string> = {};
  const metadata = body?.['metadata'];
  if (metadata && typeof metadata === 'object' && !Array.isArray(metadata)) {
    for (const [k, v] of Object.entries(metadata as Record<string, unknown>)) if (typeof v === 'string') tags[k.slice(0, 64)] = v.slice(0, MAX_VALUE);
  }
  Object.assign(tags, parseTags(header(h, 'x-costrail-tags')));

  if (defaults?.attribution) {
    for (const [k, v] of Object.entries(defaults.attribution) as [keyof Attribution, string | null | undefined][]) {
      if (attribution[k] === null && v) (attribution as unknown as Record<string, string | null>)[k] = v;
    }
  }
  const merged = { ...(defaults?.tags ?? {}), ...tags };

  const tp = parseTraceparent(header(h, 'traceparent'));
  const trace_id = header(h, 'x-costrail-trace-id') ?? tp?.trace_id ?? null;
  return { attribution, tags: merged, trace_id, span_id: tp?.span_id ?? null };
}
