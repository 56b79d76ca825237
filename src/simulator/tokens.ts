/**
 * Deterministic token accounting for the simulated provider.
 *
 * Rule (tests rely on it): the prompt token count is the sum, over every text string of the
 * request, of `encode(text).length` with gpt-tokenizer's default encoding (o200k_base). Strings
 * are counted one by one (never joined) so no separator tokens appear; roles, images, tools and
 * message framing count zero. Which strings are "text" is listed per API in `texts.ts`.
 *
 * Output is a fixed lorem sequence, started at an offset derived from the prompt token count so
 * different prompts give different (but repeatable) text. Its token count is the tokenizer count
 * of the generated text, so a client can check it by re-encoding what it received.
 */
import { createRequire } from 'node:module';

/**
 * gpt-tokenizer is loaded on first use, not at import: its tables cost ~65 MB of RSS, and every
 * `costrail` process imports this module through the demo command (issue 15: `costrail serve`
 * idled at ~190 MB, a third of it this). Synchronous because the simulator's accounting is; the
 * CommonJS build, since `import()` cannot be awaited here.
 */
let encoder: ((text: string) => number[]) | undefined;
function encode(text: string): number[] {
  encoder ??= (createRequire(import.meta.url)('gpt-tokenizer') as { encode: (text: string) => number[] }).encode;
  return encoder(text);
}

export function countPromptTokens(texts: string[]): number {
  let n = 0;
  for (const t of texts) if (t.length > 0) n += encode(t).length;
  return n;
}

const LOREM = (
  'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et ' +
  'dolore magna aliqua ut enim ad minim veniam quis nostrud exercitation ullamco laboris nisi ut aliquip ' +
  'ex ea commodo consequat duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore ' +
  'eu fugiat nulla pariatur excepteur sint occaecat cupidatat non proident sunt in culpa qui officia ' +
  'deserunt mollit anim id est laborum'
).split(' ');

/** One generated completion, pre-split into stream pieces with cumulative token counts. */
export interface GeneratedOutput {
  text: string;
  tokens: number;
  /** The text in stream order; concatenated they equal `text`. Never empty strings. */
  pieces: string[];
  /** cumulative[i] = tokenizer count of pieces[0..i] joined (Gemini reports running totals). */
  cumulative: number[];
}

/** Outputs are a pure function of (offset, tokens, chunks); cached so a benchmark does no tokenizing. */
const cache = new Map<string, GeneratedOutput>();
const CACHE_MAX = 512;

/**
 * Text of exactly `targetTokens` tokens (capped at 16384); the reported count is always the
 * tokenizer's count of the returned text, so clients can verify it by re-encoding.
 */
export function generateOutput(promptTokens: number, targetTokens: number, chunks: number): GeneratedOutput {
  const offset = promptTokens % LOREM.length;
  const target = Math.max(1, Math.min(targetTokens, 16_384));
  const nChunks = Math.max(1, chunks);
  const key = `${offset}:${target}:${nChunks}`;
  const hit = cache.get(key);
  if (hit) return hit;

  const words: string[] = [];
  let tokens = 0;
  for (let i = 0; tokens < target; i++) {
    const w = LOREM[(offset + i) % LOREM.length] ?? 'lorem';
    // First word capitalised without a leading space, the rest space-prefixed: o200k splits
    // before each space-word, so the word counts add up to the count of the joined text.
    let piece = i === 0 ? w[0]!.toUpperCase() + w.slice(1) : ' ' + w;
    let cost = encode(piece).length;
    // A multi-token word that would overshoot is swapped for a one-token filler, so the
    // output lands exactly on the target.
    if (tokens + cost > target && i > 0) {
      piece = ' et';
      cost = 1;
    }
    words.push(piece);
    tokens += cost;
  }
  const text = words.join('');

  // Spread words evenly over the requested number of pieces (fewer when there are fewer words).
  const pieceCount = Math.min(nChunks, words.length);
  const pieces: string[] = [];
  const cumulative: number[] = [];
  let start = 0;
  for (let p = 0; p < pieceCount; p++) {
    const end = Math.round(((p + 1) * words.length) / pieceCount);
    pieces.push(words.slice(start, end).join(''));
    cumulative.push(encode(words.slice(0, end).join('')).length);
    start = end;
  }
  const out: GeneratedOutput = { text, tokens: encode(text).length, pieces, cumulative };
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(key, out);
  return out;
}
