/**
 * Answering a call from the cache: the stored bytes as the provider sent them (a JSON body as is;
 * a stream replayed as the same event stream, so every SDK reads it in its own shape), with the
 * chat usage chunk removed for a client that did not ask for it, exactly as a live call would be.
 */
import type { ServerResponse } from 'node:http';
import type { UsageExtraction } from '../../providers/spec.js';
import { USAGE_VERSION } from '../../providers/spec.js';
import { UsageChunkFilter } from '../usage-chunk-filter.js';
import type { CachedPricing, CachedResponse } from './cached-response.js';

export function writeCachedAnswer(res: ServerResponse, entry: CachedResponse, o: { stream: boolean; dropUsageChunk: boolean; saved: string | null | undefined }): void {
  if (res.destroyed) return;
  let body = entry.body;
  if (o.dropUsageChunk) {
    const filter = new UsageChunkFilter();
    const head = filter.push(body);
    const tail = filter.end();
    body = tail.length > 0 ? Buffer.concat([head, tail]) : head;
  }
  const headers: Record<string, string | number> = { 'content-type': entry.contentType, 'x-costrail-cache': 'hit', 'x-costrail-cost': '0' };
  if (o.saved) headers['x-costrail-saved'] = o.saved;
  // A body says its length; a replayed stream goes out chunked, as the live one did.
  if (o.stream) headers['cache-control'] = 'no-cache';
  else headers['content-length'] = body.length;
  res.writeHead(entry.status, headers);
  res.end(body);
}

/** The cached pricing facts as the extraction the ledger record is priced from. */
export function cachedExtraction(p: CachedPricing): UsageExtraction {
  const x: UsageExtraction = { usage_version: USAGE_VERSION, usage: p.usage, raw: null, model: p.model };
  if (p.service_tier !== undefined) x.service_tier = p.service_tier;
  if (p.provider_cost_usd !== undefined) x.provider_cost_usd = p.provider_cost_usd;
  if (p.tier_basis_tokens !== undefined) x.tier_basis_tokens = p.tier_basis_tokens;
  if (p.traffic_type !== undefined) x.traffic_type = p.traffic_type;
  if (p.inference_geo !== undefined) x.inference_geo = p.inference_geo;
  return x;
}
