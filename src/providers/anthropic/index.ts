/** Anthropic Messages API (api.anthropic.com): usage from JSON bodies and SSE streams. */
import type { ParseContext, ProviderUsageParser, StreamMeter, UsageExtraction } from '../spec.js';
import { lazyAnthropicStreamMeter } from './anthropic-stream-meter.js';
import { anthropicExtractionFromBody } from './anthropic-usage.js';

export const anthropicUsageParser: ProviderUsageParser = {
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
