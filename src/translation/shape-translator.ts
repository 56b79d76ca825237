/**
 * Translation between provider API shapes, for routing and fallback chains that cross providers
 * (an OpenAI-shaped client whose call is served by Anthropic or Gemini, and back). The gateway
 * asks `translatorFor(from, to)`; `undefined` means the pair cannot be translated and a rule or
 * fallback entry that needs it is refused when the config is loaded, never at call time.
 *
 * Shapes are the ledger's `api` names: 'chat.completions' (OpenAI), 'messages' (Anthropic),
 * 'generateContent' (Gemini).
 */
export type TranslatableApi = 'chat.completions' | 'messages' | 'generateContent';

/** A request rewritten for the target shape. */
export interface TranslatedRequest {
  /** Upstream path relative to the target provider's base URL (e.g. `/v1/messages`, `/v1beta/models/m:streamGenerateContent?alt=sse`). */
  readonly path: string;
  /** The upstream body; Gemini names the model in `path` and has no `model` field. */
  readonly body: Record<string, unknown>;
}

/** Rewrites a streamed upstream response (SSE bytes of the target shape) into the client's shape, chunk by chunk. */
export interface StreamTranslator {
  /** Bytes of the upstream stream in; bytes of the client's stream out (may be empty while an event is incomplete). */
  push(chunk: Uint8Array): Uint8Array;
  /** End of the upstream stream: whatever the client's shape needs to close (e.g. `data: [DONE]`). */
  end(): Uint8Array;
}

export interface ShapeTranslator {
  readonly from: TranslatableApi;
  readonly to: TranslatableApi;
  /**
   * The client's request (already parsed JSON) rewritten for the target, with `model` set to the
   * target model. Throws `ShapeTranslationError` when the request uses something the target cannot express.
   */
  request(body: Record<string, unknown>, targetModel: string, stream: boolean): TranslatedRequest;
  /**
   * A non-streamed upstream response (parsed JSON of the target shape) in the client's shape; `clientModel` is the model name the client asked for.
   * `clientRequest` (optional) is the client's own request body: answer options it chose (e.g. OpenAI `stream_options.include_usage`) are read from it.
   */
  response(body: Record<string, unknown>, clientModel: string, clientRequest?: Record<string, unknown>): Record<string, unknown>;
  /**
   * A streamed upstream response in the client's shape. Pass the client's own request body as `clientRequest` so
   * the stream keeps to what it asked (an OpenAI client gets the final usage chunk only when it set
   * `stream_options.include_usage`, as from OpenAI itself); without it no usage chunk is sent.
   */
  stream(clientModel: string, clientRequest?: Record<string, unknown>): StreamTranslator;
  /** An upstream error body (target dialect) in the client's error format, with the same status. */
  error(status: number, body: Uint8Array): Uint8Array;
}

export class ShapeTranslationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShapeTranslationError';
  }
}

/**
 * The 400 body, in the client's error format, for a request `t.request` refused with a
 * ShapeTranslationError (the translator's own error writer, fed a neutral `{error: {message}}`).
 */
export function refusalBody(t: ShapeTranslator, error: ShapeTranslationError): Uint8Array {
  return t.error(400, new TextEncoder().encode(JSON.stringify({ error: { message: error.message } })));
}

const translators = new Map<string, ShapeTranslator>();

/** Registers a translator (the translation modules call this once each at load). */
export function registerShapeTranslator(t: ShapeTranslator): void {
  translators.set(`${t.from}>${t.to}`, t);
}

/** The translator from the client's shape to the target's, if the pair is supported. */
export function translatorFor(from: string, to: string): ShapeTranslator | undefined {
  return translators.get(`${from}>${to}`);
}
