/**
 * Azure OpenAI: OpenAI's shapes plus content-filter results (not billed per token,
 * pricing_rules.md 6). Its quirks need no flag: the first stream chunk (empty id/model/choices,
 * only prompt_filter_results) names no model and is skipped by the shared meter, and the model
 * is taken from the chunks, which name the served model (model-router picks it per request).
 */
import type { ProviderAdapter, ProviderUsageParser } from '../spec.js';
import { openAiCompatibleAdapter } from '../openai-compatible/openai-compatible-adapter.js';
import { createOpenAiFamilyParser } from '../openai/openai-family-parser.js';
import { OPENAI_FAMILY_READING } from '../openai/openai-family-adapter.js';

export const azureUsageParser: ProviderUsageParser<'azure'> = createOpenAiFamilyParser('azure');

/**
 * Azure's base URL is the resource's (`https://<resource>.openai.azure.com`, no public default) and
 * does not include `/v1`; keys travel in `api-key`; its OpenAI-compatible v1 API sits under `/openai/v1`.
 */
export const azureAdapter: ProviderAdapter<'azure'> = openAiCompatibleAdapter(azureUsageParser, {
  ...OPENAI_FAMILY_READING,
  paths: { versionParts: ['/openai/v1', '/openai', '/openai/deployments/[^/]+'], baseIncludesV1: false, openAiShape: { prefix: '/openai/v1', via: 'self' } },
  auth: { clientHeaders: ['api-key', 'authorization'], upstreamHeaders: (secret) => ({ 'api-key': secret }) },
});
