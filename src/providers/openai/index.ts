/** OpenAI usage extraction: Chat Completions, Responses, Embeddings, Batch objects, Realtime events. */
import type { ProviderUsageParser } from '../spec.js';
import { createOpenAiFamilyParser } from './openai-family-parser.js';

export { createOpenAiFamilyParser } from './openai-family-parser.js';
export { ResponsesStreamMeter } from './responses-stream-meter.js';
export {
  responsesExtraction,
  responsesUsageFromBody,
  tallyOutput,
  tallyWebSearchItem,
  type WebSearchTally,
} from './responses-usage.js';
export { embeddingsUsageFromBody } from './embeddings-usage.js';
export { batchUsageFromObject } from './batch-usage.js';
export { parseLenientJson, stripTrailingCommas } from './lenient-json.js';
export { realtimeUsageFromEvent } from './realtime-usage.js';
export { ensureStreamUsage } from './stream-usage-option.js';

export const openaiUsageParser: ProviderUsageParser = createOpenAiFamilyParser('openai');
