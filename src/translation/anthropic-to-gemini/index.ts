/** Anthropic messages client → Gemini generateContent upstream (tables in docs/translation.md). */
import { anthropicClient } from '../dialects/anthropic-messages/index.js';
import { geminiTarget } from '../dialects/gemini/index.js';
import { composeTranslator } from '../compose-translator.js';
import type { ShapeTranslator } from '../shape-translator.js';

export const anthropicToGemini: ShapeTranslator = composeTranslator(anthropicClient, geminiTarget);
