/**
 * The shared Chat Completions usage parser. Each OpenAI-compatible provider folder builds its
 * parser here with its own quirks; a plain OpenAI-compatible server (vLLM, LM Studio, ...) uses
 * `openaiCompatibleUsageParser`.
 */
import type { ParseContext, ProviderAdapter, ProviderUsageParser, StreamMeter, UsageExtraction } from '../spec.js';
import { openAiCompatibleAdapter } from './openai-compatible-adapter.js';
import { chatUsageFromBody, type ChatQuirks } from './chat-usage.js';
import { lazyChatStreamMeter } from './chat-stream-meter.js';

export { ChatStreamMeter } from './chat-stream-meter.js';
export {
  buildChatExtraction,
  chatUsageFromBody,
  chatUsageObject,
  countUrlCitations,
  type ChatMeta,
  type ChatQuirks,
} from './chat-usage.js';
export { decimalFromJsonNumber, usdFromJsonNumber, usdFromTicks } from './exact-decimal.js';
export { splitInput, splitOutput, type InputCounters, type InputSplit, type OutputCounters, type OutputSplit } from './usage-split.js';

/** A chat-only parser: every body is read as a chat completion, every stream as chunks. */
export function createChatUsageParser<Id extends string>(id: Id, quirks: ChatQuirks = {}): ProviderUsageParser<Id> {
  return {
    id,
    fromBody(body: unknown, _ctx: ParseContext): UsageExtraction | null {
      return chatUsageFromBody(body, quirks);
    },
    createStreamMeter(ctx: ParseContext): StreamMeter {
      return lazyChatStreamMeter(quirks, ctx);
    },
  };
}

export const openaiCompatibleUsageParser: ProviderUsageParser<'openai-compatible'> = createChatUsageParser('openai-compatible');

export { bearerAuth, openAiCompatibleAdapter, type OpenAiCompatibleOptions } from './openai-compatible-adapter.js';
export { matchOpenAiPath } from './openai-paths.js';

/**
 * Any OpenAI-compatible server (vLLM, LM Studio, a provider named in the config, Anthropic's and
 * Google's OpenAI-compatible endpoints): OpenAI's shapes at a base URL the operator gives. Config
 * `routes` cannot target it by this id (it has no base URL of its own), hence no `openAiShape`.
 */
export const openaiCompatibleAdapter: ProviderAdapter<'openai-compatible'> = openAiCompatibleAdapter(openaiCompatibleUsageParser, { paths: { openAiShape: undefined } });
