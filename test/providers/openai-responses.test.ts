import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProviderPayloadError, emptyUsage, type ParseContext } from '../../src/providers/spec.js';
import { openaiUsageParser, responsesUsageFromBody } from '../../src/providers/openai/index.js';
import { fixtureBytes, fixtureJson } from '../helpers/fixtures.js';
import { assertBodyOnlyPayloadErrors, assertMeterNeverThrows, runMeter } from './openai-test-kit.js';

const ctx: ParseContext = { api: 'responses' };
const enc = new TextEncoder();

test('web search: only action=search items are billed calls; other actions go to details', () => {
  const ex = openaiUsageParser.fromBody(fixtureJson('openai_responses_nonstream_web_search.json'), ctx);
  assert.deepEqual(ex?.usage, {
    ...emptyUsage(),
    input_tokens: 15969,
    cache_read_tokens: 3712,
    output_tokens: 637,
    reasoning_tokens: 3136,
    web_search_calls: 1,
  });
  assert.deepEqual(ex?.details, { web_search_open_page: 1, web_search_find_in_page: 1 });
  assert.equal(ex?.service_tier, 'default');
});

test('cached + reasoning body: raw usage kept verbatim', () => {
  const body = fixtureJson('openai_responses_nonstream_cached_reasoning.json') as { usage: unknown };
  const ex = openaiUsageParser.fromBody(body, ctx);
  assert.deepEqual(ex?.raw, body.usage);
  assert.equal(ex?.details, undefined);
});

test('flex stream: service tier from the response, reasoning split, function-call args as text', () => {
  const out = runMeter(openaiUsageParser, ctx, [fixtureBytes('openai_responses_stream_flex_reasoning.sse')]);
  assert.equal(out.extraction?.service_tier, 'flex');
  assert.equal(out.extraction?.usage.output_tokens, 21);
  assert.equal(out.extraction?.usage.reasoning_tokens, 448);
  assert.ok(out.output_text.includes('result'), out.output_text);
});

test('web search stream: one search call, text deltas accumulated', () => {
  const out = runMeter(openaiUsageParser, ctx, [fixtureBytes('openai_responses_stream_web_search.sse')]);
  assert.equal(out.extraction?.usage.web_search_calls, 1);
  assert.equal(out.extraction?.details, undefined);
  assert.ok(out.output_text.startsWith('San Francisco weather today'), out.output_text.slice(0, 60));
});

test('web search stream: counts streamed items when the terminal response lists no output', () => {
  const s =
    'event: response.output_item.done\ndata: {"type":"response.output_item.done","item":{"type":"web_search_call","action":{"type":"search"}}}\n\n' +
    'event: response.output_item.done\ndata: {"type":"response.output_item.done","item":{"type":"web_search_call","action":{"type":"open_page"}}}\n\n' +
    'event: response.output_item.done\ndata: {"type":"response.output_item.done","item":{"type":"web_search_call"}}\n\n' +
    'event: response.completed\ndata: {"type":"response.completed","response":{"model":"gpt-5","output":[],"usage":{"input_tokens":10,"output_tokens":3}}}\n\n';
  const out = runMeter(openaiUsageParser, ctx, [enc.encode(s)]);
  assert.equal(out.extraction?.usage.web_search_calls, 2);
  assert.deepEqual(out.extraction?.details, { web_search_open_page: 1 });
});

for (const terminal of ['response.incomplete', 'response.failed']) {
  test(`${terminal} carries usage too`, () => {
    const s =
      `event: response.created\ndata: {"type":"response.created","response":{"model":"gpt-5-2025-08-07","service_tier":"auto","usage":null}}\n\n` +
      `event: response.output_text.delta\ndata: {"type":"response.output_text.delta","delta":"Hel"}\n\n` +
      `event: ${terminal}\ndata: {"type":"${terminal}","response":{"model":"gpt-5-2025-08-07","service_tier":"default","usage":{"input_tokens":30,"input_tokens_details":{"cached_tokens":0,"cache_write_tokens":10},"output_tokens":16,"output_tokens_details":{"reasoning_tokens":12}}}}\n\n`;
    const out = runMeter(openaiUsageParser, ctx, [enc.encode(s)]);
    assert.deepEqual(out.extraction?.usage, {
      ...emptyUsage(),
      input_tokens: 20,
      cache_write_tokens: 10,
      output_tokens: 4,
      reasoning_tokens: 12,
    });
    assert.equal(out.extraction?.service_tier, 'default');
    assert.equal(out.output_text, 'Hel');
  });
}

test('a failed response with usage null, or a hang-up before completion: extraction null', () => {
  const failed =
    'event: response.created\ndata: {"type":"response.created","response":{"model":"gpt-5","usage":null}}\n\n' +
    'event: response.failed\ndata: {"type":"response.failed","response":{"model":"gpt-5","usage":null}}\n\n';
  const out = runMeter(openaiUsageParser, ctx, [enc.encode(failed)]);
  assert.equal(out.extraction, null);
  assert.equal(out.model, 'gpt-5');
  const bytes = fixtureBytes('openai_responses_stream_web_search.sse');
  const cut = runMeter(openaiUsageParser, ctx, [bytes.subarray(0, Math.floor(bytes.length * 0.7))]);
  assert.equal(cut.extraction, null);
  assert.equal(cut.model, 'gpt-5-2025-08-07');
});

test('streams without event: names are read from data.type', () => {
  const s =
    'data: {"type":"response.output_text.delta","delta":"hi"}\n\n' +
    'data: {"type":"response.completed","response":{"model":"m","usage":{"input_tokens":1,"output_tokens":1}}}\n\n';
  const out = runMeter(openaiUsageParser, ctx, [enc.encode(s)]);
  assert.equal(out.output_text, 'hi');
  assert.equal(out.extraction?.usage.output_tokens, 1);
});

test('body: a response.completed event wrapper is accepted; missing usage is null; bad usage throws', () => {
  const ex = responsesUsageFromBody({ type: 'response.completed', response: { object: 'response', usage: { input_tokens: 3, output_tokens: 2 } } });
  assert.equal(ex?.usage.input_tokens, 3);
  assert.equal(responsesUsageFromBody({ object: 'response', status: 'in_progress', usage: null }), null);
  assert.throws(() => responsesUsageFromBody({ object: 'response', usage: { input_tokens: 1, input_tokens_details: { cached_tokens: 2 } } }), ProviderPayloadError);
  assert.throws(() => responsesUsageFromBody(42), ProviderPayloadError);
});

test('property: responses stream meter never throws on random bytes or garbage events', () => {
  assertMeterNeverThrows(openaiUsageParser, ctx);
});

test('property: responses fromBody throws only ProviderPayloadError', () => {
  assertBodyOnlyPayloadErrors(openaiUsageParser, ctx);
});
