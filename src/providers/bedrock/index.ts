/**
 * AWS Bedrock runtime: Converse / ConverseStream (ctx.api 'converse') and InvokeModel /
 * InvokeModelWithResponseStream (ctx.api 'invoke').
 */
import { asRecord, type ParseContext, type ProviderUsageParser, type StreamMeter, type UsageExtraction } from '../spec.js';
import { anthropicExtractionFromBody } from '../anthropic/anthropic-usage.js';
import { BedrockStreamMeter } from './bedrock-stream-meter.js';
import { converseExtractionFromBody } from './converse-usage.js';

/** InvokeModel returns the model family's native body: Anthropic Messages has snake_case usage. */
function isAnthropicBody(body: unknown): boolean {
  const b = asRecord(body);
  if (!b) return false;
  if (b['type'] === 'message') return true;
  const usage = asRecord(b['usage']);
  return usage !== undefined && ('input_tokens' in usage || 'output_tokens' in usage);
}

export const bedrockUsageParser: ProviderUsageParser = {
  id: 'bedrock',
  fromBody(body: unknown, ctx: ParseContext): UsageExtraction | null {
    if (ctx.api === 'invoke' && isAnthropicBody(body)) return anthropicExtractionFromBody(body, ctx, ctx.api);
    return converseExtractionFromBody(body, ctx, ctx.api);
  },
  createStreamMeter(ctx: ParseContext): StreamMeter {
    return new BedrockStreamMeter(ctx);
  },
};

export { BedrockStreamMeter } from './bedrock-stream-meter.js';
export { converseExtraction, converseExtractionFromBody, converseUsage } from './converse-usage.js';
export { EventStreamDecoder, decodeEventStream, headerString, type EventStreamMessage } from './event-stream-decoder.js';
export { encodeEventStreamMessage, encodeException, encodeJsonEvent, type EncodableHeader } from './event-stream-encoder.js';
