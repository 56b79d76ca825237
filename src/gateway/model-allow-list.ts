/**
 * A virtual key's model allow-list: patterns with `*` wildcards (`gpt-4o*`, `claude-*-haiku-*`),
 * matched against the model the client asked for, case-insensitively. A pattern with a `/`
 * matches `provider/model`.
 */
import { gatewayError, type GatewayError } from '../errors/error-catalogue.js';

const compiled = new Map<string, RegExp>();

function patternRe(p: string): RegExp {
  let re = compiled.get(p);
  if (!re) {
    re = new RegExp(`^${p.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
    if (compiled.size < 10_000) compiled.set(p, re);
  }
  return re;
}

export function modelAllowed(patterns: readonly string[], provider: string, model: string): boolean {
  return patterns.some((p) => patternRe(p).test(p.includes('/') ? `${provider}/${model}` : model));
}

/** The refusal for a call whose model the key may not use; undefined when allowed (or no model named). */
export function modelRefusal(patterns: readonly string[] | undefined, provider: string, model: string | null, keyId: string | null): GatewayError | undefined {
  if (!patterns || model === null || modelAllowed(patterns, provider, model)) return undefined;
  return gatewayError('model_not_allowed', `this key may not call model "${model}" (allowed: ${patterns.join(', ')})`, keyId ? { scope: { key_id: keyId } } : {});
}
