/**
 * Turns OpenAI-style overlapping counters into disjoint usage kinds (spec.ts `Usage`).
 * OpenAI counts cached, cache-write, audio and image tokens inside the prompt total, and
 * reasoning and audio tokens inside the completion total (pricing_rules.md section 1).
 */
import { ProviderPayloadError } from '../spec.js';

export interface InputCounters {
  /** Every input token the provider counted (prompt_tokens / input_tokens). */
  total: number;
  /** Cache hits, all modalities. */
  cached: number;
  cacheWrite: number;
  /** Audio input, cached or not. */
  audio: number;
  /** Image input, cached or not. */
  image: number;
  /** Present only when the provider splits cached tokens by modality (Realtime cached_tokens_details). */
  cachedAudio?: number;
  cachedImage?: number;
}

export interface InputSplit {
  input_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  audio_input_tokens: number;
  audio_cache_read_tokens: number;
  image_input_tokens: number;
  /** Cached tokens moved to audio because text alone could not hold them (no modality split given). */
  inferred_cached_audio: number;
}

export function splitInput(c: InputCounters): InputSplit {
  let cachedAudio = c.cachedAudio ?? 0;
  const cachedImage = c.cachedImage ?? 0;
  if (cachedAudio > c.audio || cachedImage > c.image || cachedAudio + cachedImage > c.cached) {
    throw new ProviderPayloadError('usage: cached modality split exceeds its totals');
  }
  let input = c.total - c.cached - c.cacheWrite - (c.audio - cachedAudio) - (c.image - cachedImage);
  let inferred = 0;
  if (input < 0 && c.cachedAudio === undefined) {
    // Without a modality split the cache is taken as text; when that cannot add up, the
    // excess can only be cached audio (OpenAI caches audio prompts too), so move the minimum.
    inferred = Math.min(-input, c.audio - cachedAudio, c.cached - cachedAudio - cachedImage);
    cachedAudio += inferred;
    input += inferred;
  }
  if (input < 0) {
    throw new ProviderPayloadError(
      `usage: cached/cache-write/audio/image tokens exceed the input total (${c.total})`,
    );
  }
  return {
    input_tokens: input,
    cache_read_tokens: c.cached - cachedAudio,
    cache_write_tokens: c.cacheWrite,
    audio_input_tokens: c.audio - cachedAudio,
    audio_cache_read_tokens: cachedAudio,
    image_input_tokens: c.image - cachedImage,
    inferred_cached_audio: inferred,
  };
}

export interface OutputCounters {
  /** completion_tokens / output_tokens. */
  total: number;
  reasoning: number;
  audio: number;
  /** xAI: completion_tokens excludes reasoning_tokens, so reasoning is not subtracted. */
  reasoningOutside: boolean;
}

export interface OutputSplit {
  output_tokens: number;
  reasoning_tokens: number;
  audio_output_tokens: number;
}

export function splitOutput(c: OutputCounters): OutputSplit {
  const output = c.total - c.audio - (c.reasoningOutside ? 0 : c.reasoning);
  if (output < 0) {
    throw new ProviderPayloadError(`usage: reasoning/audio tokens exceed the output total (${c.total})`);
  }
  return { output_tokens: output, reasoning_tokens: c.reasoning, audio_output_tokens: c.audio };
}
