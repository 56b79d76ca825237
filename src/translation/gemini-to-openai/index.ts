/** Gemini generateContent client → OpenAI chat.completions upstream (tables in docs/translation.md). */
import { geminiClient } from '../dialects/gemini/index.js';
import { openaiChatTarget } from '../dialects/openai-chat/index.js';
import { composeTranslator } from '../compose-translator.js';
import type { ShapeTranslator } from '../shape-translator.js';

export const geminiToOpenAI: ShapeTranslator = composeTranslator(geminiClient, openaiChatTarget);
