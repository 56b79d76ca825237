/**
 * Vertex AI `generateContent` / `streamGenerateContent` (publishers/google models) returns the
 * Gemini response shapes, adding `usageMetadata.trafficType`; the Gemini reader handles both.
 */
import type { ProviderUsageParser } from '../spec.js';
import { createGeminiUsageParser } from '../gemini/index.js';

export { modelFromGeminiPath as modelFromVertexPath } from '../gemini/index.js';

export const vertexUsageParser: ProviderUsageParser = createGeminiUsageParser('vertex');
