/**
 * One cached answer: the provider's bytes as the gateway received them (a JSON body, or the whole
 * event stream), and what pricing needs to say what a replay saved. Stored as one buffer (a
 * length-prefixed JSON head, then the body bytes) so Redis keeps it in one value, never base64.
 */
import type { Usage } from '../../providers/spec.js';

/** What the original call's usage was priced from, kept so a hit is priced under the current book. */
export interface CachedPricing {
  usage: Usage;
  model: string;
  service_tier?: string;
  provider_cost_usd?: string;
  tier_basis_tokens?: number | null;
  traffic_type?: 'on_demand' | 'provisioned';
  inference_geo?: string;
}

export interface CachedResponse {
  /** HTTP status the provider answered (only 200s are cached). */
  status: number;
  contentType: string;
  /** The upstream bytes, before any filtering for the client (a chat stream keeps its usage chunk). */
  body: Buffer;
  pricing: CachedPricing;
  finishReason: string | null;
  /** Ledger id of the call whose answer this is. */
  sourceId: string;
  /** Epoch ms; a lookup after this is a miss whatever the store still holds. */
  expiresAt: number;
}

const VERSION = 1;

export function encodeCachedResponse(e: CachedResponse): Buffer {
  const head = Buffer.from(JSON.stringify({ v: VERSION, status: e.status, contentType: e.contentType, pricing: e.pricing, finishReason: e.finishReason, sourceId: e.sourceId, expiresAt: e.expiresAt }), 'utf8');
  const prefix = Buffer.allocUnsafe(4);
  prefix.writeUInt32BE(head.length, 0);
  return Buffer.concat([prefix, head, e.body]);
}

/** The entry, or undefined for bytes that are not one (another version, a foreign value, a torn write). */
export function decodeCachedResponse(buf: Buffer): CachedResponse | undefined {
  if (buf.length < 4) return undefined;
  const len = buf.readUInt32BE(0);
  if (len > buf.length - 4) return undefined;
  let head: unknown;
  try {
    head = JSON.parse(buf.subarray(4, 4 + len).toString('utf8'));
  } catch {
    return undefined;
  }
  if (!head || typeof head !== 'object') return undefined;
  const h = head as Partial<CachedResponse> & { v?: unknown };
  if (h.v !== VERSION || typeof h.status !== 'number' || typeof h.contentType !== 'string' || typeof h.sourceId !== 'string' || typeof h.expiresAt !== 'number') return undefined;
  if (!h.pricing || typeof h.pricing !== 'object' || typeof h.pricing.model !== 'string' || !h.pricing.usage) return undefined;
  return { status: h.status, contentType: h.contentType, body: buf.subarray(4 + len), pricing: h.pricing, finishReason: typeof h.finishReason === 'string' ? h.finishReason : null, sourceId: h.sourceId, expiresAt: h.expiresAt };
}
