/**
 * Every shape translator, registered at load. Import `translatorFor` from here (not from
 * shape-translator.ts) so the registry is filled before it is read.
 */
import { anthropicToGemini } from './anthropic-to-gemini/index.js';
import { anthropicToOpenAI } from './anthropic-to-openai/index.js';
import { geminiToAnthropic } from './gemini-to-anthropic/index.js';
import { geminiToOpenAI } from './gemini-to-openai/index.js';
import { openaiToAnthropic } from './openai-to-anthropic/index.js';
import { openaiToGemini } from './openai-to-gemini/index.js';
import { registerShapeTranslator } from './shape-translator.js';

for (const t of [openaiToAnthropic, openaiToGemini, anthropicToOpenAI, anthropicToGemini, geminiToOpenAI, geminiToAnthropic]) registerShapeTranslator(t);

export { translatorFor, ShapeTranslationError, refusalBody } from './shape-translator.js';
export type { ShapeTranslator, StreamTranslator, TranslatableApi, TranslatedRequest } from './shape-translator.js';
