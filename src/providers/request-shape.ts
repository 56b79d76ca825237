/**
 * The shape of a request, for the ledger: hashes and counts, never text. Providers say which parts
 * of their request bodies are the stable prefix (system prompt, tools, cache breakpoints); this
 * module turns those parts into the recorded figures so every provider computes them alike.
 */
import { createHash } from 'node:crypto';
import type { ApiKind } from './spec.js';
import type { RequestShape } from './request-shape-fields.js';

export type { RequestShape } from './request-shape-fields.js';

/** What a provider reads from its own request body; `prefix` is the list of stable parts, in order. */
export interface RequestParts {
  prefix: unknown[];
  messages: number | null;
  tools: number | null;
  maxOutput: number | null;
}

/** Body fields that change how the answer is delivered or attributed, never what it says. */
const NOT_ANSWER_FIELDS = new Set(['stream', 'stream_options', 'user', 'metadata']);

/** JSON with object keys sorted at every depth, so equal requests hash equal whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const rec = value as Record<string, unknown>;
    const keys = Object.keys(rec).filter((k) => rec[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(rec[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Builds the recorded shape from a body and the parts its provider named. */
export function requestShape(api: ApiKind, model: string | undefined, body: Record<string, unknown>, parts: RequestParts): RequestShape {
  const answerFields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) if (!NOT_ANSWER_FIELDS.has(k)) answerFields[k] = v;
  const prefix = parts.prefix.filter((p) => p !== undefined && p !== null);
  const prefixJson = prefix.length > 0 ? canonicalJson(prefix) : undefined;
  return {
    request_hash: sha256(canonicalJson({ api, model: model ?? null, body: answerFields })),
    prompt_prefix_hash: prefixJson === undefined ? null : sha256(prefixJson),
    prompt_prefix_tokens: prefixJson === undefined ? null : Math.ceil(Buffer.byteLength(prefixJson, 'utf8') / 4),
    message_count: parts.messages,
    tool_count: parts.tools,
    max_output_tokens: parts.maxOutput,
  };
}

/** The length of an array field, or null when the field is absent or not an array. */
export function lengthOf(v: unknown): number | null {
  return Array.isArray(v) ? v.length : null;
}

/** The first of `fields` holding a non-negative integer, or null. */
export function firstCount(rec: Record<string, unknown> | undefined, ...fields: string[]): number | null {
  if (!rec) return null;
  for (const f of fields) {
    const v = rec[f];
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
  }
  return null;
}
