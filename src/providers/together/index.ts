/** Together AI: OpenAI-shaped chat usage (no recorded payload yet; see the synthetic test). */
import type { ProviderAdapter, ProviderUsageParser } from '../spec.js';
import { createChatUsageParser, openAiCompatibleAdapter } from '../openai-compatible/index.js';

export const togetherUsageParser: ProviderUsageParser<'together'> = createChatUsageParser('together');

export const togetherAdapter: ProviderAdapter<'together'> = openAiCompatibleAdapter(togetherUsageParser, { upstream: { defaultBaseUrl: 'https://api.together.xyz/v1' } });
