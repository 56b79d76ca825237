/**
 * The providers Costrail knows: one list of adapters (spec.ts `ProviderAdapter`), and the reader
 * that turns one captured response (JSON body, SSE stream, Gemini JSON-array stream or Bedrock
 * binary event stream) into usage. Adding a provider is one folder and one line in `ADAPTERS`.
 */
import { anthropicAdapter } from './anthropic/index.js';
import { azureAdapter } from './azure/index.js';
import { bedrockAdapter } from './bedrock/index.js';
import { cohereAdapter } from './cohere/index.js';
import { deepseekAdapter } from './deepseek/index.js';
import { geminiAdapter } from './gemini/index.js';
import { groqAdapter } from './groq/index.js';
import { mistralAdapter } from './mistral/index.js';
import { openaiCompatibleAdapter } from './openai-compatible/index.js';
import { openaiAdapter } from './openai/index.js';
import { openrouterAdapter } from './openrouter/index.js';
import { togetherAdapter } from './together/index.js';
import { vertexAdapter } from './vertex/index.js';
import { xaiAdapter } from './xai/index.js';
import type { ErrorDialect } from '../errors/error-dialects.js';
import { boundedParser } from './bounded-usage-parser.js';
import { ProviderPayloadError, asRecord, type ApiKind, type ParseContext, type PathMatch, type ProviderAdapter, type ProviderUsageParser, type UsageExtraction } from './spec.js';

/** Every built-in provider. The order is the order path shapes are tried in (they do not overlap). */
const ADAPTERS = [
  openaiAdapter,
  azureAdapter,
  anthropicAdapter,
  geminiAdapter,
  vertexAdapter,
  bedrockAdapter,
  mistralAdapter,
  deepseekAdapter,
  xaiAdapter,
  groqAdapter,
  togetherAdapter,
  openrouterAdapter,
  cohereAdapter,
  openaiCompatibleAdapter,
] as const;

/** The id of a built-in provider (the ledger's `provider`, the path prefix), derived from the list above. */
export type ProviderId = (typeof ADAPTERS)[number]['id'];

/** An adapter the registry hands out: a built-in one, or one registered with `registerProviderAdapter`. */
export type RegisteredAdapter = ProviderAdapter<ProviderId>;

/** Every reading leaves through the usage bounds (usage-bounds.ts), whichever provider made it. */
function bounded(a: ProviderAdapter): RegisteredAdapter {
  return { ...a, ...boundedParser(a) } as RegisteredAdapter;
}

const BY_ID = new Map<string, RegisteredAdapter>(ADAPTERS.map((a) => [a.id, bounded(a)]));

export const PROVIDER_IDS: ProviderId[] = ADAPTERS.map((a) => a.id);

export function isProviderId(s: string): s is ProviderId {
  return BY_ID.has(s);
}

/** Kept as one array (asked per call by keys and endpoint checks): replaced, never changed, on registration. */
let adapterList: readonly RegisteredAdapter[] = [...BY_ID.values()];

/** Every adapter, in registry order. */
export function providerAdapters(): readonly RegisteredAdapter[] {
  return adapterList;
}

export function adapterFor(provider: ProviderId): RegisteredAdapter {
  const a = BY_ID.get(provider);
  if (!a) throw new Error(`no provider adapter "${provider}"`);
  return a;
}

export function parserFor(provider: ProviderId): ProviderUsageParser {
  return adapterFor(provider);
}

/** The adapter that reads any OpenAI-compatible server: named providers and other providers' OpenAI-compatible endpoints. */
export const GENERIC_OPENAI_COMPATIBLE: RegisteredAdapter = adapterFor(openaiCompatibleAdapter.id);

/** The adapter that takes un-prefixed calls no other adapter claims (OpenAI's). */
export const UNPREFIXED_DEFAULT: RegisteredAdapter = (() => {
  const rest = ADAPTERS.filter((a) => a.paths.unprefixed === 'rest');
  if (rest.length !== 1 || !rest[0]) throw new Error('exactly one provider adapter must take the remaining un-prefixed calls');
  return adapterFor(rest[0].id);
})();

/** The adapter that takes an un-prefixed call of this API. */
export function unprefixedAdapterFor(api: PathMatch['api']): RegisteredAdapter {
  for (const a of BY_ID.values()) {
    const claims = a.paths.unprefixed;
    if (Array.isArray(claims) && claims.includes(api)) return a;
  }
  return UNPREFIXED_DEFAULT;
}

let apiDialects: { adapters: readonly RegisteredAdapter[]; byApi: Map<string, ErrorDialect> } | undefined;

/**
 * The error dialect an API shape speaks, whichever provider serves it (an OpenAI-compatible endpoint
 * of Anthropic speaks OpenAI's errors): the dialect of the adapters that declare it among their open
 * endpoints; undefined for shapes no adapter declares, and for model lists and other unnamed paths.
 */
export function dialectOfApi(api: string): ErrorDialect | undefined {
  if (apiDialects?.adapters !== adapterList) {
    const byApi = new Map<string, ErrorDialect>();
    for (const a of adapterList) {
      for (const e of a.paths.openEndpoints ?? []) {
        if (e.api === 'models' || e.api === 'other' || byApi.has(e.api)) continue;
        byApi.set(e.api, a.errorDialect);
      }
    }
    apiDialects = { adapters: adapterList, byApi };
  }
  return apiDialects.byApi.get(api);
}

/** The adapter whose un-prefixed paths start with this API-version segment (`v1beta`: Gemini), if any. */
export function adapterOfVersionSegment(segment: string): RegisteredAdapter | undefined {
  for (const a of BY_ID.values()) if (a.paths.versionSegment === segment) return a;
  return undefined;
}

let pathMatchers = matchersOf(BY_ID.values());

function matchersOf(adapters: Iterable<ProviderAdapter>): ((bare: string) => PathMatch | undefined)[] {
  return [...new Set([...adapters].map((a) => a.paths.match).filter((m) => m !== undefined))];
}

/**
 * Adds a provider at run time (an extension, or a test), exactly as one more line in `ADAPTERS`
 * would: it gets a path prefix (`/<id>/…`), a base URL (`COSTRAIL_<ID>_BASE_URL` or its default),
 * its auth, error format and readers. Un-prefixed calls stay with the built-in providers.
 */
export function registerProviderAdapter(adapter: ProviderAdapter): void {
  if (BY_ID.has(adapter.id)) throw new Error(`provider "${adapter.id}" is already registered`);
  if (!/^[a-z][a-z0-9_-]*$/.test(adapter.id)) throw new Error(`provider id "${adapter.id}" must be lowercase letters, digits, - or _ (it becomes the path prefix)`);
  if (adapter.paths.unprefixed !== undefined || adapter.paths.versionSegment !== undefined) throw new Error(`provider "${adapter.id}": only built-in providers take un-prefixed calls`);
  const a = bounded(adapter);
  BY_ID.set(a.id, a);
  adapterList = [...BY_ID.values()];
  PROVIDER_IDS.push(a.id);
  pathMatchers = matchersOf(BY_ID.values());
}

/** The API a path names, by every adapter's path shapes; undefined when none matches. */
export function matchApiPath(bare: string): PathMatch | undefined {
  for (const match of pathMatchers) {
    const m = match(bare);
    if (m) return m;
  }
  return undefined;
}

export interface ResponseReading {
  extraction: UsageExtraction | null;
  stream: boolean;
  api: ApiKind;
  model?: string;
  output_text?: string;
  /** The provider's id of the response, when it carries one (adapter `responseId`, StreamOutcome `response_id`). */
  response_id?: string;
}

export interface ReadOptions {
  api?: ApiKind;
  model_requested?: string;
  cache_ttl_requested?: '5m' | '1h';
}

type Format = 'json' | 'json-array' | 'sse' | 'eventstream';

function firstByte(bytes: Uint8Array): number {
  for (const b of bytes) if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09 && b !== 0xef && b !== 0xbb && b !== 0xbf) return b;
  return -1;
}

function detectFormat(adapter: RegisteredAdapter, bytes: Uint8Array, head: string): Format {
  const b = firstByte(bytes);
  if (b === 0x7b /* { */) return 'json';
  if (b === 0x5b /* [ */) return 'json-array';
  if (/^(data|event|id|retry):|^:/m.test(head)) return 'sse';
  if (adapter.isBinaryStream?.(bytes)) return 'eventstream';
  throw new ProviderPayloadError('not JSON and not a recognised stream (SSE, JSON array, or Bedrock event stream)');
}

/** API of a stream, by its first bytes (OpenAI Responses streams name their events `response.*`). */
function streamApi(adapter: ProviderAdapter, head: string): ApiKind {
  return adapter.streamApi?.(head) ?? adapter.defaultApi;
}

/** The API a complete JSON body belongs to, told from its shape (Responses, Embeddings, Batch, InvokeModel, ...). */
export function bodyApi(provider: ProviderId, body: unknown): ApiKind {
  const adapter = adapterFor(provider);
  return adapter.bodyApi?.(asRecord(body)) ?? adapter.defaultApi;
}

function parseJson(adapter: ProviderAdapter, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    if (adapter.parseLenientJson) {
      try {
        return adapter.parseLenientJson(text);
      } catch {
        /* report the strict parser's error */
      }
    }
    throw new ProviderPayloadError(`not valid JSON (${(e as Error).message})`);
  }
}

/** Reads one complete captured response. Throws ProviderPayloadError on input it cannot read. */
export function readProviderResponse(provider: ProviderId, bytes: Uint8Array, opts: ReadOptions = {}): ResponseReading {
  const adapter = adapterFor(provider);
  const head = new TextDecoder().decode(bytes.subarray(0, 64 * 1024));
  const format = detectFormat(adapter, bytes, head);
  const ctxBase = { model_requested: opts.model_requested, cache_ttl_requested: opts.cache_ttl_requested };

  if (format === 'json' || (format === 'json-array' && adapter.jsonArrayStreams === true)) {
    const body = parseJson(adapter, new TextDecoder().decode(bytes));
    if (format === 'json' && asRecord(body) === undefined) throw new ProviderPayloadError('the JSON is not an object');
    const api = opts.api ?? bodyApi(provider, body);
    const ctx: ParseContext = { api, ...ctxBase };
    const extraction = adapter.fromBody(body, ctx);
    const reading: ResponseReading = { extraction, stream: format === 'json-array', api: extraction?.api ?? api, model: extraction?.model };
    // A JSON-array stream repeats the id on every element: the first one names it.
    const rec = asRecord(Array.isArray(body) ? body[0] : body);
    const responseId = rec ? adapter.responseId?.(rec, api) : undefined;
    if (responseId !== undefined) reading.response_id = responseId;
    return reading;
  }
  if (format === 'json-array') throw new ProviderPayloadError(`a JSON array is not a ${provider} response`);

  const api = opts.api ?? streamApi(adapter, head);
  const meter = adapter.createStreamMeter({ api, ...ctxBase });
  meter.push(bytes);
  const outcome = meter.end();
  if (outcome.usage_problem !== undefined) throw new ProviderPayloadError(outcome.usage_problem);
  const reading: ResponseReading = { extraction: outcome.extraction, stream: true, api: outcome.extraction?.api ?? api, model: outcome.model, output_text: outcome.output_text };
  if (outcome.response_id !== undefined) reading.response_id = outcome.response_id;
  return reading;
}

/**
 * The model name to price a call by. The response's own name wins (aliases resolve to the
 * snapshot actually served), unless the provider's adapter says otherwise (Bedrock: the requested id).
 */
export function billedModel(provider: ProviderId, reported: string | undefined, requested: string | undefined): string | undefined {
  const rule = adapterFor(provider).billedModel;
  return rule ? rule(reported, requested) : (reported ?? requested);
}
