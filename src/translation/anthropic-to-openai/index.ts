/** Anthropic messages client → OpenAI chat.completions upstream (tables in docs/translation.md). */
import { anthropicClient } from '../dialects/anthropic-messages/index.js';
import { openaiChatTarget } from '../dialects/openai-chat/index.js';
import { composeTranslator } from '../compose-translator.js';
import type { ShapeTranslator } from '../shape-translator.js';

export const anthropicToOpenAI: ShapeTranslator = composeTranslator(anthropicClient, openaiChatTarget);
