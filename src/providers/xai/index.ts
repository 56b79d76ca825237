/**
 * xAI (Grok) chat: completion_tokens EXCLUDES reasoning_tokens (total = prompt + completion +
 * reasoning), so reasoning is not subtracted; usage.cost_in_usd_ticks is the charged cost,
 * 1 tick = 1e-10 USD (pricing_rules.md section 1 and 7).
 */
import type { ProviderAdapter, ProviderUsageParser } from '../spec.js';
import { createChatUsageParser, openAiCompatibleAdapter } from '../openai-compatible/index.js';

export const xaiUsageParser: ProviderUsageParser<'xai'> = createChatUsageParser('xai', {
  reasoningOutsideCompletion: true,
  costInUsdTicks: true,
});

export const xaiAdapter: ProviderAdapter<'xai'> = openAiCompatibleAdapter(xaiUsageParser, { upstream: { defaultBaseUrl: 'https://api.x.ai/v1' } });
