/**
 * The shared Chat Completions usage parser. Each OpenAI-compatible provider folder builds its
 * parser here with its own quirks; a plain OpenAI-compatible server (vLLM, LM Studio, ...) uses
 * `openaiCompatibleUsageParser`.
 */
import type { ParseContext, ProviderId, ProviderUsageParser, StreamMeter, UsageExtraction } from '../spec.js';
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
export function createChatUsageParser(id: ProviderId, quirks: ChatQuirks = {}): ProviderUsageParser {
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

export const openaiCompatibleUsageParser: ProviderUsageParser = createChatUsageParser('openai-compatible');
