/**
 * Where each provider's calls go: COSTRAIL_<PROVIDER>_BASE_URL, else config, else the public
 * endpoint its adapter names, each in its official SDK's base-URL convention.
 */
import { providerAdapters } from '../providers/registry.js';
import type { ProviderId } from '../providers/registry.js';
import { environment, type Environment } from '../config/environment.js';

export type UpstreamMap = Partial<Record<ProviderId, string>>;

export function resolveUpstreams(env: Environment = environment(), config: UpstreamMap = {}): UpstreamMap {
  const defaults: UpstreamMap = {};
  for (const a of providerAdapters()) if (a.upstream.defaultBaseUrl !== undefined) defaults[a.id] = a.upstream.defaultBaseUrl;
  const out: UpstreamMap = { ...defaults, ...config };
  for (const { id } of providerAdapters()) {
    const v = env[`COSTRAIL_${id.toUpperCase().replace(/-/g, '_')}_BASE_URL`];
    if (v) out[id] = v;
  }
  for (const [k, v] of Object.entries(out)) if (v) out[k as ProviderId] = v.replace(/\/+$/, '');
  return out;
}
