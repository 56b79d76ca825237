/**
 * Mistral: OpenAI-style usage with prompt_tokens_details.cached_tokens (inside prompt_tokens).
 * Streams carry usage on the final chunk without stream_options. Magistral streams content as
 * an array of thinking/text parts; the thinking is inside completion_tokens and not broken out,
 * so it is billed as output (reasoning_tokens stays 0).
 */
import type { ProviderAdapter, ProviderUsageParser } from '../spec.js';
import { createChatUsageParser, openAiCompatibleAdapter } from '../openai-compatible/index.js';

export const mistralUsageParser: ProviderUsageParser<'mistral'> = createChatUsageParser('mistral');

export const mistralAdapter: ProviderAdapter<'mistral'> = openAiCompatibleAdapter(mistralUsageParser, { upstream: { defaultBaseUrl: 'https://api.mistral.ai/v1' } });
