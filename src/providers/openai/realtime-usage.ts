/**
 * Usage of a Realtime `response.done` server event (WebSocket). Realtime splits input by
 * modality and cached input by modality too, under singular `input_token_details` /
 * `output_token_details` (pricing_rules.md section 1); each modality has its own rates.
 */
import { USAGE_VERSION, ProviderPayloadError, asRecord, count, str, type UsageExtraction } from '../spec.js';
import { splitInput, splitOutput } from '../openai-compatible/usage-split.js';

/** Accepts the response.done event or its `response` object; null when it has no usage. */
export function realtimeUsageFromEvent(event: unknown): UsageExtraction | null {
  const rec = asRecord(event);
  if (!rec) throw new ProviderPayloadError('realtime event is not a JSON object');
  const response = rec.usage === undefined ? (asRecord(rec.response) ?? rec) : rec;
  const u = response.usage;
  if (u === undefined || u === null) return null;
  const usage = asRecord(u);
  if (!usage) throw new ProviderPayloadError('realtime "usage" is not an object');
  const inD = asRecord(usage.input_token_details);
  const outD = asRecord(usage.output_token_details);
  const cachedD = asRecord(inD?.cached_tokens_details);
  const audioIn = count(inD, 'audio_tokens');
  const imageIn = count(inD, 'image_tokens');
  // input_tokens is the authoritative total; summing the modalities covers an event without it.
  const totalIn =
    usage.input_tokens === undefined ? count(inD, 'text_tokens') + audioIn + imageIn : count(usage, 'input_tokens');
  const input = splitInput({
    total: totalIn,
    cached: count(inD, 'cached_tokens'),
    cacheWrite: 0,
    audio: audioIn,
    image: imageIn,
    cachedAudio: cachedD ? count(cachedD, 'audio_tokens') : undefined,
    cachedImage: cachedD ? count(cachedD, 'image_tokens') : undefined,
  });
  const audioOut = count(outD, 'audio_tokens');
  const totalOut =
    usage.output_tokens === undefined ? count(outD, 'text_tokens') + audioOut : count(usage, 'output_tokens');
  const output = splitOutput({ total: totalOut, reasoning: 0, audio: audioOut, reasoningOutside: false });
  const extraction: UsageExtraction = {
    usage_version: USAGE_VERSION,
    usage: {
      input_tokens: input.input_tokens,
      cache_read_tokens: input.cache_read_tokens,
      cache_write_tokens: 0,
      cache_write_1h_tokens: 0,
      output_tokens: output.output_tokens,
      reasoning_tokens: 0,
      audio_input_tokens: input.audio_input_tokens,
      audio_cache_read_tokens: input.audio_cache_read_tokens,
      audio_output_tokens: output.audio_output_tokens,
      image_input_tokens: input.image_input_tokens,
      web_search_calls: 0,
    },
    raw: usage,
    api: 'realtime',
  };
  if (input.inferred_cached_audio > 0) extraction.details = { cached_audio_inferred: input.inferred_cached_audio };
  const model = str(response, 'model');
  if (model) extraction.model = model;
  return extraction;
}
