/**
 * The reservation for a call before it is forwarded: the most it can cost. Input tokens are bounded
 * by the request body's byte length (every token of a byte-level BPE or SentencePiece tokenizer
 * covers at least one byte of the text, and the JSON around the text outweighs the few template
 * tokens per message); `refine` counts them with gpt-tokenizer instead, used only when the cheap
 * bound would be refused. Output tokens are the request's own limit (`max_tokens`,
 * `max_completion_tokens`, `max_output_tokens`, Gemini `maxOutputTokens`, Bedrock `maxTokens`),
 * else the model's output limit from the price book, else DEFAULT_OUTPUT_TOKENS. Each side is
 * priced at the dearest rate it could be billed at (cache writes, long-context tiers, reasoning).
 */
import { Decimal } from '../pricing/decimal.js';
import type { PriceBookSource } from '../pricing/current-price-book.js';
import type { PriceBook } from '../pricing/price-book.js';
import type { RateKey, Rates } from '../pricing/catalog-schema.js';
import { promptText } from '../gateway/usage-estimate.js';
import { adapterFor, isProviderId } from '../providers/registry.js';
import { picoPerToken } from './money-units.js';

export const DEFAULT_OUTPUT_TOKENS = 8192;

export interface WorstCase {
  inputTokens: number;
  outputTokens: number;
  /** Pico-dollars; null when the model has no price (the caller reserves the ceiling). */
  usdPico: bigint | null;
}

interface DearestRates {
  input: bigint;
  output: bigint;
  maxOutput: number | undefined;
}

const INPUT_KINDS: RateKey[] = ['input', 'cache_write', 'cache_write_1h', 'audio_input', 'image_input'];
const OUTPUT_KINDS: RateKey[] = ['output', 'reasoning', 'audio_output'];

function dearest(rates: Rates[], kinds: RateKey[]): bigint {
  let best = 0n;
  for (const r of rates)
    for (const k of kinds) {
      const v = r[k];
      if (v !== undefined) {
        const p = picoPerToken(Decimal.parse(v));
        if (p > best) best = p;
      }
    }
  return best;
}

export class WorstCaseEstimator {
  /** Per provider+model, refreshed hourly (prices are effective-dated). */
  private readonly rates = new Map<string, { at: number; rates: DearestRates | null }>();
  private encode: ((text: string) => number[]) | undefined;

  /** The book the cached rates came from: a reload (new override) empties the cache. */
  private ratesBook: PriceBook | undefined;

  constructor(private readonly book: PriceBookSource) {}

  private ratesFor(provider: string, model: string, now: number): DearestRates | null {
    const book = this.book.current();
    if (book !== this.ratesBook) {
      this.rates.clear();
      this.ratesBook = book;
    }
    const key = provider + '\u0000' + model;
    const hit = this.rates.get(key);
    if (hit && now - hit.at < 3_600_000) return hit.rates;
    const r = book.resolve(provider, model, new Date(now));
    let rates: DearestRates | null = null;
    if ('entry' in r) {
      // Worst case includes long-context tiers and peak-hour windows (DeepSeek peak is twice off-peak).
      const all = [r.period.rates, ...(r.period.tiers ?? []).map((t) => t.rates), ...(r.period.rate_windows ?? []).flatMap((w) => (w.rates ? [w.rates] : []))];
      rates = { input: dearest(all, INPUT_KINDS), output: dearest(all, OUTPUT_KINDS), maxOutput: r.entry.max_output_tokens };
    }
    if (this.rates.size > 10_000) this.rates.clear(); // junk model names must not grow this forever
    this.rates.set(key, { at: now, rates });
    return rates;
  }

  estimate(provider: string, model: string | null, body: Record<string, unknown> | undefined, bodyBytes: number, now: number, inputTokens?: number): WorstCase {
    const rates = model ? this.ratesFor(provider, model, now) : null;
    const input = inputTokens ?? bodyBytes;
    const output = requestedOutputLimit(body) ?? rates?.maxOutput ?? DEFAULT_OUTPUT_TOKENS;
    const usdPico = rates ? BigInt(input) * rates.input + BigInt(output) * rates.output : null;
    return { inputTokens: input, outputTokens: output, usdPico };
  }

  /**
   * A tighter input bound: gpt-tokenizer's count (exact for OpenAI's current models), with 25%
   * headroom for other vendors' tokenizers and 8 tokens per message of template.
   */
  async refineInputTokens(provider: string, body: Record<string, unknown> | undefined, bodyBytes: number): Promise<number> {
    if (!this.encode) this.encode = (await import('gpt-tokenizer')).encode as (text: string) => number[];
    const text = promptText(body);
    const messages = Array.isArray(body?.['messages']) ? (body['messages'] as unknown[]).length : Array.isArray(body?.['contents']) ? (body['contents'] as unknown[]).length : 1;
    const counted = this.encode(text).length;
    const exact = isProviderId(provider) && adapterFor(provider).gptTokenizerExact === true;
    const bound = Math.ceil(counted * (exact ? 1 : 1.25)) + 8 * messages + 8;
    return Math.min(bound, bodyBytes);
  }
}

export function requestedOutputLimit(body: Record<string, unknown> | undefined): number | undefined {
  if (!body) return undefined;
  for (const k of ['max_completion_tokens', 'max_output_tokens', 'max_tokens']) {
    const v = body[k];
    if (typeof v === 'number' && v > 0) return Math.ceil(v);
  }
  const gen = body['generationConfig'];
  if (gen && typeof gen === 'object') {
    const v = (gen as Record<string, unknown>)['maxOutputTokens'];
    if (typeof v === 'number' && v > 0) return Math.ceil(v);
  }
  const inf = body['inferenceConfig'];
  if (inf && typeof inf === 'object') {
    const v = (inf as Record<string, unknown>)['maxTokens'];
    if (typeof v === 'number' && v > 0) return Math.ceil(v);
  }
  return undefined;
}
