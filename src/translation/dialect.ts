/**
 * The two halves of a pair translator. A client dialect reads the caller's request and writes
 * answers and errors in the caller's shape; a target dialect writes the upstream request and
 * reads the upstream's answers and errors. `compose-translator.ts` joins one of each.
 */
import type { SseEvent } from '../providers/sse.js';
import type { ChatErrorInfo, ChatRequest, ChatResult, ChatStreamEvent } from './chat-model.js';
import type { TranslatableApi, TranslatedRequest } from './shape-translator.js';

/** What the client asked about the shape of its answer (read from its own request). */
export interface ClientAnswerOptions {
  /** OpenAI `stream_options.include_usage`: a final usage chunk is wanted. */
  readonly includeUsage: boolean;
}

/** Writes neutral stream events as the client's SSE text. */
export interface ClientStreamEncoder {
  write(e: ChatStreamEvent): string;
  /** The upstream ended; `complete` is false when it ended before its own end of answer. */
  close(complete: boolean): string;
}

export interface ClientDialect {
  readonly api: TranslatableApi;
  decodeRequest(body: Record<string, unknown>): ChatRequest;
  answerOptions(body: Record<string, unknown> | undefined): ClientAnswerOptions;
  encodeResponse(result: ChatResult, clientModel: string, options: ClientAnswerOptions): Record<string, unknown>;
  streamEncoder(clientModel: string, options: ClientAnswerOptions): ClientStreamEncoder;
  encodeError(error: ChatErrorInfo): Record<string, unknown>;
}

/** Reads the upstream's SSE events into neutral stream events. */
export interface TargetStreamDecoder {
  read(e: SseEvent, out: ChatStreamEvent[]): void;
  /** End of the upstream bytes: emits what only the end reveals; returns whether the answer was complete. */
  finish(out: ChatStreamEvent[]): boolean;
}

export interface TargetDialect {
  readonly api: TranslatableApi;
  /** Provider name for messages ("anthropic upstream returned …"). */
  readonly provider: string;
  encodeRequest(request: ChatRequest, targetModel: string, stream: boolean): TranslatedRequest;
  decodeResponse(body: Record<string, unknown>): ChatResult;
  streamDecoder(): TargetStreamDecoder;
}
