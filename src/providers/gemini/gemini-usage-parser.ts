/**
 * ProviderUsageParser for Google Gemini `generateContent` / `streamGenerateContent`. Vertex AI serves
 * the same response shapes (plus `usageMetadata.trafficType`), so its parser is this one under the
 * id 'vertex'.
 */
import {
  ProviderPayloadError,
  asRecord,
  type ParseContext,
  type ProviderUsageParser,
  type StreamMeter,
  type UsageExtraction,
} from '../spec.js';
import { GeminiResponseAccumulator } from './gemini-response-accumulator.js';
import { GeminiStreamMeter } from './gemini-stream-meter.js';

/**
 * A complete body: one GenerateContentResponse, or the whole JSON array of a `streamGenerateContent`
 * call made without `alt=sse` (then read like a stream: last cumulative usage, never a sum).
 * Returns null for a body without usage counts (an error body, a Vertex `{trafficType}`-only object).
 */
export function geminiUsageFromBody(body: unknown, ctx: ParseContext): UsageExtraction | null {
  const acc = new GeminiResponseAccumulator({ strict: true, collectText: false });
  if (Array.isArray(body)) {
    for (const item of body) {
      const rec = asRecord(item);
      if (!rec) throw new ProviderPayloadError('stream array element is not an object');
      acc.add(rec);
    }
  } else {
    const rec = asRecord(body);
    if (!rec) throw new ProviderPayloadError('generateContent body is not a JSON object');
    acc.add(rec);
  }
  return acc.extraction(ctx.model_requested, false);
}

export function createGeminiUsageParser<Id extends 'gemini' | 'vertex'>(id: Id): ProviderUsageParser<Id> {
  return {
    id,
    fromBody: geminiUsageFromBody,
    createStreamMeter(ctx: ParseContext): StreamMeter {
      return new GeminiStreamMeter(ctx);
    },
  };
}

export const geminiUsageParser: ProviderUsageParser<'gemini'> = createGeminiUsageParser('gemini');
