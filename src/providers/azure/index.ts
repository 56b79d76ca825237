/**
 * Azure OpenAI: OpenAI's shapes plus content-filter results (not billed per token,
 * pricing_rules.md 6). Its quirks need no flag: the first stream chunk (empty id/model/choices,
 * only prompt_filter_results) names no model and is skipped by the shared meter, and the model
 * is taken from the chunks, which name the served model (model-router picks it per request).
 */
import type { ProviderUsageParser } from '../spec.js';
import { createOpenAiFamilyParser } from '../openai/openai-family-parser.js';

export const azureUsageParser: ProviderUsageParser = createOpenAiFamilyParser('azure');
