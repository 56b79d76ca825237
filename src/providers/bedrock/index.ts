/**
 * AWS Bedrock runtime: Converse / ConverseStream (ctx.api 'converse') and InvokeModel /
 * InvokeModelWithResponseStream (ctx.api 'invoke').
 */
import { asRecord, type ParseContext, type PathMatch, type ProviderAdapter, type ProviderUsageParser, type StreamMeter, type UsageExtraction } from '../spec.js';
import { bearerAuth } from '../openai-compatible/openai-compatible-adapter.js';
import { bedrockSigner } from './bedrock-signer.js';
import { anthropicExtractionFromBody } from '../anthropic/anthropic-usage.js';
import { BedrockStreamMeter } from './bedrock-stream-meter.js';
import { converseExtractionFromBody } from './converse-usage.js';

/** InvokeModel returns the model family's native body: Anthropic Messages has snake_case usage. */
function isAnthropicBody(body: unknown): boolean {
  const b = asRecord(body);
  if (!b) return false;
  if (b['type'] === 'message') return true;
  const usage = asRecord(b['usage']);
  return usage !== undefined && ('input_tokens' in usage || 'output_tokens' in usage);
}

export const bedrockUsageParser: ProviderUsageParser<'bedrock'> = {
  id: 'bedrock',
  fromBody(body: unknown, ctx: ParseContext): UsageExtraction | null {
    if (ctx.api === 'invoke' && isAnthropicBody(body)) return anthropicExtractionFromBody(body, ctx, ctx.api);
    return converseExtractionFromBody(body, ctx, ctx.api);
  },
  createStreamMeter(ctx: ParseContext): StreamMeter {
    return new BedrockStreamMeter(ctx);
  },
};

export { BedrockStreamMeter } from './bedrock-stream-meter.js';
export { converseExtraction, converseExtractionFromBody, converseUsage } from './converse-usage.js';
export { EventStreamDecoder, decodeEventStream, headerString, type EventStreamMessage } from './event-stream-decoder.js';
export { encodeEventStreamMessage, encodeException, encodeJsonEvent, type EncodableHeader } from './event-stream-encoder.js';
export { bedrockSigner, BEDROCK_DEFAULT_REGION } from './bedrock-signer.js';

const BEDROCK_PATH = /\/model\/([^/]+)\/(converse-stream|converse|invoke-with-response-stream|invoke)$/;

function matchBedrockPath(bare: string): PathMatch | undefined {
  const m = BEDROCK_PATH.exec(bare);
  if (!m) return undefined;
  const op = m[2] ?? '';
  return { api: op.startsWith('converse') ? 'converse' : 'invoke', urlModel: decodeURIComponent(m[1] ?? ''), urlStream: op.endsWith('stream') };
}

/** AWS event stream: a big-endian total length that fits the buffer, then a headers length. */
function isEventStream(bytes: Uint8Array): boolean {
  if (bytes.length < 16) return false;
  const total = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0);
  return total >= 16 && total <= bytes.length;
}

export const bedrockAdapter: ProviderAdapter<'bedrock'> = {
  ...bedrockUsageParser,
  family: 'aws',
  paths: {
    match: matchBedrockPath,
    openEndpoints: [
      { api: 'converse', method: 'POST', tail: '/model/[^/]+/converse(?:-stream)?', prefix: 'own' },
      { api: 'invoke', method: 'POST', tail: '/model/[^/]+/invoke(?:-with-response-stream)?', prefix: 'own' },
    ],
    baseIncludesV1: false,
  },
  upstream: { regionalBaseUrl: (region) => `https://bedrock-runtime.${region}.amazonaws.com` },
  auth: {
    clientHeaders: ['authorization'],
    // A SigV4 signature changes on every request; its access key id is what names the caller.
    callerOfAuthorization: (authorization) => /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\//.exec(authorization)?.[1],
    upstreamHeaders: bearerAuth,
    signer: bedrockSigner,
  },
  errorDialect: 'aws',
  defaultApi: 'converse',
  unnamedPathApi: 'chat.completions',
  // InvokeModel answers in the model family's native body (Anthropic Messages here).
  bodyApi: (rec) => (rec && (rec['type'] === 'message' || asRecord(rec['usage'])?.['input_tokens'] !== undefined) ? 'invoke' : undefined),
  isBinaryStream: isEventStream,
  // Bodies name the model family without the Bedrock id and its geo prefix (us./eu./global.) that sets the price.
  billedModel: (reported, requested) => (requested ? requested : (reported ?? requested)),
};
