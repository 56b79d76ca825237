/**
 * A routing target (provider + model, maybe an API shape) resolved, at config load, for each API
 * shape a client can call in: sent as is (the provider takes the client's shape) or through a
 * shape translator (src/translation). A pair that is neither is unservable, and an entry that asks
 * for a translation nobody provides is refused at load with its config key.
 */
import type { ProviderRouter } from '../gateway/provider-router.js';
import { makeRoute, type Route } from '../gateway/route.js';
import { isProviderId } from '../providers/registry.js';
import { translatorFor, type ShapeTranslator, type TranslatableApi } from '../translation/translators.js';
import type { TargetSpec } from './routing-schema.js';

/** The client shapes routing rules apply to. */
export const ROUTABLE_APIS = ['chat.completions', 'responses', 'embeddings', 'messages', 'generateContent'] as const;
export type RoutableApi = (typeof ROUTABLE_APIS)[number];

const OPENAI_FAMILY: ReadonlySet<string> = new Set(['chat.completions', 'responses', 'embeddings']);

export function isRoutableApi(api: string): api is RoutableApi {
  return (ROUTABLE_APIS as readonly string[]).includes(api);
}

/** How one target serves one client shape. */
export interface TargetPlan {
  /** The provider as configured (and recorded). */
  readonly provider: string;
  readonly model: string;
  /** Set when the call crosses API shapes. */
  readonly translator?: ShapeTranslator;
  /** Same-shape OpenAI-family targets: the route builder for this provider. */
  readonly openAi?: (route: Route, upstreamPath?: string) => Route;
}

export interface CompiledTarget {
  readonly spec: TargetSpec;
  /** Label used in messages, logs and the `x-costrail-provider` header: `provider/model`. */
  readonly label: string;
  readonly plans: Partial<Record<RoutableApi, TargetPlan>>;
}

/** The shape a provider speaks natively, for translation. */
function nativeApi(provider: string, router: ProviderRouter): TranslatableApi | undefined {
  if (provider === 'anthropic') return 'messages';
  if (provider === 'gemini') return 'generateContent';
  return router.openAiTarget(provider) ? 'chat.completions' : undefined;
}

/**
 * Resolves a target for every client shape. `where` names the config entry in errors; `apis`,
 * when given, are the client shapes the entry must serve (an explicit `match.api`).
 */
export function compileTarget(spec: TargetSpec, router: ProviderRouter, where: string, apis?: readonly RoutableApi[]): CompiledTarget {
  if (!router.knows(spec.provider)) throw new Error(`${where}.provider: "${spec.provider}" is neither a built-in provider nor one named under providers:`);
  const openAi = router.openAiTarget(spec.provider);
  const plans: Partial<Record<RoutableApi, TargetPlan>> = {};
  for (const api of ROUTABLE_APIS) {
    const wanted: string | undefined = spec.api;
    const sameShape = OPENAI_FAMILY.has(api) ? openAi !== undefined && (wanted === undefined || wanted === 'chat.completions') : api === 'messages' ? spec.provider === 'anthropic' && (wanted === undefined || wanted === 'messages') : spec.provider === 'gemini' && (wanted === undefined || wanted === 'generateContent');
    if (sameShape) {
      plans[api] = { provider: spec.provider, model: spec.model, ...(OPENAI_FAMILY.has(api) && openAi ? { openAi } : {}) };
      continue;
    }
    // Only chat-shaped calls translate (responses and embeddings have no counterpart elsewhere).
    if (api === 'responses' || api === 'embeddings') continue;
    const to = wanted ?? nativeApi(spec.provider, router);
    if (to === undefined || to === api) continue;
    const translator = translatorFor(api, to);
    if (translator) plans[api] = { provider: spec.provider, model: spec.model, translator, ...(to === 'chat.completions' && openAi ? { openAi } : {}) };
  }
  const label = `${spec.provider}/${spec.model}`;
  for (const api of apis ?? []) {
    if (plans[api]) continue;
    const to = spec.api ?? nativeApi(spec.provider, router) ?? 'an API shape Costrail cannot send';
    throw new Error(`${where}: ${label} speaks ${to}, and no translator from ${api} to ${to} is available (Costrail translates between chat.completions, messages and generateContent only when a translator is installed)`);
  }
  if (Object.keys(plans).length === 0) {
    const to = spec.api ?? nativeApi(spec.provider, router);
    throw new Error(`${where}: ${label} cannot serve any client API${to ? ` (it speaks ${to}, and no translator to it is available)` : ` (provider "${spec.provider}" takes none of chat.completions, messages, generateContent)`}`);
  }
  return { spec, label, plans };
}

/**
 * The route a same-shape plan sends `route` (the client's) on. Translated plans build their route
 * from the translator's path (see `translatedRoute`).
 */
export function sameShapeRoute(plan: TargetPlan, route: Route): Route {
  if (plan.openAi) return plan.openAi(route);
  if (route.api === 'generateContent' && route.urlModel !== undefined) {
    // /v1beta/models/{model}:generateContent — only the model segment changes.
    const i = route.upstreamPath.indexOf(`/models/${route.urlModel}:`);
    const path = i < 0 ? route.upstreamPath : `${route.upstreamPath.slice(0, i)}/models/${encodeURIComponent(plan.model)}:${route.upstreamPath.slice(i + 9 + route.urlModel.length)}`;
    return makeRoute({ provider: 'gemini', api: route.api, upstreamPath: path, urlModel: plan.model, urlStream: route.urlStream });
  }
  return makeRoute({ provider: isProviderId(plan.provider) ? plan.provider : route.provider, api: route.api, upstreamPath: route.upstreamPath, urlModel: route.urlModel, urlStream: route.urlStream });
}

/** The route of a translated call: the target provider's, on the translator's path. */
export function translatedRoute(plan: TargetPlan, path: string, stream: boolean, client: Route): Route {
  const to = plan.translator?.to;
  if (to === 'chat.completions' && plan.openAi) {
    // Translators name OpenAI's path as the gateway does (`/v1/chat/completions`); OpenAI-style base URLs end in /v1.
    const rel = path.startsWith('/v1/') ? path.slice(3) : path;
    const r = plan.openAi(makeRoute({ ...client, api: 'chat.completions' }), rel);
    return makeRoute({ ...r, api: 'chat.completions', urlModel: undefined, urlStream: false });
  }
  const provider = isProviderId(plan.provider) ? plan.provider : client.provider;
  return makeRoute({ provider, api: to ?? client.api, upstreamPath: path, urlModel: to === 'generateContent' ? plan.model : undefined, urlStream: to === 'generateContent' && stream });
}
