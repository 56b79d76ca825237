/** Anthropic messages as a client dialect and as a target dialect. */
import type { ClientDialect, TargetDialect } from '../../dialect.js';
import { anthropicErrorObject } from '../../error-dialects.js';
import { decodeAnthropicRequest, encodeAnthropicRequest } from './anthropic-request.js';
import { decodeAnthropicResponse, encodeAnthropicResponse } from './anthropic-response.js';
import { AnthropicStreamDecoder, AnthropicStreamEncoder } from './anthropic-stream.js';

export const anthropicClient: ClientDialect = {
  api: 'messages',
  decodeRequest: decodeAnthropicRequest,
  // Anthropic streams always end with usage; there is no option to read.
  answerOptions: () => ({ includeUsage: true }),
  encodeResponse: (result, clientModel) => encodeAnthropicResponse(result, clientModel),
  streamEncoder: (clientModel) => new AnthropicStreamEncoder(clientModel),
  encodeError: anthropicErrorObject,
};

export const anthropicTarget: TargetDialect = {
  api: 'messages',
  provider: 'anthropic',
  encodeRequest: encodeAnthropicRequest,
  decodeResponse: decodeAnthropicResponse,
  streamDecoder: () => new AnthropicStreamDecoder(),
};
