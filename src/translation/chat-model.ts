/**
 * The neutral chat model every dialect converts to and from. A pair translator is a client
 * dialect (what the caller speaks) composed with a target dialect (what the upstream speaks), so
 * each shape is read and written once instead of once per pair. It holds only what at least two
 * of OpenAI chat.completions, Anthropic messages and Gemini generateContent can express; a
 * dialect refuses (ShapeTranslationError) what its target cannot say rather than dropping it.
 */

export type ChatPart =
  | { readonly kind: 'text'; readonly text: string }
  /** Base64 image bytes, or a URL (`url`) the target fetches itself. */
  | { readonly kind: 'image'; readonly mediaType: string; readonly data: string }
  | { readonly kind: 'image_url'; readonly url: string }
  /** A call the assistant made; `arguments` is the JSON text of the argument object. */
  | { readonly kind: 'tool_call'; readonly id: string; readonly name: string; readonly arguments: string }
  /** The caller's answer to a tool call (`name` is resolved from the call when the client's shape omits it). */
  | { readonly kind: 'tool_result'; readonly callId: string; readonly name: string; readonly content: string; readonly isError: boolean };

export interface ChatTurn {
  readonly role: 'user' | 'assistant';
  readonly parts: ChatPart[];
}

export interface ChatTool {
  readonly name: string;
  readonly description?: string;
  /** JSON Schema of the argument object. */
  readonly parameters: Record<string, unknown>;
}

export type ChatToolChoice = 'auto' | 'none' | 'required' | { readonly name: string };

export type ChatResponseFormat = { readonly type: 'json_object' } | { readonly type: 'json_schema'; readonly name: string; readonly schema: Record<string, unknown> };

export interface ChatRequest {
  readonly system: string | undefined;
  readonly turns: ChatTurn[];
  readonly tools: ChatTool[];
  readonly toolChoice: ChatToolChoice | undefined;
  /** false when the client forbade parallel tool calls. */
  readonly parallelToolCalls: boolean | undefined;
  readonly maxTokens: number | undefined;
  readonly temperature: number | undefined;
  readonly topP: number | undefined;
  readonly topK: number | undefined;
  readonly stop: string[];
  readonly responseFormat: ChatResponseFormat | undefined;
  readonly presencePenalty: number | undefined;
  readonly frequencyPenalty: number | undefined;
  readonly seed: number | undefined;
  /** End-user id for the provider's abuse tracking (OpenAI `user`, Anthropic `metadata.user_id`). */
  readonly user: string | undefined;
}

/** Why generation stopped, in neutral terms (each dialect maps its own reasons). */
export type ChatStopReason = 'end' | 'stop_sequence' | 'max_tokens' | 'tool_use' | 'content_filter';

/**
 * Disjoint token counts (the ledger's convention): `inputUncached + cacheRead + cacheWrite` is every
 * input token; `output` includes `reasoning`.
 */
export interface ChatUsage {
  inputUncached: number;
  cacheRead: number;
  cacheWrite: number;
  output: number;
  reasoning: number;
}

export interface ChatResult {
  readonly id: string;
  readonly parts: ChatPart[];
  readonly stop: ChatStopReason;
  readonly stopSequence: string | null;
  readonly usage: ChatUsage | undefined;
}

/** One step of a streamed answer; a target dialect's decoder emits these, a client dialect's encoder writes them. */
export type ChatStreamEvent =
  | { readonly type: 'start'; readonly id: string; readonly usage: ChatUsage | undefined }
  | { readonly type: 'text'; readonly text: string }
  /** `slot` is the call's position among this answer's tool calls (0, 1, …). */
  | { readonly type: 'tool_call_start'; readonly slot: number; readonly id: string; readonly name: string }
  | { readonly type: 'tool_call_arguments'; readonly slot: number; readonly json: string }
  | { readonly type: 'finish'; readonly stop: ChatStopReason; readonly stopSequence: string | null }
  /** Cumulative usage so far (the latest one wins). */
  | { readonly type: 'usage'; readonly usage: ChatUsage }
  | { readonly type: 'error'; readonly error: ChatErrorInfo }
  /** The upstream's own end of answer (message_stop, [DONE], Gemini's last chunk). */
  | { readonly type: 'end' };

/** An error in neutral terms: the HTTP status decides the client's error type. */
export interface ChatErrorInfo {
  readonly status: number;
  readonly message: string;
}

export function emptyUsage(): ChatUsage {
  return { inputUncached: 0, cacheRead: 0, cacheWrite: 0, output: 0, reasoning: 0 };
}
