/**
 * Gemini API (generativelanguage.googleapis.com): `/v1beta/models/{model}:generateContent` and
 * `:streamGenerateContent` (SSE with `alt=sse`, else a JSON array of chunks); keys travel in
 * `x-goog-api-key`; Google's error format; an OpenAI-compatible endpoint under `/v1beta/openai`.
 */
import { geminiFinishReason, geminiRequestShape, geminiResponseId } from './gemini-request-shape.js';
import type { PathMatch, ProviderAdapter } from '../spec.js';
import { geminiUsageParser } from './gemini-usage-parser.js';
import { modelFromGeminiPath } from './model-from-gemini-path.js';

export function matchGooglePath(bare: string): PathMatch | undefined {
  if (!bare.includes(':generateContent') && !bare.includes(':streamGenerateContent')) return undefined;
  return { api: 'generateContent', urlModel: modelFromGeminiPath(bare), urlStream: bare.includes(':streamGenerateContent') };
}

export function googleApiKeyAuth(secret: string): Record<string, string> {
  return { 'x-goog-api-key': secret };
}

export const geminiAdapter: ProviderAdapter<'gemini'> = {
  ...geminiUsageParser,
  family: 'google',
  paths: {
    match: matchGooglePath,
    unprefixed: ['generateContent'],
    versionSegment: 'v1beta',
    versionParts: ['/v1beta', '/v1beta/openai'],
    openEndpoints: [
      { api: 'generateContent', method: 'POST', tail: '/models/[^/]+:(?:stream)?[gG]enerateContent' },
      { api: 'other', method: 'POST', tail: '/models/[^/]+:countTokens' },
    ],
    baseIncludesV1: false,
    openAiShape: { prefix: '/v1beta/openai', via: 'generic' },
  },
  upstream: { defaultBaseUrl: 'https://generativelanguage.googleapis.com' },
  auth: { clientHeaders: ['x-goog-api-key'], clientQueryParam: 'key', upstreamHeaders: googleApiKeyAuth },
  requestShape: geminiRequestShape,
  finishReason: geminiFinishReason,
  responseId: geminiResponseId,
  errorDialect: 'google',
  defaultApi: 'generateContent',
  unnamedPathApi: 'generateContent',
  jsonArrayStreams: true,
};
