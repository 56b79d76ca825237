/** Cohere v2 chat (ctx.api 'chat') and embed (ctx.api 'embed'). */
import type { ParseContext, ProviderUsageParser, StreamMeter, UsageExtraction } from '../spec.js';
import { CohereStreamMeter } from './cohere-stream-meter.js';
import { cohereExtractionFromBody } from './cohere-usage.js';

export const cohereUsageParser: ProviderUsageParser = {
  id: 'cohere',
  fromBody(body: unknown, ctx: ParseContext): UsageExtraction | null {
    return cohereExtractionFromBody(body, ctx, ctx.api);
  },
  createStreamMeter(ctx: ParseContext): StreamMeter {
    return new CohereStreamMeter(ctx);
  },
};

export { CohereStreamMeter } from './cohere-stream-meter.js';
export { cohereExtraction, cohereExtractionFromBody } from './cohere-usage.js';
