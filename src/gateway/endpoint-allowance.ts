/**
 * Which provider endpoints a credential Costrail holds may reach. By default only the endpoints
 * Costrail meters (chat, responses, embeddings, messages, generateContent, Bedrock converse and
 * invoke), plus the free ones SDKs call on their own (model lists, token counts). Everything else
 * a provider offers with the same key (files, fine-tuning, batches, admin and organization paths,
 * DELETE of anything) is refused unless the operator allows it, per key or in the config.
 *
 * Allowance patterns: `[METHOD ]/path`, matched against the path the client sent (provider prefix
 * included, query excluded), `*` matching any run of characters: `GET /openai/v1/files*`,
 * `* /openai/v1/batches*`, `/anthropic/v1/messages/batches*`. No method means any method.
 */
import { gatewayError, type GatewayError } from '../errors/error-catalogue.js';
import type { Route } from './route.js';

/** An optional provider prefix, then an optional API-version or deployment part, then the API path. */
const LEAD = String.raw`^(?:/[a-z][a-z0-9_-]*)?(?:/v1|/v1beta|/v1beta/openai|/openai/v1|/openai|/openai/deployments/[^/]+)?`;
const METERED: ReadonlyMap<Route['api'], { method: string; re: RegExp }> = new Map([
  ['chat.completions', { method: 'POST', re: new RegExp(`${LEAD}/chat/completions$`) }],
  ['responses', { method: 'POST', re: new RegExp(`${LEAD}/responses$`) }],
  ['embeddings', { method: 'POST', re: new RegExp(`${LEAD}/embeddings$`) }],
  ['messages', { method: 'POST', re: new RegExp(`${LEAD}/messages$`) }],
  ['count_tokens', { method: 'POST', re: new RegExp(`${LEAD}/messages/count_tokens$`) }],
  ['generateContent', { method: 'POST', re: new RegExp(`${LEAD}/models/[^/]+:(?:stream)?[gG]enerateContent$`) }],
  ['converse', { method: 'POST', re: /^(?:\/bedrock)?\/model\/[^/]+\/converse(?:-stream)?$/ }],
  ['invoke', { method: 'POST', re: /^(?:\/bedrock)?\/model\/[^/]+\/invoke(?:-with-response-stream)?$/ }],
  ['models', { method: 'GET', re: new RegExp(`${LEAD}/models$`) }],
]);
/** Free calls SDKs make that the route table files under `other`: one model's details, Gemini's token count. */
const FREE_OTHER: readonly { method: string; re: RegExp }[] = [
  { method: 'GET', re: new RegExp(`${LEAD}/models/[^/:]+$`) },
  { method: 'POST', re: new RegExp(`${LEAD}/models/[^/]+:countTokens$`) },
];

/** Whether a call is one Costrail meters (or a free listing/count), on the exact path shape. */
export function isOpenByDefault(route: Pick<Route, 'api'>, method: string, path: string): boolean {
  const metered = METERED.get(route.api);
  if (metered) return method === metered.method && metered.re.test(path);
  return route.api === 'other' && FREE_OTHER.some((f) => f.method === method && f.re.test(path));
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
