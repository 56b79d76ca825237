/** Anthropic Messages API (api.anthropic.com): usage from JSON bodies and SSE streams. */
import { anthropicFinishReason, anthropicRequestShape, anthropicResponseId } from './anthropic-request-shape.js';
import type { ParseContext, PathMatch, ProviderAdapter, ProviderUsageParser, StreamMeter, UsageExtraction } from '../spec.js';
import { lazyAnthropicStreamMeter } from './anthropic-stream-meter.js';
import { anthropicExtractionFromBody } from './anthropic-usage.js';

export const anthropicUsageParser: ProviderUsageParser<'anthropic'> = {
  id: 'anthropic',
  fromBody(body: unknown, ctx: ParseContext): UsageExtraction | null {
    return anthropicExtractionFromBody(body, ctx, ctx.api);
  },
  createStreamMeter(ctx: ParseContext): StreamMeter {
    return lazyAnthropicStreamMeter(ctx, ctx.api);
  },
};

export { AnthropicStreamMeter } from './anthropic-stream-meter.js';
export { AnthropicStreamState } from './anthropic-stream-state.js';
export { anthropicExtractionFromBody } from './anthropic-usage.js';

function matchAnthropicPath(bare: string): PathMatch | undefined {
  if (bare.endsWith('/messages/count_tokens')) return { api: 'count_tokens', urlStream: false };
  if (bare.endsWith('/messages')) return { api: 'messages', urlStream: false };
  return undefined;
}

/** Un-prefixed `/v1/messages` is Anthropic's; keys travel in `x-api-key` (`anthropic-version` is the client's, sent as is). */
export const anthropicAdapter: ProviderAdapter<'anthropic'> = {
  ...anthropicUsageParser,
  family: 'anthropic',
  paths: {
    match: matchAnthropicPath,
    unprefixed: ['messages', 'count_tokens'],
    versionParts: ['/v1'],
    openEndpoints: [
      { api: 'messages', method: 'POST', tail: '/messages' },
      { api: 'count_tokens', method: 'POST', tail: '/messages/count_tokens' },
    ],
    baseIncludesV1: false,
    openAiShape: { prefix: '/v1', via: 'generic' },
  },
  upstream: { defaultBaseUrl: 'https://api.anthropic.com' },
  auth: { clientHeaders: ['x-api-key', 'authorization'], upstreamHeaders: (secret) => ({ 'x-api-key': secret }) },
  requestShape: anthropicRequestShape,
  finishReason: anthropicFinishReason,
  responseId: anthropicResponseId,
  errorDialect: 'anthropic',
  defaultApi: 'messages',
  unnamedPathApi: 'messages',
};
