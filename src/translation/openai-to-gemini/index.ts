/** OpenAI chat.completions client → Gemini generateContent upstream (tables in docs/translation.md). */
import { geminiTarget } from '../dialects/gemini/index.js';
import { openaiChatClient } from '../dialects/openai-chat/index.js';
import { composeTranslator } from '../compose-translator.js';
import type { ShapeTranslator } from '../shape-translator.js';

export const openaiToGemini: ShapeTranslator = composeTranslator(openaiChatClient, geminiTarget);
