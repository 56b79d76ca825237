/**
 * A call sent on a routing target: the route, the body with the target's model (or the body a
 * shape translator wrote), and, across shapes, the client's credential presented the way the
 * target's API expects. Pure functions over values: the gateway calls them once per attempt.
 */
import type { Route } from '../gateway/route.js';
import { adapterFor, isProviderId } from '../providers/registry.js';
import type { ShapeTranslator } from '../translation/translators.js';
import { sameShapeRoute, translatedRoute, type TargetPlan } from './routing-targets.js';

export interface TargetedCall {
  route: Route;
  body: Record<string, unknown> | undefined;
  /** Set when the call crosses API shapes: responses, streams and errors go back through it. */
  translator: ShapeTranslator | undefined;
}

/** The call `client` (with `body`) becomes on `plan`. Throws ShapeTranslationError when the target's shape cannot express the request. */
export function callOnTarget(plan: TargetPlan, client: Route, body: Record<string, unknown> | undefined, stream: boolean): TargetedCall {
  if (plan.translator) {
    const t = plan.translator.request(body ?? {}, plan.model, stream);
    return { route: translatedRoute(plan, t.path, stream, client), body: t.body, translator: plan.translator };
  }
  const route = sameShapeRoute(plan, client);
  // Gemini names the model in the URL only; every other shape in the body.
  const moved = body && client.api !== 'generateContent' ? { ...body, model: plan.model } : body;
  return { route, body: moved, translator: undefined };
}

/** Headers that belong to one API's SDK and mean nothing (or something else) to another's. */
const SHAPE_HEADERS = ['anthropic-version', 'anthropic-beta', 'openai-organization', 'openai-project', 'openai-beta', 'x-goog-api-client'];

/**
 * A pass-through credential crossing API shapes: the key the client sent in its SDK's header
 * (`Authorization: Bearer`, `x-api-key`, `x-goog-api-key`) is presented in the target's. Only for
 * targets the operator named (a rule or fallback entry); held credentials are decided by the key
 * authority for the target's own provider instead.
 */
export function presentCredentialTo(headers: Record<string, string>, from: Route, to: Route): void {
  const fromAuth = adapterFor(from.provider).auth;
  let key: string | undefined;
  for (const h of fromAuth.clientHeaders) {
    const v = headers[h];
    if (v !== undefined && key === undefined) key = h === 'authorization' ? v.replace(/^Bearer\s+/i, '') : v;
    delete headers[h];
  }
  for (const h of SHAPE_HEADERS) delete headers[h];
  const toProvider = isProviderId(to.provider) ? to.provider : from.provider;
  if (key !== undefined) Object.assign(headers, adapterFor(toProvider).auth.upstreamHeaders(key));
  if (to.api === 'messages') headers['anthropic-version'] = '2023-06-01';
}
