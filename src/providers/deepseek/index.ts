/**
 * DeepSeek: prompt_cache_hit_tokens / prompt_cache_miss_tokens sit beside the OpenAI-style
 * prompt_tokens_details.cached_tokens with the same numbers (pricing_rules.md section 1); the
 * native hit count is used once, never added to the mirror. reasoning_tokens is inside completion_tokens.
 */
import type { ProviderAdapter, ProviderUsageParser } from '../spec.js';
import { createChatUsageParser, openAiCompatibleAdapter } from '../openai-compatible/index.js';

export const deepseekUsageParser: ProviderUsageParser<'deepseek'> = createChatUsageParser('deepseek', { preferPromptCacheHit: true });

export const deepseekAdapter: ProviderAdapter<'deepseek'> = openAiCompatibleAdapter(deepseekUsageParser, { upstream: { defaultBaseUrl: 'https://api.deepseek.com/v1' } });
