import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProviderPayloadError, emptyUsage, type ParseContext, type Usage } from '../../src/providers/spec.js';
import { ensureStreamUsage, openaiUsageParser } from '../../src/providers/openai/index.js';
import { fixtureBytes, fixtureJson } from '../helpers/fixtures.js';
import { assertBodyOnlyPayloadErrors, assertMeterNeverThrows, runMeter } from './openai-test-kit.js';

const ctx: ParseContext = { api: 'chat.completions' };
const enc = new TextEncoder();

function usage(part: Partial<Usage>): Usage {
  return { ...emptyUsage(), ...part };
}

test('audio input: prompt 64 = 20 text + 44 audio (audio has its own rate)', () => {
  const ex = openaiUsageParser.fromBody(fixtureJson('openai_chat_nonstream_audio_input.json'), ctx);
  assert.deepEqual(ex?.usage, usage({ input_tokens: 20, audio_input_tokens: 44, output_tokens: 9 }));
  assert.equal(ex?.service_tier, 'default');
  assert.equal(ex?.details, undefined);
});

test('reasoning 1792 is a subset of completion 2320', () => {
  const ex = openaiUsageParser.fromBody(fixtureJson('openai_chat_nonstream_reasoning.json'), ctx);
  assert.deepEqual(ex?.usage, usage({ input_tokens: 577, output_tokens: 528, reasoning_tokens: 1792 }));
});

test('cache write and cache read are both inside prompt_tokens', () => {
  const w = openaiUsageParser.fromBody(fixtureJson('openai_chat_nonstream_cache_write.json'), ctx);
  assert.deepEqual(w?.usage, usage({ input_tokens: 8, cache_write_tokens: 4012, output_tokens: 4 }));
  const r = openaiUsageParser.fromBody(fixtureJson('openai_chat_nonstream_cache_read.json'), ctx);
  assert.deepEqual(r?.usage, usage({ input_tokens: 8, cache_read_tokens: 4012, output_tokens: 4 }));
  assert.deepEqual(r?.raw, (fixtureJson('openai_chat_nonstream_cache_read.json') as { usage: unknown }).usage);
});

test('stream: usage only on the final choices:[] chunk; service tier and text kept', () => {
  const out = runMeter(openaiUsageParser, ctx, [fixtureBytes('openai_chat_stream_include_usage.sse')]);
  assert.equal(out.extraction?.service_tier, 'default');
  assert.equal(out.output_text, 'The capital of the UK is London.');
});

test('stream without include_usage: no usage chunk => extraction null, zeros never invented', () => {
  const text = new TextDecoder().decode(fixtureBytes('openai_chat_stream_include_usage.sse'));
  const withoutUsage = text
    .split('\n\n')
    .filter((e) => !e.includes('"choices":[]'))
    .join('\n\n');
  const out = runMeter(openaiUsageParser, ctx, [enc.encode(withoutUsage)]);
  assert.equal(out.extraction, null);
  assert.equal(out.model, 'gpt-4o-mini-2024-07-18');
  assert.equal(out.output_text, 'The capital of the UK is London.');
});

test('hang-up mid-stream: text so far, no extraction', () => {
  const bytes = fixtureBytes('openai_chat_stream_include_usage.sse');
  const out = runMeter(openaiUsageParser, ctx, [bytes.subarray(0, 1200)]);
  assert.equal(out.extraction, null);
  assert.ok(out.output_text.startsWith('The capital'));
});

test('prediction tokens stay in output and are reported in details', () => {
  const ex = openaiUsageParser.fromBody(
    {
      model: 'gpt-4o-2024-08-06',
      usage: {
        prompt_tokens: 100,
        completion_tokens: 50,
        completion_tokens_details: { accepted_prediction_tokens: 20, rejected_prediction_tokens: 7, reasoning_tokens: 0 },
      },
    },
    ctx,
  );
  assert.deepEqual(ex?.usage, usage({ input_tokens: 100, output_tokens: 50 }));
  assert.deepEqual(ex?.details, { accepted_prediction_tokens: 20, rejected_prediction_tokens: 7 });
});

test('search-preview model: no call counter, flagged; url citations are not calls', () => {
  const ex = openaiUsageParser.fromBody(
    {
      model: 'gpt-4o-mini-search-preview-2025-03-11',
      choices: [
        {
          message: {
            content: 'x',
            annotations: [
              { type: 'url_citation', url_citation: { url: 'https://a' } },
              { type: 'url_citation', url_citation: { url: 'https://b' } },
            ],
          },
        },
      ],
      usage: { prompt_tokens: 10, completion_tokens: 5 },
    },
    ctx,
  );
  assert.equal(ex?.usage.web_search_calls, 0);
  assert.deepEqual(ex?.details, { url_citations: 2, web_search_unreported: 1 });
});

test('audio output and image input are split out of the totals', () => {
  const ex = openaiUsageParser.fromBody(
    {
      usage: {
        prompt_tokens: 300,
        prompt_tokens_details: { cached_tokens: 100, audio_tokens: 50, image_tokens: 60 },
        completion_tokens: 120,
        completion_tokens_details: { audio_tokens: 100, reasoning_tokens: 0 },
      },
    },
    ctx,
  );
  assert.deepEqual(
    ex?.usage,
    usage({ input_tokens: 90, cache_read_tokens: 100, audio_input_tokens: 50, image_input_tokens: 60, output_tokens: 20, audio_output_tokens: 100 }),
  );
});

test('cached split by modality is used when present', () => {
  const ex = openaiUsageParser.fromBody(
    {
      usage: {
        prompt_tokens: 200,
        prompt_tokens_details: { cached_tokens: 120, audio_tokens: 80, cached_tokens_details: { audio_tokens: 64, text_tokens: 56 } },
        completion_tokens: 1,
      },
    },
    ctx,
  );
  assert.deepEqual(
    ex?.usage,
    usage({ input_tokens: 64, cache_read_tokens: 56, audio_input_tokens: 16, audio_cache_read_tokens: 64, output_tokens: 1 }),
  );
});

test('no modality split but cache larger than text: the minimum excess is cached audio', () => {
  const ex = openaiUsageParser.fromBody(
    { usage: { prompt_tokens: 100, prompt_tokens_details: { cached_tokens: 64, audio_tokens: 50 }, completion_tokens: 0 } },
    ctx,
  );
  assert.deepEqual(ex?.usage, usage({ cache_read_tokens: 50, audio_input_tokens: 36, audio_cache_read_tokens: 14 }));
  assert.deepEqual(ex?.details, { cached_audio_inferred: 14 });
});

test('inconsistent counters and malformed bodies throw ProviderPayloadError', () => {
  const bad = [
    'not an object',
    [1, 2],
    { usage: 'x' },
    { usage: { prompt_tokens: 10, prompt_tokens_details: { cached_tokens: 11 } } },
    { usage: { prompt_tokens: -1 } },
    { usage: { prompt_tokens: 1.5 } },
    { usage: { completion_tokens: 5, completion_tokens_details: { reasoning_tokens: 9 } } },
  ];
  for (const b of bad) assert.throws(() => openaiUsageParser.fromBody(b, ctx), ProviderPayloadError);
});

test('an error body carries no usage: null', () => {
  assert.equal(openaiUsageParser.fromBody({ error: { message: 'rate limited', type: 'requests' } }, ctx), null);
  assert.equal(openaiUsageParser.fromBody({ id: 'x', usage: null }, ctx), null);
});

test('a malformed usage chunk does not replace an earlier valid one in a stream', () => {
  const s =
    'data: {"model":"m","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":2}}\n\n' +
    'data: {"model":"m","choices":[],"usage":{"prompt_tokens":"five"}}\n\n' +
    'data: not json\n\ndata: [DONE]\n\n';
  const m = openaiUsageParser.createStreamMeter(ctx);
  m.push(enc.encode(s));
  const out = m.end();
  assert.deepEqual(out.extraction?.usage, usage({ input_tokens: 5, output_tokens: 2 }));
  assert.equal((m as unknown as { ignoredEvents: number }).ignoredEvents, 2);
});

test('stream accumulates tool-call arguments and refusals as generated text', () => {
  const s =
    'data: {"model":"gpt-4o","choices":[{"delta":{"tool_calls":[{"index":0,"function":{"name":"f","arguments":"{\\"a\\""}}]}}]}\n\n' +
    'data: {"model":"gpt-4o","choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":":1}"}}]}}]}\n\n' +
    'data: {"model":"gpt-4o","choices":[{"delta":{"refusal":"no"}}]}\n\n';
  const out = runMeter(openaiUsageParser, ctx, [enc.encode(s)]);
  assert.equal(out.output_text, '{"a":1}no');
  assert.equal(out.extraction, null);
});

test('ensureStreamUsage turns include_usage on for streaming requests only', () => {
  const a: Record<string, unknown> = { model: 'gpt-4o', stream: true };
  assert.equal(ensureStreamUsage(a), true);
  assert.deepEqual(a.stream_options, { include_usage: true });
  assert.equal(ensureStreamUsage(a), false, 'second call: already set');

  const b: Record<string, unknown> = { stream: true, stream_options: { include_usage: true } };
  assert.equal(ensureStreamUsage(b), false);

  const c: Record<string, unknown> = { stream: true, stream_options: { include_obfuscation: false } };
  assert.equal(ensureStreamUsage(c), true);
  assert.deepEqual(c.stream_options, { include_obfuscation: false, include_usage: true });

  const d: Record<string, unknown> = { stream: true, stream_options: { include_usage: false } };
  assert.equal(ensureStreamUsage(d), true, 'client opted out: the gateway still needs usage and strips it');

  const e: Record<string, unknown> = { stream: false };
  assert.equal(ensureStreamUsage(e), false);
  assert.equal(e.stream_options, undefined);
});

test('property: chat stream meter never throws on random bytes or garbage events', () => {
  assertMeterNeverThrows(openaiUsageParser, ctx);
});

test('property: chat fromBody throws only ProviderPayloadError', () => {
  assertBodyOnlyPayloadErrors(openaiUsageParser, ctx);
});
