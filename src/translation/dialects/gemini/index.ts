/** Gemini generateContent as a target dialect. */
import type { TargetDialect } from '../../dialect.js';
import { encodeGeminiRequest } from './gemini-request.js';
import { decodeGeminiResponse } from './gemini-response.js';
import { GeminiStreamDecoder } from './gemini-stream.js';

export const geminiTarget: TargetDialect = {
  api: 'generateContent',
  provider: 'gemini',
  encodeRequest: encodeGeminiRequest,
  decodeResponse: decodeGeminiResponse,
  streamDecoder: () => new GeminiStreamDecoder(),
};
