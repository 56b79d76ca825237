/** Gemini generateContent client → Anthropic messages upstream (tables in docs/translation.md). */
import { anthropicTarget } from '../dialects/anthropic-messages/index.js';
import { geminiClient } from '../dialects/gemini/index.js';
import { composeTranslator } from '../compose-translator.js';
import type { ShapeTranslator } from '../shape-translator.js';

export const geminiToAnthropic: ShapeTranslator = composeTranslator(geminiClient, anthropicTarget);
