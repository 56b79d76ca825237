/**
 * Vertex AI. Gemini models (publishers/google, `generateContent` / `streamGenerateContent`) return
 * the Gemini shapes plus `usageMetadata.trafficType`; Claude models (publishers/anthropic,
 * `rawPredict` / `streamRawPredict`) return Anthropic Messages bodies and SSE streams. Both are
 * billed by Vertex, so usage is read by shape and priced under `vertex`, whose catalog entries
 * carry Vertex's own rates for Claude.
 */
import type { ParseContext, ProviderAdapter, ProviderUsageParser, StreamMeter, StreamOutcome, UsageExtraction } from '../spec.js';
import { asRecord } from '../spec.js';
import { createGeminiUsageParser, googleApiKeyAuth } from '../gemini/index.js';
import { AnthropicStreamMeter, anthropicExtractionFromBody } from '../anthropic/index.js';

export { modelFromGeminiPath as modelFromVertexPath } from '../gemini/index.js';

const geminiShapes = createGeminiUsageParser('vertex');

/** An Anthropic Messages body: `type: "message"`, or Anthropic's `usage.input_tokens` without Gemini's `usageMetadata`. */
export function isAnthropicMessagesBody(body: unknown): boolean {
  const rec = asRecord(body);
  if (!rec || 'usageMetadata' in rec) return false;
  return rec['type'] === 'message' || asRecord(rec['usage'])?.['input_tokens'] !== undefined;
}

/** Anthropic streams open with `message_start`; Gemini streams with a JSON array or `data: {"candidates"...`. */
const ANTHROPIC_STREAM = /message_start|"type"\s*:\s*"message"/;

/** Holds the first bytes until the stream's dialect is known, then hands everything to the right meter. */
class VertexStreamMeter implements StreamMeter {
  private inner: StreamMeter | undefined;
  private held: Uint8Array[] = [];
  private heldText = '';

  constructor(private readonly ctx: ParseContext) {}

  push(chunk: Uint8Array): void {
    if (this.inner) {
      this.inner.push(chunk);
      return;
    }
    this.held.push(chunk);
    this.heldText += new TextDecoder().decode(chunk);
    // One full line is enough to tell the two dialects apart.
    if (this.heldText.trim().length > 0 && this.heldText.includes('\n')) this.decide();
  }

  end(): StreamOutcome {
    if (!this.inner) this.decide();
    return (this.inner as StreamMeter).end();
  }

  private decide(): void {
    const anthropic = ANTHROPIC_STREAM.test(this.heldText);
    this.inner = anthropic ? new AnthropicStreamMeter({ ...this.ctx, api: 'messages' }, 'messages') : geminiShapes.createStreamMeter(this.ctx);
    for (const c of this.held) this.inner.push(c);
    this.held = [];
    this.heldText = '';
  }
}

export const vertexUsageParser: ProviderUsageParser<'vertex'> = {
  id: 'vertex',
  fromBody(body: unknown, ctx: ParseContext): UsageExtraction | null {
    if (isAnthropicMessagesBody(body)) return anthropicExtractionFromBody(body, { ...ctx, api: 'messages' }, 'messages');
    return geminiShapes.fromBody(body, ctx);
  },
  createStreamMeter(ctx: ParseContext): StreamMeter {
    return new VertexStreamMeter(ctx);
  },
};

/** Vertex AI: reached by prefix with the operator's regional base URL; Google's key header and error format. */
export const vertexAdapter: ProviderAdapter<'vertex'> = {
  ...vertexUsageParser,
  family: 'google',
  paths: { baseIncludesV1: false },
  upstream: {},
  auth: { clientHeaders: ['x-goog-api-key', 'authorization'], clientQueryParam: 'key', upstreamHeaders: googleApiKeyAuth },
  errorDialect: 'google',
  defaultApi: 'generateContent',
  unnamedPathApi: 'generateContent',
  jsonArrayStreams: true,
};
