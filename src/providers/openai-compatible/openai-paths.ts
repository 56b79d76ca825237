/**
 * The path shapes of OpenAI's API, which every OpenAI-compatible server copies: chat completions,
 * responses, embeddings and the model list. Azure OpenAI names the deployment (its model) in the
 * path: /openai/deployments/{deployment}/chat/completions.
 */
import type { OpenEndpoint, PathMatch } from '../spec.js';

/** Metered: chat, responses, embeddings; free: the model list and one model's details. */
export const OPENAI_OPEN_ENDPOINTS: readonly OpenEndpoint[] = [
  { api: 'chat.completions', method: 'POST', tail: '/chat/completions' },
  { api: 'responses', method: 'POST', tail: '/responses' },
  { api: 'embeddings', method: 'POST', tail: '/embeddings' },
  { api: 'models', method: 'GET', tail: '/models' },
  { api: 'other', method: 'GET', tail: '/models/[^/:]+' },
];

const DEPLOYMENT = /\/deployments\/([^/]+)\/(chat\/completions|completions|embeddings|responses)$/;

export function matchOpenAiPath(bare: string): PathMatch | undefined {
  const deployment = bare.includes('/deployments/') ? DEPLOYMENT.exec(bare) : null;
  const urlModel = deployment ? decodeURIComponent(deployment[1] ?? '') : undefined;
  if (bare.endsWith('/chat/completions')) return { api: 'chat.completions', urlStream: false, urlModel };
  if (bare.endsWith('/responses')) return { api: 'responses', urlStream: false, urlModel };
  if (bare.endsWith('/embeddings')) return { api: 'embeddings', urlStream: false, urlModel };
  if (/\/models\/?$/.test(bare)) return { api: 'models', urlStream: false };
  return undefined;
}
