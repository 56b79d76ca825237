/**
 * Small readers for hostile JSON (requests from clients, bodies from upstreams): every field is
 * checked for its type where it is read, and a wrong type is a ShapeTranslationError naming the
 * field, never a TypeError deep inside a translator.
 */
import { ShapeTranslationError } from './shape-translator.js';

export type Json = Record<string, unknown>;

export function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `v` as an object, or {} (for upstream bodies, where a missing member just means "nothing there"). */
export function rec(v: unknown): Json {
  return isRecord(v) ? v : {};
}

export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** A non-negative integer token count from an upstream body; anything else counts 0. */
export function count(v: unknown): number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : 0;
}

/** Optional finite number field of a client request. */
export function optNumber(body: Json, field: string): number | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ShapeTranslationError(`${field} must be a number`);
  return v;
}

/** Optional positive integer field of a client request. */
export function optPositiveInt(body: Json, field: string): number | undefined {
  const v = optNumber(body, field);
  if (v !== undefined && (!Number.isSafeInteger(v) || v < 1)) throw new ShapeTranslationError(`${field} must be a positive integer`);
  return v;
}

export function optString(body: Json, field: string): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new ShapeTranslationError(`${field} must be a string`);
  return v;
}

/** A client request's object field (or undefined); a non-object is refused. */
export function optRecord(body: Json, field: string): Json | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (!isRecord(v)) throw new ShapeTranslationError(`${field} must be an object`);
  return v;
}

/** A client request's array field (or []); a non-array is refused. */
export function optArray(body: Json, field: string): unknown[] {
  const v = body[field];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new ShapeTranslationError(`${field} must be an array`);
  return v;
}

/** Tool-call arguments as an object: JSON text that is not an object becomes `{}` (the target's shape needs an object). */
export function argumentsObject(json: string): Json {
  if (json.trim() === '') return {};
  try {
    const v: unknown = JSON.parse(json);
    return isRecord(v) ? v : {};
  } catch {
    return {};
  }
}

const DATA_URL = /^data:([a-z]+\/[a-z0-9.+-]+);base64,([A-Za-z0-9+/=\s]*)$/i;

/** `data:<media>;base64,<bytes>` split into its parts, or undefined when the URL is not a base64 data URL. */
export function parseDataUrl(url: string): { mediaType: string; data: string } | undefined {
  const m = DATA_URL.exec(url);
  return m ? { mediaType: m[1]!.toLowerCase(), data: m[2]!.replace(/\s+/g, '') } : undefined;
}

/** Seconds since the epoch, as OpenAI's `created`. */
export function unixSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
