/**
 * Groq: OpenAI-style usage (queue_time, prompt_time, ... are seconds, not tokens). The final
 * stream chunk carries `usage` and an identical `x_groq.usage`; the shared parser reads `usage`
 * and falls back to `x_groq.usage` only when `usage` is absent, so it is counted once.
 */
import type { ProviderAdapter, ProviderUsageParser } from '../spec.js';
import { createChatUsageParser, openAiCompatibleAdapter } from '../openai-compatible/index.js';

export const groqUsageParser: ProviderUsageParser<'groq'> = createChatUsageParser('groq');

export const groqAdapter: ProviderAdapter<'groq'> = openAiCompatibleAdapter(groqUsageParser, { upstream: { defaultBaseUrl: 'https://api.groq.com/openai/v1' } });
