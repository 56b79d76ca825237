/**
 * The gateway's response cache (docs/caching.md). The gateway consults it once, just before a call
 * would go upstream, and hands the finished call to the CacheFill it got on a miss:
 *
 *   consult → hit:     answered from the cache, nothing goes upstream, the ledger gets a `cached` record
 *           → miss / refresh: forwarded; the fill collects the answer and stores it if the call was a
 *                      complete success (status ok, HTTP 200, provider-reported usage, a finished stream)
 *           → bypass:  forwarded, nothing stored
 *
 * The key is the request's `request_hash` (the normalised body the ledger already records: model,
 * messages, tools, parameters, key order ignored, delivery-only fields dropped) plus everything
 * else that changes the answer or who may see it: scope (key, team or global), provider, API,
 * upstream path (model in the URL, API version, stream format) and whether the call streams.
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { LedgerRecord } from '../../ledger/ledger-record.js';
import type { UsageExtraction } from '../../providers/spec.js';
import { CACHEABLE_APIS, optedIn, requestedMode, samplingTemperature, type CacheMode } from './cache-decision.js';
import type { CacheStore } from './cache-store.js';
import type { CachedPricing, CachedResponse } from './cached-response.js';
import type { ResponseCacheConfig } from './response-cache-config.js';

/** What the gateway knows about a call when it consults the cache. */
export interface CacheCall {
  headers: IncomingHttpHeaders;
  /** The provider the ledger knows the call by. */
  provider: string;
  api: string;
  upstreamPath: string;
  stream: boolean;
  body: Record<string, unknown> | undefined;
  /** The normalised request's hash (RequestShape.request_hash); undefined: not cacheable. */
  requestHash: string | null | undefined;
  keyId: string | null;
  team: string | null;
  feature: string | null;
}

/** The `x-costrail-cache` response header's values. */
export type CacheState = 'hit' | 'miss' | 'bypass' | 'refresh';

export type CacheConsult = { state: 'hit'; entry: CachedResponse } | { state: 'miss' | 'refresh'; fill: CacheFill } | { state: 'bypass' } | { error: string };

const BYPASS: CacheConsult = { state: 'bypass' };

export class ResponseCache {
  readonly ttlMs: number;

  constructor(
    readonly config: ResponseCacheConfig,
    readonly store: CacheStore,
    /** Epoch ms; tests move it to expire entries. */
    private readonly clock: () => number = Date.now,
  ) {
    this.ttlMs = config.ttl_seconds * 1000;
  }

  /** True when calls of this API are ever cached (the gateway consults only then). */
  covers(api: string): boolean {
    return this.config.enabled && CACHEABLE_APIS.has(api);
  }

  /** Looks the call up; a promise only when the store is remote (Redis). */
  consult(call: CacheCall): CacheConsult | Promise<CacheConsult> {
    const mode = requestedMode(call.headers);
    if (typeof mode !== 'string') return mode;
    if (!this.eligible(call, mode)) return BYPASS;
    const key = cacheKey(this.config.scope, call);
    if (mode === 'refresh') return { state: 'refresh', fill: new CacheFill(this, key, call.stream) };
    const found = this.store.get(key);
    return found instanceof Promise ? found.then((e) => this.outcome(key, call.stream, e)) : this.outcome(key, call.stream, found);
  }

  /** Stores a finished answer (called by CacheFill). Never throws: a failed write only loses the entry. */
  keep(key: string, entry: Omit<CachedResponse, 'expiresAt'>): void {
    const stored = this.store.set(key, { ...entry, expiresAt: this.clock() + this.ttlMs }, this.ttlMs);
    if (stored instanceof Promise) stored.catch(() => undefined);
  }

  close(): Promise<void> {
    return this.store.close();
  }

  private eligible(call: CacheCall, mode: CacheMode): boolean {
    if (mode === 'bypass' || !call.body || !call.requestHash) return false;
    if (!optedIn(this.config, call.keyId, call.feature)) return false;
    return this.config.any_temperature || samplingTemperature(call.api, call.body) <= 0;
  }

  private outcome(key: string, stream: boolean, entry: CachedResponse | undefined): CacheConsult {
    if (entry && entry.expiresAt > this.clock()) return { state: 'hit', entry };
    return { state: 'miss', fill: new CacheFill(this, key, stream) };
  }
}

/** The cache key: a SHA-256 over the scope and everything that changes the answer. */
export function cacheKey(scope: ResponseCacheConfig['scope'], call: Pick<CacheCall, 'provider' | 'api' | 'upstreamPath' | 'stream' | 'requestHash' | 'keyId' | 'team'>): string {
  const tenant = scope === 'key' ? call.keyId : scope === 'team' ? call.team : '';
  return createHash('sha256')
    .update(JSON.stringify(['v1', scope, tenant, call.provider, call.api, call.upstreamPath, call.stream, call.requestHash]))
    .digest('hex');
}

/**
 * Collects one forwarded call's answer and stores it once the call is recorded, if it may be:
 * a streamed answer chunk by chunk as it passes (dropped past max_entry_bytes), a body whole.
 */
export class CacheFill {
  private chunks: Buffer[] = [];
  private bytes = 0;
  private tooBig = false;

  constructor(
    private readonly cache: ResponseCache,
    private readonly key: string,
    private readonly stream: boolean,
  ) {}

  push(chunk: Buffer): void {
    if (this.tooBig) return;
    this.bytes += chunk.length;
    if (this.bytes > this.cache.config.max_entry_bytes) {
      this.tooBig = true;
      this.chunks = [];
      return;
    }
    this.chunks.push(chunk);
  }

  /**
   * The call is recorded: store its answer when it is a complete success. Errors, refusals,
   * aborted or cut streams, estimated usage and unknown models are never stored.
   */
  complete(record: LedgerRecord, extraction: UsageExtraction | null, contentType: string, body?: Buffer): void {
    if (record.status !== 'ok' || record.http_status !== 200 || record.usage_source !== 'provider' || !record.usage || !record.model || this.tooBig) return;
    // A stream counts as finished only when the provider said why it stopped (its last events).
    if (this.stream && !record.finish_reason) return;
    const bytes = body ?? Buffer.concat(this.chunks, this.bytes);
    this.chunks = [];
    if (bytes.length === 0 || bytes.length > this.cache.config.max_entry_bytes) return;
    this.cache.keep(this.key, { status: 200, contentType, body: bytes, pricing: pricingOf(record, extraction), finishReason: record.finish_reason ?? null, sourceId: record.id });
  }
}

function pricingOf(record: LedgerRecord, x: UsageExtraction | null): CachedPricing {
  const p: CachedPricing = { usage: record.usage!, model: record.model! };
  if (x?.service_tier !== undefined) p.service_tier = x.service_tier;
  if (x?.provider_cost_usd !== undefined) p.provider_cost_usd = x.provider_cost_usd;
  if (x?.tier_basis_tokens !== undefined) p.tier_basis_tokens = x.tier_basis_tokens;
  if (x?.traffic_type !== undefined) p.traffic_type = x.traffic_type;
  if (x?.inference_geo !== undefined) p.inference_geo = x.inference_geo;
  return p;
}
