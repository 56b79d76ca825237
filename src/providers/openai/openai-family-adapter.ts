/**
 * What OpenAI and Azure OpenAI (same shapes) add to the OpenAI-compatible base: Responses,
 * Embeddings, Batch and Realtime bodies told apart by shape, Responses streams by their
 * `response.*` events, and OpenAI's documented trailing commas accepted.
 */
import type { OpenAiCompatibleOptions } from '../openai-compatible/openai-compatible-adapter.js';
import type { ApiKind } from '../spec.js';
import { parseLenientJson } from './lenient-json.js';

export function openAiFamilyBodyApi(rec: Record<string, unknown> | undefined): ApiKind | undefined {
  const object = rec?.['object'];
  if (object === 'response') return 'responses';
  if (object === 'list') return 'embeddings';
  if (object === 'batch') return 'batch';
  if (rec?.['type'] === 'response.done') return 'realtime';
  return undefined;
}

/** Responses streams name their events `response.*`. */
export function openAiFamilyStreamApi(head: string): ApiKind | undefined {
  return /(^event: ?response\.)|("type": ?"response\.)/m.test(head) ? 'responses' : undefined;
}

export const OPENAI_FAMILY_READING: OpenAiCompatibleOptions = {
  bodyApi: openAiFamilyBodyApi,
  streamApi: openAiFamilyStreamApi,
  // OpenAI's own documentation examples carry trailing commas; accept those, nothing looser.
  parseLenientJson,
  gptTokenizerExact: true,
};
