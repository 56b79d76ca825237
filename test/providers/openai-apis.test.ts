/** Embeddings, Batch objects, Realtime events and the lenient JSON reader. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { ProviderPayloadError, emptyUsage } from '../../src/providers/spec.js';
import {
  batchUsageFromObject,
  embeddingsUsageFromBody,
  openaiUsageParser,
  parseLenientJson,
  realtimeUsageFromEvent,
  stripTrailingCommas,
} from '../../src/providers/openai/index.js';
import { fixtureJson, fixturePath } from '../helpers/fixtures.js';
import { assertBodyOnlyPayloadErrors } from './openai-test-kit.js';

test('embeddings: prompt_tokens is the whole bill', () => {
  const ex = embeddingsUsageFromBody(fixtureJson('openai_embeddings_basic.json'));
  assert.deepEqual(ex?.usage, { ...emptyUsage(), input_tokens: 2 });
  assert.equal(ex?.model, 'text-embedding-3-small');
  assert.equal(ex?.api, 'embeddings');
  assert.equal(embeddingsUsageFromBody({ error: { message: 'x' } }), null);
});

test('batch doc example: trailing comma tolerated, Batch tier, cached and reasoning split', () => {
  const text = readFileSync(fixturePath('openai_batch_object_usage_docexample.json'), 'utf8');
  assert.throws(() => JSON.parse(text), SyntaxError, 'the doc example really is not strict JSON');
  const ex = batchUsageFromObject(parseLenientJson(text));
  assert.deepEqual(ex?.usage, { ...emptyUsage(), input_tokens: 476, cache_read_tokens: 1024, output_tokens: 200, reasoning_tokens: 300 });
  assert.equal(ex?.service_tier, 'batch');
  assert.equal(ex?.api, 'batch');
  assert.equal(ex?.model, 'gpt-5-2025-08-07');
  assert.deepEqual(batchUsageFromObject(text), ex, 'text is parsed leniently too');
  assert.equal(batchUsageFromObject({ object: 'batch', status: 'in_progress', usage: null }), null);
});

test('parseLenientJson strips only commas before a closing bracket, outside strings', () => {
  assert.deepEqual(parseLenientJson('{"a": [1, 2, ], "b": {"c": ",}",\n\t} ,}'), { a: [1, 2], b: { c: ',}' } });
  assert.deepEqual(parseLenientJson('{"q": "say \\",]\\" ok",}'), { q: 'say ",]" ok' });
  assert.equal(stripTrailingCommas('[1,2]'), '[1,2]');
  assert.throws(() => parseLenientJson('{"a":,}'), ProviderPayloadError);
  assert.throws(() => parseLenientJson('{"a":1'), ProviderPayloadError);
});

test('property: lenient JSON of any strict JSON (with trailing commas added) parses to the same value', () => {
  fc.assert(
    fc.property(fc.jsonValue(), (v) => {
      const strict = JSON.stringify(v, null, 1);
      assert.deepEqual(parseLenientJson(strict), JSON.parse(strict));
      const sloppy = strict.replace(/\n(\s*)([}\]])/g, ',\n$1$2');
      assert.deepEqual(parseLenientJson(sloppy), JSON.parse(strict));
    }),
  );
});

test('property: parseLenientJson throws only ProviderPayloadError', () => {
  fc.assert(
    fc.property(fc.string(), (s) => {
      try {
        parseLenientJson(s);
      } catch (e) {
        assert.ok(e instanceof ProviderPayloadError);
      }
    }),
  );
});

test('realtime response.done: every modality apart, cached text 64 of 119 text tokens', () => {
  const ex = realtimeUsageFromEvent(fixtureJson('openai_realtime_response_done_audio_docexample.json'));
  assert.deepEqual(ex?.usage, {
    ...emptyUsage(),
    input_tokens: 55,
    cache_read_tokens: 64,
    audio_input_tokens: 13,
    output_tokens: 30,
    audio_output_tokens: 91,
  });
  assert.equal(ex?.api, 'realtime');
  assert.equal(ex?.model, undefined, 'the event names no model');
});

test('realtime: cached audio goes to audio_cache_read_tokens, cached image stays a cache read', () => {
  const ex = realtimeUsageFromEvent({
    type: 'response.done',
    response: {
      usage: {
        input_tokens: 1000,
        output_tokens: 50,
        input_token_details: {
          text_tokens: 300,
          audio_tokens: 600,
          image_tokens: 100,
          cached_tokens: 700,
          cached_tokens_details: { text_tokens: 200, audio_tokens: 448, image_tokens: 52 },
        },
        output_token_details: { text_tokens: 10, audio_tokens: 40 },
      },
    },
  });
  assert.deepEqual(ex?.usage, {
    ...emptyUsage(),
    input_tokens: 100,
    cache_read_tokens: 252,
    audio_input_tokens: 152,
    audio_cache_read_tokens: 448,
    image_input_tokens: 48,
    output_tokens: 10,
    audio_output_tokens: 40,
  });
  assert.equal(realtimeUsageFromEvent({ type: 'response.done', response: { status: 'cancelled', usage: null } }), null);
});

test('openai parser dispatches on ctx.api, and on the body shape for other apis', () => {
  const batch = fixtureJson('openai_embeddings_basic.json');
  assert.equal(openaiUsageParser.fromBody(batch, { api: 'embeddings' })?.api, 'embeddings');
  assert.equal(openaiUsageParser.fromBody(batch, { api: 'messages' })?.api, 'embeddings');
  const rt = fixtureJson('openai_realtime_response_done_audio_docexample.json');
  assert.equal(openaiUsageParser.fromBody(rt, { api: 'chat' })?.api, 'realtime');
  const resp = fixtureJson('openai_responses_nonstream_cached_reasoning.json');
  assert.equal(openaiUsageParser.fromBody(resp, { api: 'invoke' })?.api, 'responses');
});

for (const api of ['embeddings', 'batch', 'realtime'] as const) {
  test(`property: ${api} fromBody throws only ProviderPayloadError`, () => {
    assertBodyOnlyPayloadErrors(openaiUsageParser, { api });
  });
}
