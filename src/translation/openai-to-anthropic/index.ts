/**
 * OpenAI chat.completions client → Anthropic messages upstream. The mapping tables are in
 * docs/translation.md; the dialects hold the rules, this module only pairs them.
 */
import { anthropicTarget } from '../dialects/anthropic-messages/index.js';
import { openaiChatClient } from '../dialects/openai-chat/index.js';
import { composeTranslator } from '../compose-translator.js';
import type { ShapeTranslator } from '../shape-translator.js';

export const openaiToAnthropic: ShapeTranslator = composeTranslator(openaiChatClient, anthropicTarget);
