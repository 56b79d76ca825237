/**
 * The one contract every provider folder implements. This module imports no provider.
 *
 * Usage kinds are disjoint: every billed token sits in exactly one field, so cost is a plain
 * sum of (count x rate) with no subtraction at pricing time. Conversions from each provider's
 * overlapping counters (OpenAI's prompt_tokens includes cached tokens, its completion_tokens
 * includes reasoning; Gemini's thoughts are outside candidates; ...) happen in the provider
 * folder, once, where the provider's rules are documented.
 */
import type { GatewayError } from '../errors/error-catalogue.js';
import type { ErrorDialect } from '../errors/error-dialects.js';
import { CostrailError } from '../errors/costrail-error.js';
import { checkTokenCount } from './usage-bounds.js';
import type { RequestShape } from './request-shape-fields.js';

/** Bumped whenever a field of `Usage` changes meaning; stored with each ledger record. */
export const USAGE_VERSION = 1 as const;

export interface Usage {
  /** Input neither read from nor written to a cache, and not audio or image. */
  input_tokens: number;
  /** Non-audio input read from a cache (OpenAI cached_tokens, Anthropic cache_read_input_tokens, ...). */
  cache_read_tokens: number;
  /** Input written to a cache with the default (5-minute) lifetime. */
  cache_write_tokens: number;
  /** Input written to a cache with the 1-hour lifetime (Anthropic ttl "1h"). */
  cache_write_1h_tokens: number;
  /** Output that is neither reasoning nor audio. */
  output_tokens: number;
  /** Reasoning / thinking output, billed at the reasoning rate (usually the output rate). */
  reasoning_tokens: number;
  /** Audio input not read from a cache. */
  audio_input_tokens: number;
  /** Audio input read from a cache (Gemini prices cached audio apart from cached text). */
  audio_cache_read_tokens: number;
  audio_output_tokens: number;
  /** Image input not read from a cache, counted apart only where the provider reports it apart. */
  image_input_tokens: number;
  /** Billable web-search tool calls (per-call fee on top of tokens). */
  web_search_calls: number;
}

export type UsageKind = keyof Usage;

export const USAGE_KINDS: readonly UsageKind[] = [
  'input_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'cache_write_1h_tokens',
  'output_tokens',
  'reasoning_tokens',
  'audio_input_tokens',
  'audio_cache_read_tokens',
  'audio_output_tokens',
  'image_input_tokens',
  'web_search_calls',
];

export function emptyUsage(): Usage {
  return {
    input_tokens: 0,
    cache_read_tokens: 0,
    cache_write_tokens: 0,
    cache_write_1h_tokens: 0,
    output_tokens: 0,
    reasoning_tokens: 0,
    audio_input_tokens: 0,
    audio_cache_read_tokens: 0,
    audio_output_tokens: 0,
    image_input_tokens: 0,
    web_search_calls: 0,
  };
}

/** Every input token the provider counted, whatever its kind (used for long-context tiers). */
export function totalInputTokens(u: Usage): number {
  return (
    u.input_tokens +
    u.cache_read_tokens +
    u.cache_write_tokens +
    u.cache_write_1h_tokens +
    u.audio_input_tokens +
    u.audio_cache_read_tokens +
    u.image_input_tokens
  );
}

export function totalOutputTokens(u: Usage): number {
  return u.output_tokens + u.reasoning_tokens + u.audio_output_tokens;
}

/** The API shape a payload belongs to; names match the ledger record's `api` field. */
export type ApiKind =
  | 'chat.completions'
  | 'responses'
  | 'embeddings'
  | 'batch'
  | 'realtime'
  | 'messages'
  | 'generateContent'
  | 'converse'
  | 'invoke'
  | 'chat'
  | 'embed';

/** What a provider parser found in one response (body or stream). */
export interface UsageExtraction {
  usage_version: typeof USAGE_VERSION;
  usage: Usage;
  /** The provider's own usage object(s), verbatim, so cost can be recomputed under other rules later. */
  raw: unknown;
  /** The model the response reports (price by this, not by the requested name). */
  model?: string;
  api?: ApiKind;
  /** Service tier as the response reports it (`flex`, `priority`, `batch`, `standard`, `scale`, ...). */
  service_tier?: string;
  /**
   * What the provider says it charged, as an exact decimal USD string (OpenRouter `usage.cost`,
   * xAI `cost_in_usd_ticks` x 1e-10). Kept beside our own figure; never summed with it.
   */
  provider_cost_usd?: string;
  /**
   * Input tokens of the largest single model call inside this response, for long-context tiers.
   * Undefined: the usage describes one call, so the total input is the basis.
   * null: the usage aggregates several internal calls whose sizes are unknown (Anthropic
   * server-tool loops); no single call can be shown to cross a tier threshold.
   */
  tier_basis_tokens?: number | null;
  /** Vertex AI: provisioned-throughput traffic is covered by the subscription (no per-token charge). */
  traffic_type?: 'on_demand' | 'provisioned';
  /** Anthropic data residency as echoed by the response (`us` carries a price multiplier). */
  inference_geo?: string;
  /** Informational counters that are not billed on their own (web_fetch_requests, prediction tokens, ...). */
  details?: Record<string, number>;
}

/** What the caller knows about the request when it asks a parser to read a response. */
export interface ParseContext {
  api: ApiKind;
  /** The model named in the request or URL (Bedrock Converse does not echo it). */
  model_requested?: string;
  /** Anthropic: cache_control ttl asked for in the request, used when a response lacks the TTL split. */
  cache_ttl_requested?: '5m' | '1h';
}

/** Incremental reader fed with the raw bytes of a streamed response as they pass through. */
export interface StreamMeter {
  push(chunk: Uint8Array): void;
  /** Call once at end of stream (or hang-up). */
  end(): StreamOutcome;
}

export interface StreamOutcome {
  /** null when the stream carried no usage: the caller estimates; zeros are never invented. */
  extraction: UsageExtraction | null;
  /** Generated text seen so far (content and reasoning deltas), for estimating output on hang-up. */
  output_text: string;
  /** Model reported by the stream, when any event named it. */
  model?: string;
  /** Why the answer ended, from the event that says so (final chunk, message_delta, terminal event, last candidate). */
  finish_reason?: string;
  /** The provider's id of this response (`chatcmpl-…`, `resp_…`, `msg_…`, Gemini's `responseId`), from the first event that carries it. */
  response_id?: string;
  /** An error the provider reported inside the stream (a Bedrock exception frame), the call having failed. */
  upstream_error?: string;
  /**
   * The stream carried usage that broke the bounds or types of usage-bounds.ts (negative, string,
   * absurd): the call is an error (`upstream_malformed`) and is never priced from it.
   */
  usage_problem?: string;
}

/**
 * `Id` is the provider's id as a literal type: the registry derives `ProviderId` (the union of
 * built-in ids) from its list of adapters, so a new provider is not also a new line here.
 */
export interface ProviderUsageParser<Id extends string = string> {
  readonly id: Id;
  /** Reads usage from a complete JSON body. Returns null when the body carries no usage. */
  fromBody(body: unknown, ctx: ParseContext): UsageExtraction | null;
  /** A new meter for one streamed response. */
  createStreamMeter(ctx: ParseContext): StreamMeter;
}

/** The API a gateway path names: a metered API, or one of the free/unnamed ones. */
export type RouteApi = ApiKind | 'models' | 'count_tokens' | 'other';

/** What one path shape says about a call: its API, the model named in the URL, whether the URL asks for a stream. */
export interface PathMatch {
  api: Exclude<RouteApi, 'other'>;
  urlModel?: string;
  urlStream: boolean;
}

/**
 * An endpoint a credential Costrail holds may reach without the operator allowing it: a metered API,
 * or a free call SDKs make on their own (model lists and details, token counts).
 */
export interface OpenEndpoint {
  /** The route API the call is (`other` for free calls the path shapes do not name). */
  readonly api: RouteApi;
  readonly method: string;
  /** The path after the provider prefix and the API-version part: a regular-expression source, matched to the end. */
  readonly tail: string;
  /** `own`: only under this provider's own prefix or none (Bedrock's `/model/…`); default: under any prefix. */
  readonly prefix?: 'any' | 'own';
}

/** The request about to go upstream; a signer edits `headers` in place. */
export interface UpstreamRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: Uint8Array;
}

/**
 * Replaces the client's credentials on the way out (SigV4, a held key); an error refuses the call.
 * It may answer asynchronously (an async signing library); the built-in signers answer at once.
 */
export type UpstreamSigner = (req: UpstreamRequest) => GatewayError | undefined | Promise<GatewayError | undefined>;

/** Cloud access a signing provider signs with (config or environment), e.g. an AWS region and keys. */
export interface SigningAccess {
  region: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/** The family of wire shapes a provider speaks; OpenAI-compatible providers are family `openai`. */
export type ProviderFamily = 'openai' | 'anthropic' | 'google' | 'aws' | 'cohere';

/**
 * Everything the gateway, the keys and the readers know about one provider. Each provider folder
 * exports one; the registry is the list of them. Nothing outside the provider folders compares a
 * provider's name: they ask its adapter.
 */
export interface ProviderAdapter<Id extends string = string> extends ProviderUsageParser<Id> {
  readonly family: ProviderFamily;
  /** The paths it serves and how its calls are routed. */
  readonly paths: {
    /** The API path shapes of this provider's APIs; every adapter's shapes together classify any gateway path. */
    readonly match?: (barePath: string) => PathMatch | undefined;
    /**
     * Un-prefixed calls (`/v1/…`, `/v1beta/…`) this provider takes: the APIs it claims, or `'rest'` for
     * every un-prefixed API no other adapter claims (exactly one adapter, OpenAI's).
     */
    readonly unprefixed?: readonly RouteApi[] | 'rest';
    /** The API-version segment that marks this provider's un-prefixed paths (`v1beta`: Google), for refusals. */
    readonly versionSegment?: string;
    /** Regular-expression sources of the API-version or deployment part that may follow a prefix (`/v1`, `/openai/deployments/[^/]+`). */
    readonly versionParts?: readonly string[];
    /** Its endpoints that held credentials may reach by default (endpoint-allowance.ts). */
    readonly openEndpoints?: readonly OpenEndpoint[];
    /** The SDK's base URL includes `/v1`, so `/v1/…` loses it on the way upstream (OpenAI's convention). */
    readonly baseIncludesV1: boolean;
    /**
     * How OpenAI-shaped calls (chat, embeddings, responses) reach it, for config `routes`: `native` (its API is
     * OpenAI's shape at its base URL), or an OpenAI-compatible endpoint under `prefix`, served by this adapter
     * (`self`) or read by the generic OpenAI-compatible adapter (`generic`). Absent: it takes no OpenAI shapes.
     */
    readonly openAiShape?: 'native' | { readonly prefix: string; readonly via: 'self' | 'generic' };
  };
  /** Where its calls go: the public endpoint in its official SDK's base-URL convention, or a regional one. */
  readonly upstream: {
    readonly defaultBaseUrl?: string;
    /** Providers whose endpoint depends on a region (Bedrock): the base URL for it. */
    readonly regionalBaseUrl?: (region: string) => string;
  };
  /** How a client presents a key (its SDK's convention) and how the upstream expects a credential. */
  readonly auth: {
    /** Request headers its SDKs send a key in (lowercase); all are dropped when Costrail supplies its own. */
    readonly clientHeaders: readonly string[];
    /** A query parameter its SDKs may send a key in (Google's `?key=`). */
    readonly clientQueryParam?: string;
    /**
     * A stable name for the caller from an `Authorization` value its SDKs sign per request (SigV4:
     * the access key id), so pass-through calls keep one `key_id`; undefined when it is not theirs.
     */
    readonly callerOfAuthorization?: (authorization: string) => string | undefined;
    /** Headers presenting a held secret the way this API's SDK does. */
    readonly upstreamHeaders: (secret: string) => Record<string, string>;
    /** Providers that sign each request (AWS SigV4) instead of sending a secret: the signer for the configured access. */
    readonly signer?: (access: SigningAccess | undefined) => UpstreamSigner;
  };
  /**
   * Asks a streamed request to report usage (OpenAI's `stream_options.include_usage`), mutating the body;
   * true when it changed the request (the client will not expect the extra usage chunk).
   */
  readonly requestStreamUsage?: (body: Record<string, unknown>) => boolean;
  /** The error format its SDKs read, for paths whose API shape does not decide it (model lists, files). */
  readonly errorDialect: ErrorDialect;
  /** The API its payloads belong to when nothing else says. */
  readonly defaultApi: ApiKind;
  /** The API a parser reads a response as on paths that name none (model lists, token counts, other). */
  readonly unnamedPathApi: ApiKind;
  /** The API of a complete JSON body, told from its shape; undefined: `defaultApi`. */
  readonly bodyApi?: (body: Record<string, unknown> | undefined) => ApiKind | undefined;
  /** The API of a stream, told from its first bytes; undefined: `defaultApi`. */
  readonly streamApi?: (head: string) => ApiKind | undefined;
  /** A looser JSON reading tried when strict JSON fails (OpenAI's documented trailing commas). */
  readonly parseLenientJson?: (text: string) => unknown;
  /** Its streams may be a JSON array of chunks (Gemini's `streamGenerateContent` without `alt=sse`). */
  readonly jsonArrayStreams?: boolean;
  /** Whether bytes that are neither JSON nor SSE are this provider's binary stream (AWS event stream). */
  readonly isBinaryStream?: (bytes: Uint8Array) => boolean;
  /** gpt-tokenizer (o200k) counts its models' prompts exactly (OpenAI's own models), so a budget bound needs no headroom. */
  readonly gptTokenizerExact?: boolean;
  /**
   * Hashes and counts of a request body for the ledger (never text); `model` is the one the URL or body
   * names. Undefined (or no reader): the API has no shape Costrail reads.
   */
  readonly requestShape?: (body: Record<string, unknown>, api: ApiKind, model: string | undefined) => RequestShape | undefined;
  /** Why a complete response body ended (`stop`, `length`, `end_turn`, `STOP`, ...), as the provider says it. */
  readonly finishReason?: (body: Record<string, unknown>, api: ApiKind) => string | undefined;
  /**
   * The provider's id of a complete response body (`chatcmpl-…`, `resp_…`, `msg_…`, `responseId`): the
   * key that makes the gateway's, the SDK's and a span's record of one call the same call.
   */
  readonly responseId?: (body: Record<string, unknown>, api: ApiKind) => string | undefined;
  /** The model to price by, from the response's and the request's names; default: the response's. */
  readonly billedModel?: (reported: string | undefined, requested: string | undefined) => string | undefined;
}

/** A provider response id as the ledger keeps it: a non-empty string of at most 256 characters, else none. */
export function responseIdValue(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' && v.length <= 256 ? v : undefined;
}

/** Malformed provider payloads. Parsers throw only this, never a TypeError from deep inside. */
export class ProviderPayloadError extends CostrailError {
  readonly code = 'bad_provider_payload';
  /** A provider answer Costrail cannot read is a bad gateway answer. */
  readonly status = 502;
  constructor(message: string) {
    super(message);
    this.name = 'ProviderPayloadError';
  }
}

/** Small readers for untyped JSON: they turn shape surprises into ProviderPayloadError. */
export function asRecord(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** A count within usage-bounds.ts, or 0 when absent/null. Rejects negatives, fractions, strings and absurd values. */
export function count(obj: Record<string, unknown> | undefined, key: string): number {
  if (!obj) return 0;
  const v = obj[key];
  if (v === undefined || v === null) return 0;
  return checkTokenCount(key, v);
}

export function str(obj: Record<string, unknown> | undefined, key: string): string | undefined {
  const v = obj?.[key];
  return typeof v === 'string' ? v : undefined;
}
