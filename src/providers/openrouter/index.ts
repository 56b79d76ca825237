/**
 * OpenRouter: OpenAI-shaped usage normalised across upstreams (an Anthropic cache write shows up
 * as prompt_tokens_details.cache_write_tokens inside prompt_tokens), plus usage.cost, the USD
 * actually charged including tool fees, and server_tool_use_details.web_search_requests
 * (pricing_rules.md section 1 and 7). cost_details stays in `raw`. Streams interleave
 * ": OPENROUTER PROCESSING" comments, which the SSE decoder skips.
 */
import type { ProviderAdapter, ProviderUsageParser } from '../spec.js';
import { createChatUsageParser, openAiCompatibleAdapter } from '../openai-compatible/index.js';

export const openrouterUsageParser: ProviderUsageParser<'openrouter'> = createChatUsageParser('openrouter', { costInUsd: true });

export const openrouterAdapter: ProviderAdapter<'openrouter'> = openAiCompatibleAdapter(openrouterUsageParser, { upstream: { defaultBaseUrl: 'https://openrouter.ai/api/v1' } });
