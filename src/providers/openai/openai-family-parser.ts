/**
 * A parser for the OpenAI API family (OpenAI itself and Azure OpenAI, which serve the same
 * shapes): dispatches on ctx.api, and on the body's `object` / `type` when the api is not one
 * of OpenAI's.
 */
import {
  asRecord,
  str,
  type ParseContext,
  type ProviderUsageParser,
  type StreamMeter,
  type UsageExtraction,
} from '../spec.js';
import { lazyChatStreamMeter } from '../openai-compatible/chat-stream-meter.js';
import { chatUsageFromBody, type ChatQuirks } from '../openai-compatible/chat-usage.js';
import { batchUsageFromObject } from './batch-usage.js';
import { embeddingsUsageFromBody } from './embeddings-usage.js';
import { realtimeUsageFromEvent } from './realtime-usage.js';
import { lazyResponsesStreamMeter } from './responses-stream-meter.js';
import { responsesUsageFromBody } from './responses-usage.js';

type OpenAiApi = 'chat.completions' | 'responses' | 'embeddings' | 'batch' | 'realtime';

function apiOfBody(body: unknown): OpenAiApi {
  const rec = asRecord(body);
  const object = str(rec, 'object');
  if (object === 'response') return 'responses';
  if (object === 'batch') return 'batch';
  if (object === 'list') return 'embeddings';
  if (str(rec, 'type') === 'response.done') return 'realtime';
  return 'chat.completions';
}

function isOpenAiApi(api: string): api is OpenAiApi {
  return api === 'chat.completions' || api === 'responses' || api === 'embeddings' || api === 'batch' || api === 'realtime';
}

export function createOpenAiFamilyParser<Id extends string>(id: Id, chatQuirks: ChatQuirks = {}): ProviderUsageParser<Id> {
  return {
    id,
    fromBody(body: unknown, ctx: ParseContext): UsageExtraction | null {
      const api = isOpenAiApi(ctx.api) ? ctx.api : apiOfBody(body);
      switch (api) {
        case 'responses':
          return responsesUsageFromBody(body);
        case 'embeddings':
          return embeddingsUsageFromBody(body);
        case 'batch':
          return batchUsageFromObject(body);
        case 'realtime':
          return realtimeUsageFromEvent(body);
        case 'chat.completions':
          return chatUsageFromBody(body, chatQuirks);
      }
    },
    createStreamMeter(ctx: ParseContext): StreamMeter {
      return ctx.api === 'responses' ? lazyResponsesStreamMeter() : lazyChatStreamMeter(chatQuirks, ctx);
    },
  };
}
