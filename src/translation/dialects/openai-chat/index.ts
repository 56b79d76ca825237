/** OpenAI chat.completions as a client dialect and as a target dialect. */
import type { ClientDialect, TargetDialect } from '../../dialect.js';
import { openaiErrorObject } from '../../error-dialects.js';
import { decodeOpenAIChatRequest, encodeOpenAIChatRequest } from './openai-chat-request.js';
import { decodeOpenAIChatResponse, encodeOpenAIChatResponse } from './openai-chat-response.js';
import { OpenAIChatStreamDecoder, OpenAIChatStreamEncoder, openaiAnswerOptions } from './openai-chat-stream.js';

export const openaiChatClient: ClientDialect = {
  api: 'chat.completions',
  decodeRequest: decodeOpenAIChatRequest,
  answerOptions: openaiAnswerOptions,
  encodeResponse: (result, clientModel) => encodeOpenAIChatResponse(result, clientModel),
  streamEncoder: (clientModel, options) => new OpenAIChatStreamEncoder(clientModel, options),
  encodeError: openaiErrorObject,
};

export const openaiChatTarget: TargetDialect = {
  api: 'chat.completions',
  provider: 'openai',
  encodeRequest: encodeOpenAIChatRequest,
  decodeResponse: decodeOpenAIChatResponse,
  streamDecoder: () => new OpenAIChatStreamDecoder(),
};
