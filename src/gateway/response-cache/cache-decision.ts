/**
 * Whether one call may be answered from, and stored in, the response cache: the per-call request
 * headers (`x-costrail-cache: bypass|refresh`, `Cache-Control: no-cache|no-store`), the config's
 * opt-in (keys, features), and the sampling temperature the request runs at.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { ResponseCacheConfig } from './response-cache-config.js';

/** `use`: look up, store on a miss; `refresh`: skip the lookup, store the fresh answer; `bypass`: neither. */
export type CacheMode = 'use' | 'refresh' | 'bypass';

/** APIs whose answers are cached: the generating calls every SDK makes (text in, one answer out). */
export const CACHEABLE_APIS: ReadonlySet<string> = new Set(['chat.completions', 'responses', 'messages', 'generateContent']);

/** The mode the client asked for, or an error message for a value Costrail does not know. */
export function requestedMode(headers: IncomingHttpHeaders): CacheMode | { error: string } {
  const own = headers['x-costrail-cache'];
  if (own !== undefined) {
    const v = (Array.isArray(own) ? own.join(',') : own).trim().toLowerCase();
    if (v === 'bypass' || v === 'refresh') return v;
    if (v === 'use' || v === '') return 'use';
    return { error: `x-costrail-cache must be "bypass" or "refresh" (or absent), not "${v.slice(0, 40)}"` };
  }
  const cc = headers['cache-control'];
  if (cc === undefined) return 'use';
  // Directives are comma-separated and case-insensitive (RFC 9111 §5.2); unknown ones are ignored.
  const directives = (Array.isArray(cc) ? cc.join(',') : cc).toLowerCase();
  if (/(?:^|[\s,])no-store(?:$|[\s,=])/.test(directives)) return 'bypass';
  if (/(?:^|[\s,])no-cache(?:$|[\s,=])/.test(directives) || /(?:^|[\s,])max-age\s*=\s*0(?:$|[\s,])/.test(directives)) return 'refresh';
  return 'use';
}

/** True when the config opts this call in: no lists means everyone; else its key or its feature is listed. */
export function optedIn(config: Pick<ResponseCacheConfig, 'keys' | 'features'>, keyId: string | null, feature: string | null): boolean {
  if (config.keys === undefined && config.features === undefined) return true;
  return (keyId !== null && config.keys?.includes(keyId) === true) || (feature !== null && config.features?.includes(feature) === true);
}

/**
 * The temperature the request samples at, as the provider will apply it: what the body sets, else
 * the provider's default, which is 1 for OpenAI, Anthropic and Gemini (so a request that does not
 * say runs at temperature > 0 and is not cached unless `any_temperature` is set).
 */
export function samplingTemperature(api: string, body: Record<string, unknown>): number {
  let t: unknown = body['temperature'];
  if (api === 'generateContent') {
    const g = body['generationConfig'] ?? body['generation_config'];
    t = g && typeof g === 'object' ? (g as Record<string, unknown>)['temperature'] : undefined;
  }
  return typeof t === 'number' && Number.isFinite(t) ? t : 1;
}
