/** Gemini generateContent as a client dialect and as a target dialect. */
import type { ClientDialect, TargetDialect } from '../../dialect.js';
import { geminiErrorObject } from '../../error-dialects.js';
import { GeminiStreamEncoder, encodeGeminiResponse } from './gemini-client-answer.js';
import { decodeGeminiRequest } from './gemini-client-request.js';
import { encodeGeminiRequest } from './gemini-request.js';
import { decodeGeminiResponse } from './gemini-response.js';
import { GeminiStreamDecoder } from './gemini-stream.js';

export const geminiClient: ClientDialect = {
  api: 'generateContent',
  decodeRequest: decodeGeminiRequest,
  // Gemini streams carry usage on their chunks; there is no option to read.
  answerOptions: () => ({ includeUsage: true }),
  encodeResponse: (result, clientModel) => encodeGeminiResponse(result, clientModel),
  streamEncoder: (clientModel) => new GeminiStreamEncoder(clientModel),
  encodeError: geminiErrorObject,
};

export const geminiTarget: TargetDialect = {
  api: 'generateContent',
  provider: 'gemini',
  encodeRequest: encodeGeminiRequest,
  decodeResponse: decodeGeminiResponse,
  streamDecoder: () => new GeminiStreamDecoder(),
};
