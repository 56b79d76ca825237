/** Together AI: OpenAI-shaped chat usage (no recorded payload yet; see the synthetic test). */
import type { ProviderUsageParser } from '../spec.js';
import { createChatUsageParser } from '../openai-compatible/index.js';

export const togetherUsageParser: ProviderUsageParser = createChatUsageParser('together');
