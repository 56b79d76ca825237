/**
 * Where each provider's calls go: COSTRAIL_<PROVIDER>_BASE_URL, else config, else the public
 * endpoint, each in its official SDK's base-URL convention.
 */
import type { ProviderId } from '../providers/spec.js';
import { environment, type Environment } from '../config/environment.js';

const DEFAULT_BASE_URL: Partial<Record<ProviderId, string>> = {
  openai: 'https://api.openai.com/v1',
  anthropic: 'https://api.anthropic.com',
  gemini: 'https://generativelanguage.googleapis.com',
  mistral: 'https://api.mistral.ai/v1',
  deepseek: 'https://api.deepseek.com/v1',
  xai: 'https://api.x.ai/v1',
  groq: 'https://api.groq.com/openai/v1',
  together: 'https://api.together.xyz/v1',
  openrouter: 'https://openrouter.ai/api/v1',
  cohere: 'https://api.cohere.com',
};

export type UpstreamMap = Partial<Record<ProviderId, string>>;

export function resolveUpstreams(env: Environment = environment(), config: UpstreamMap = {}): UpstreamMap {
  const out: UpstreamMap = { ...DEFAULT_BASE_URL, ...config };
  for (const id of Object.keys({ ...DEFAULT_BASE_URL, azure: '', bedrock: '', vertex: '', 'openai-compatible': '' }) as ProviderId[]) {
    const v = env[`COSTRAIL_${id.toUpperCase().replace(/-/g, '_')}_BASE_URL`];
    if (v) out[id] = v;
  }
  for (const [k, v] of Object.entries(out)) if (v) out[k as ProviderId] = v.replace(/\/+$/, '');
  return out;
}
