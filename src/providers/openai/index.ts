/** OpenAI usage extraction: Chat Completions, Responses, Embeddings, Batch objects, Realtime events. */
import { openAiCompatibleAdapter } from '../openai-compatible/openai-compatible-adapter.js';
import type { ProviderAdapter, ProviderUsageParser } from '../spec.js';
import { OPENAI_FAMILY_READING } from './openai-family-adapter.js';
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
export { OPENAI_FAMILY_READING, openAiFamilyBodyApi, openAiFamilyStreamApi } from './openai-family-adapter.js';

export const openaiUsageParser: ProviderUsageParser<'openai'> = createOpenAiFamilyParser('openai');

/** OpenAI takes every un-prefixed call no other provider claims (`/v1/chat/completions`, `/v1/responses`, ...). */
export const openaiAdapter: ProviderAdapter<'openai'> = openAiCompatibleAdapter(openaiUsageParser, {
  ...OPENAI_FAMILY_READING,
  paths: { unprefixed: 'rest' },
  upstream: { defaultBaseUrl: 'https://api.openai.com/v1' },
});
