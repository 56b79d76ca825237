/**
 * Every provider parser by id, and the reader that turns one captured response (JSON body,
 * SSE stream, Gemini JSON-array stream or Bedrock binary event stream) into usage.
 */
import { anthropicUsageParser } from './anthropic/index.js';
import { azureUsageParser } from './azure/index.js';
import { bedrockUsageParser } from './bedrock/index.js';
import { cohereUsageParser } from './cohere/index.js';
import { deepseekUsageParser } from './deepseek/index.js';
import { geminiUsageParser } from './gemini/index.js';
import { groqUsageParser } from './groq/index.js';
import { mistralUsageParser } from './mistral/index.js';
import { openaiCompatibleUsageParser } from './openai-compatible/index.js';
import { openaiUsageParser, parseLenientJson } from './openai/index.js';
import { openrouterUsageParser } from './openrouter/index.js';
import { togetherUsageParser } from './together/index.js';
import { vertexUsageParser } from './vertex/index.js';
import { xaiUsageParser } from './xai/index.js';
import { boundedParser } from './bounded-usage-parser.js';
import { ProviderPayloadError, asRecord, type ApiKind, type ParseContext, type ProviderId, type ProviderUsageParser, type UsageExtraction } from './spec.js';

const RAW_PARSERS: Record<ProviderId, ProviderUsageParser> = {
  openai: openaiUsageParser,
  azure: azureUsageParser,
  anthropic: anthropicUsageParser,
  gemini: geminiUsageParser,
  vertex: vertexUsageParser,
  bedrock: bedrockUsageParser,
  mistral: mistralUsageParser,
  deepseek: deepseekUsageParser,
  xai: xaiUsageParser,
  groq: groqUsageParser,
  together: togetherUsageParser,
  openrouter: openrouterUsageParser,
  cohere: cohereUsageParser,
  'openai-compatible': openaiCompatibleUsageParser,
};

// Every reading leaves through the usage bounds (usage-bounds.ts), whichever provider made it.
const PARSERS = Object.fromEntries(Object.entries(RAW_PARSERS).map(([id, p]) => [id, boundedParser(p)])) as Record<ProviderId, ProviderUsageParser>;

export const PROVIDER_IDS = Object.keys(PARSERS) as ProviderId[];

export function isProviderId(s: string): s is ProviderId {
  return Object.hasOwn(PARSERS, s);
}

export function parserFor(provider: ProviderId): ProviderUsageParser {
  return PARSERS[provider];
}

/** The API a provider's payload most likely belongs to when nothing else says. */
const DEFAULT_API: Record<ProviderId, ApiKind> = {
  openai: 'chat.completions',
  azure: 'chat.completions',
  anthropic: 'messages',
  gemini: 'generateContent',
  vertex: 'generateContent',
  bedrock: 'converse',
  mistral: 'chat.completions',
  deepseek: 'chat.completions',
  xai: 'chat.completions',
  groq: 'chat.completions',
  together: 'chat.completions',
  openrouter: 'chat.completions',
  cohere: 'chat',
  'openai-compatible': 'chat.completions',
};

export interface ResponseReading {
  extraction: UsageExtraction | null;
  stream: boolean;
  api: ApiKind;
  model?: string;
  output_text?: string;
}

export interface ReadOptions {
  api?: ApiKind;
  model_requested?: string;
  cache_ttl_requested?: '5m' | '1h';
}

type Format = 'json' | 'json-array' | 'sse' | 'eventstream';

function firstByte(bytes: Uint8Array): number {
  for (const b of bytes) if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09 && b !== 0xef && b !== 0xbb && b !== 0xbf) return b;
  return -1;
}

function detectFormat(provider: ProviderId, bytes: Uint8Array, head: string): Format {
  const b = firstByte(bytes);
  if (b === 0x7b /* { */) return 'json';
  if (b === 0x5b /* [ */) return 'json-array';
  if (/^(data|event|id|retry):|^:/m.test(head)) return 'sse';
  // AWS event stream: a big-endian total length that fits the buffer, then a headers length.
  if (provider === 'bedrock' && bytes.length >= 16) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const total = view.getUint32(0);
    if (total >= 16 && total <= bytes.length) return 'eventstream';
  }
  throw new ProviderPayloadError('not JSON and not a recognised stream (SSE, JSON array, or Bedrock event stream)');
}

/** API of an OpenAI-family stream: Responses streams name their events `response.*`. */
function streamApi(provider: ProviderId, head: string): ApiKind {
  if ((provider === 'openai' || provider === 'azure') && /(^event: ?response\.)|("type": ?"response\.)/m.test(head)) return 'responses';
  return DEFAULT_API[provider];
}

/** The API a complete JSON body belongs to, told from its shape (Responses, Embeddings, Batch, InvokeModel, ...). */
export function bodyApi(provider: ProviderId, body: unknown): ApiKind {
  const rec = asRecord(body);
  if (provider === 'bedrock' && rec && (rec['type'] === 'message' || asRecord(rec['usage'])?.['input_tokens'] !== undefined)) return 'invoke';
  if (provider === 'cohere' && rec && 'embeddings' in rec) return 'embed';
  if (provider === 'openai' || provider === 'azure') {
    const object = rec?.['object'];
    if (object === 'response') return 'responses';
    if (object === 'list') return 'embeddings';
    if (object === 'batch') return 'batch';
    if (rec?.['type'] === 'response.done') return 'realtime';
  }
  return DEFAULT_API[provider];
}

function parseJson(provider: ProviderId, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    // OpenAI's own documentation examples carry trailing commas; accept those, nothing looser.
    if (provider === 'openai' || provider === 'azure') {
      try {
        return parseLenientJson(text);
      } catch {
        /* report the strict parser's error */
      }
    }
    throw new ProviderPayloadError(`not valid JSON (${(e as Error).message})`);
  }
}

/** Reads one complete captured response. Throws ProviderPayloadError on input it cannot read. */
export function readProviderResponse(provider: ProviderId, bytes: Uint8Array, opts: ReadOptions = {}): ResponseReading {
  const parser = PARSERS[provider];
  const head = new TextDecoder().decode(bytes.subarray(0, 64 * 1024));
  const format = detectFormat(provider, bytes, head);
  const ctxBase = { model_requested: opts.model_requested, cache_ttl_requested: opts.cache_ttl_requested };

  if (format === 'json' || (format === 'json-array' && (provider === 'gemini' || provider === 'vertex'))) {
    const body = parseJson(provider, new TextDecoder().decode(bytes));
    if (format === 'json' && asRecord(body) === undefined) throw new ProviderPayloadError('the JSON is not an object');
    const api = opts.api ?? bodyApi(provider, body);
    const ctx: ParseContext = { api, ...ctxBase };
    const extraction = parser.fromBody(body, ctx);
    return { extraction, stream: format === 'json-array', api: extraction?.api ?? api, model: extraction?.model };
  }
  if (format === 'json-array') throw new ProviderPayloadError(`a JSON array is not a ${provider} response`);

  const api = opts.api ?? streamApi(provider, head);
  const meter = parser.createStreamMeter({ api, ...ctxBase });
  meter.push(bytes);
  const outcome = meter.end();
  if (outcome.usage_problem !== undefined) throw new ProviderPayloadError(outcome.usage_problem);
  return { extraction: outcome.extraction, stream: true, api: outcome.extraction?.api ?? api, model: outcome.model, output_text: outcome.output_text };
}

/**
 * The model name to price a call by. The response's own name wins (aliases resolve to the
 * snapshot actually served), except on Bedrock, whose bodies name the model family without the
 * Bedrock id and its geo prefix (us./eu./global.) that sets the price: there the requested id wins.
 */
export function billedModel(provider: ProviderId, reported: string | undefined, requested: string | undefined): string | undefined {
  if (provider === 'bedrock' && requested) return requested;
  return reported ?? requested;
}
