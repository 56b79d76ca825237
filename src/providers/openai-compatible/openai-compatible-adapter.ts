/**
 * The reusable base of every OpenAI-shaped provider: OpenAI's paths, a bearer token, usage asked
 * for on chat streams (`stream_options.include_usage`), OpenAI's error format, a base URL that
 * includes `/v1`. A provider folder composes it with its usage parser and its base URL, and
 * overrides only what differs (Azure's `api-key` header and deployment paths, OpenAI's Responses
 * detection).
 */
import { openAiFinishReason, openAiRequestShape, openAiResponseId } from './openai-request-shape.js';
import { ensureStreamUsage } from '../openai/stream-usage-option.js';
import type { ProviderAdapter, ProviderUsageParser } from '../spec.js';
import { matchOpenAiPath, OPENAI_OPEN_ENDPOINTS } from './openai-paths.js';

/** `Authorization: Bearer <secret>`, the OpenAI SDK's (and most APIs') convention. */
export function bearerAuth(secret: string): Record<string, string> {
  return { authorization: `Bearer ${secret}` };
}

export type OpenAiCompatibleOptions = Partial<Omit<ProviderAdapter, 'id' | 'fromBody' | 'createStreamMeter' | 'paths' | 'upstream' | 'auth'>> & {
  paths?: Partial<ProviderAdapter['paths']>;
  upstream?: ProviderAdapter['upstream'];
  auth?: ProviderAdapter['auth'];
};

export function openAiCompatibleAdapter<Id extends string>(parser: ProviderUsageParser<Id>, options: OpenAiCompatibleOptions = {}): ProviderAdapter<Id> {
  const { paths, upstream, auth, ...rest } = options;
  return {
    id: parser.id,
    fromBody: (body, ctx) => parser.fromBody(body, ctx),
    createStreamMeter: (ctx) => parser.createStreamMeter(ctx),
    family: 'openai',
    paths: { match: matchOpenAiPath, versionParts: ['/v1'], openEndpoints: OPENAI_OPEN_ENDPOINTS, baseIncludesV1: true, openAiShape: 'native', ...paths },
    upstream: upstream ?? {},
    auth: auth ?? { clientHeaders: ['authorization'], upstreamHeaders: bearerAuth },
    requestStreamUsage: ensureStreamUsage,
    requestShape: openAiRequestShape,
    finishReason: openAiFinishReason,
    responseId: openAiResponseId,
    errorDialect: 'openai',
    defaultApi: 'chat.completions',
    unnamedPathApi: 'chat.completions',
    ...rest,
  };
}
