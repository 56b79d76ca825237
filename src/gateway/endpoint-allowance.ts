/**
 * Which provider endpoints a credential Costrail holds may reach. By default only the endpoints the
 * provider adapters declare open (`paths.openEndpoints`): those Costrail meters (chat, responses,
 * embeddings, messages, generateContent, Bedrock converse and invoke), plus the free ones SDKs call
 * on their own (model lists, token counts). Everything else
 * a provider offers with the same key (files, fine-tuning, batches, admin and organization paths,
 * DELETE of anything) is refused unless the operator allows it, per key or in the config.
 *
 * Allowance patterns: `[METHOD ]/path`, matched against the path the client sent (provider prefix
 * included, query excluded), `*` matching any run of characters: `GET /openai/v1/files*`,
 * `* /openai/v1/batches*`, `/anthropic/v1/messages/batches*`. No method means any method.
 */
import { gatewayError, type GatewayError } from '../errors/error-catalogue.js';
import { providerAdapters } from '../providers/registry.js';
import type { Route } from './route.js';

interface OpenRule {
  method: string;
  re: RegExp;
}

let open: { adapters: readonly unknown[]; byApi: Map<Route['api'], OpenRule[]> } | undefined;

/**
 * The open endpoints of every adapter, by API, compiled once (again if an adapter is registered).
 * Each is an optional provider prefix, then an optional API-version or deployment part (any
 * adapter's), then the endpoint's path; `own`-prefix endpoints take only their provider's prefix.
 */
function openRules(): Map<Route['api'], OpenRule[]> {
  const adapters = providerAdapters();
  if (open?.adapters === adapters) return open.byApi;
  const parts = [...new Set(adapters.flatMap((a) => a.paths.versionParts ?? []))];
  const lead = String.raw`^(?:/[a-z][a-z0-9_-]*)?` + (parts.length > 0 ? `(?:${parts.join('|')})?` : '');
  const byApi = new Map<Route['api'], OpenRule[]>();
  const seen = new Set<string>();
  for (const a of adapters) {
    for (const e of a.paths.openEndpoints ?? []) {
      const source = e.prefix === 'own' ? `^(?:/${a.id})?${e.tail}$` : `${lead}${e.tail}$`;
      const key = `${e.api} ${e.method} ${source}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const rules = byApi.get(e.api) ?? [];
      rules.push({ method: e.method, re: new RegExp(source) });
      byApi.set(e.api, rules);
    }
  }
  open = { adapters, byApi };
  return byApi;
}

/** Whether a call is one Costrail meters (or a free listing/count), on the exact path shape. */
export function isOpenByDefault(route: Pick<Route, 'api'>, method: string, path: string): boolean {
  const rules = openRules().get(route.api);
  return rules !== undefined && rules.some((r) => r.method === method && r.re.test(path));
}

interface CompiledAllowance {
  method: string | undefined;
  re: RegExp;
}

const compiled = new Map<string, CompiledAllowance | null>();

/** `[METHOD ]/path*`; null when the pattern is not one (validated where patterns enter). */
export function compileAllowance(pattern: string): CompiledAllowance | null {
  let c = compiled.get(pattern);
  if (c !== undefined) return c;
  const m = /^(?:([A-Za-z]+|\*)\s+)?(\/\S*)$/.exec(pattern.trim());
  if (!m) c = null;
  else {
    const method = m[1] === undefined || m[1] === '*' ? undefined : m[1].toUpperCase();
    const body = (m[2] ?? '').split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
    c = { method, re: new RegExp(`^${body}$`) };
  }
  if (compiled.size < 10_000) compiled.set(pattern, c);
  return c;
}

export function endpointAllowed(patterns: readonly string[] | undefined, method: string, path: string): boolean {
  if (!patterns) return false;
  for (const p of patterns) {
    const c = compileAllowance(p);
    if (c && (c.method === undefined || c.method === method) && c.re.test(path)) return true;
  }
  return false;
}

/**
 * The refusal for a call that would carry a held credential to an endpoint nobody allowed;
 * undefined when the call may go. `path` is the normalised path without its query.
 */
export function endpointRefusal(
  route: Pick<Route, 'api'>,
  method: string,
  path: string,
  allowed: { key?: readonly string[]; config?: readonly string[] },
  keyId: string | null,
): GatewayError | undefined {
  if (isOpenByDefault(route, method, path) || endpointAllowed(allowed.key, method, path) || endpointAllowed(allowed.config, method, path)) return undefined;
  return gatewayError(
    'endpoint_not_allowed',
    `${method} ${path} is not an endpoint Costrail meters, and this key is not allowed to call it (allow it with the key's allowed_endpoints or keys.allowed_endpoints in the config)`,
    keyId ? { scope: { key_id: keyId } } : {},
  );
}
