/**
 * The shortest prompt prefix each provider will cache, by model. Below it a cache_control marker
 * (Anthropic) is ignored and automatic caching (OpenAI, Gemini 2.5+) never starts, so a prefix
 * under the minimum can save nothing. Sources: Anthropic's prompt-caching page, OpenAI's prompt
 * caching guide, Gemini's context-caching page (implicit caching), as listed in docs/advisor.md.
 */

/** Anthropic, by model name (first match wins); the rest of Claude caches from 1,024 tokens. */
const ANTHROPIC: readonly [RegExp, number][] = [
  [/opus-4-[5-9]|opus-4\.[5-9]/, 4096],
  [/haiku-4/, 4096],
  // Documented as 1,024 but observed (and listed by gateways) as 2,048: the conservative figure.
  [/sonnet-4-[6-9]|sonnet-4\.[6-9]/, 2048],
  [/haiku-3|3-5-haiku|3-haiku/, 2048],
];

/** Gemini implicit caching: 2.5 models from 2,048 tokens, 3.x and later (and anything unknown) from 4,096. */
const GEMINI: readonly [RegExp, number][] = [[/gemini-2\.5/, 2048]];

const CLAUDE = { table: ANTHROPIC, otherwise: 1024 };
const GEMINI_FAMILY = { table: GEMINI, otherwise: 4096 };
/** OpenAI (and Azure OpenAI) cache identical prefixes of 1,024 tokens and more, automatically. */
const DEFAULT = { table: [] as readonly [RegExp, number][], otherwise: 1024 };

/**
 * The provider's minimum cacheable prefix for the model. Claude and Gemini models keep their
 * vendor's minimums on any cloud (Bedrock, Vertex); anything else uses 1,024, the lowest any
 * provider documents (so an unknown model is never ruled out by a guess).
 */
export function minCacheablePrefixTokens(provider: string, model: string): number {
  const family = provider === 'anthropic' || model.includes('claude') ? CLAUDE : provider === 'gemini' || model.includes('gemini') ? GEMINI_FAMILY : DEFAULT;
  for (const [re, n] of family.table) if (re.test(model)) return n;
  return family.otherwise;
}
