import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyUsage, type ParseContext } from '../../src/providers/spec.js';
import { mistralUsageParser } from '../../src/providers/mistral/index.js';
import { fixtureBytes, fixtureJson } from '../helpers/fixtures.js';
import { assertMeterNeverThrows, runMeter } from './openai-test-kit.js';

const ctx: ParseContext = { api: 'chat.completions' };

test('cached prompt tokens: 224 of 268 read from cache', () => {
  const ex = mistralUsageParser.fromBody(fixtureJson('mistral_chat_nonstream_cached.json'), ctx);
  assert.deepEqual(ex?.usage, { ...emptyUsage(), input_tokens: 44, cache_read_tokens: 224, output_tokens: 5 });
  assert.equal(ex?.model, 'mistral-large-latest');
});

test('Magistral stream: thinking parts and text both accumulate; thinking billed inside output', () => {
  const out = runMeter(mistralUsageParser, ctx, [fixtureBytes('mistral_chat_stream_reasoning.sse')]);
  assert.deepEqual(out.extraction?.usage, { ...emptyUsage(), input_tokens: 10, output_tokens: 232 });
  assert.ok(out.output_text.startsWith('Okay, the user is'), out.output_text.slice(0, 40));
  assert.ok(out.output_text.endsWith('you can ensure a safe crossing.'));
});

test('content parts: text parts and string thinking are read too', () => {
  const s =
    'data: {"model":"magistral-small-latest","choices":[{"delta":{"content":[{"type":"thinking","thinking":"hmm "},{"type":"text","text":"ok"}]}}]}\n\n';
  const out = runMeter(mistralUsageParser, ctx, [new TextEncoder().encode(s)]);
  assert.equal(out.output_text, 'hmm ok');
});

test('property: mistral meter never throws', () => {
  assertMeterNeverThrows(mistralUsageParser, ctx, 80);
});
