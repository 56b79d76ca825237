/** Cohere v2 chat (ctx.api 'chat') and embed (ctx.api 'embed'). */
import type { ParseContext, ProviderAdapter, ProviderUsageParser, StreamMeter, UsageExtraction } from '../spec.js';
import { bearerAuth } from '../openai-compatible/openai-compatible-adapter.js';
import { lazyCohereStreamMeter } from './cohere-stream-meter.js';
import { cohereExtractionFromBody } from './cohere-usage.js';

export const cohereUsageParser: ProviderUsageParser<'cohere'> = {
  id: 'cohere',
  fromBody(body: unknown, ctx: ParseContext): UsageExtraction | null {
    return cohereExtractionFromBody(body, ctx, ctx.api);
  },
  createStreamMeter(ctx: ParseContext): StreamMeter {
    return lazyCohereStreamMeter(ctx);
  },
};

export { CohereStreamMeter } from './cohere-stream-meter.js';
export { cohereExtraction, cohereExtractionFromBody } from './cohere-usage.js';

/** Cohere v2: reached by prefix only (`/cohere/v2/chat`); its SDK's base URL has no `/v1`. */
export const cohereAdapter: ProviderAdapter<'cohere'> = {
  ...cohereUsageParser,
  family: 'cohere',
  paths: { baseIncludesV1: false },
  upstream: { defaultBaseUrl: 'https://api.cohere.com' },
  auth: { clientHeaders: ['authorization'], upstreamHeaders: bearerAuth },
  errorDialect: 'openai',
  defaultApi: 'chat',
  unnamedPathApi: 'chat.completions',
  bodyApi: (rec) => (rec && 'embeddings' in rec ? 'embed' : undefined),
};
