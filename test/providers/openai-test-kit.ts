/**
 * Shared helpers for the OpenAI-family parser tests (not a test file itself).
 * `expectedUsage` derives the disjoint Usage from a fixture meta's hand-worked expected_usage by
 * the provider rules, independently of the parser code.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  ProviderPayloadError,
  emptyUsage,
  type ParseContext,
  type ProviderUsageParser,
  type StreamOutcome,
  type Usage,
} from '../../src/providers/spec.js';
import { fixtureBytes, splitAt, type FixtureMeta } from '../helpers/fixtures.js';

function num(e: Record<string, unknown>, key: string): number {
  const v = e[key];
  return typeof v === 'number' ? v : 0; // null ("not reported") and absent mean none of that kind
}

/**
 * Rules: OpenAI-style totals include cache reads, cache writes and audio (input) and reasoning
 * and audio (output); xAI metas give output_tokens_billed = completion + reasoning; Realtime
 * metas split every modality; Responses web search counts only action=search items.
 */
export function expectedUsage(meta: FixtureMeta): Usage {
  const e = meta.expected_usage;
  const u = emptyUsage();
  if ('input_text_tokens' in e) {
    const cachedAudio = num(e, 'cached_audio_tokens');
    u.input_tokens = num(e, 'input_text_tokens') - num(e, 'cached_text_tokens');
    u.cache_read_tokens = num(e, 'cached_text_tokens');
    u.audio_input_tokens = num(e, 'input_audio_tokens') - cachedAudio;
    u.audio_cache_read_tokens = cachedAudio;
    u.image_input_tokens = num(e, 'input_image_tokens');
    u.output_tokens = num(e, 'output_text_tokens');
    u.audio_output_tokens = num(e, 'output_audio_tokens');
    assert.equal(num(e, 'input_tokens_total'), num(e, 'input_text_tokens') + num(e, 'input_audio_tokens') + num(e, 'input_image_tokens'));
    assert.equal(num(e, 'output_tokens_total'), u.output_tokens + u.audio_output_tokens);
    return u;
  }
  u.cache_read_tokens = num(e, 'cached_read_tokens');
  u.cache_write_tokens = num(e, 'cache_write_tokens');
  u.audio_input_tokens = num(e, 'audio_input_tokens');
  u.input_tokens = num(e, 'input_tokens_total') - u.cache_read_tokens - u.cache_write_tokens - u.audio_input_tokens;
  u.reasoning_tokens = num(e, 'reasoning_tokens');
  u.audio_output_tokens = num(e, 'audio_output_tokens');
  const outputTotal = 'output_tokens_billed' in e ? num(e, 'output_tokens_billed') : num(e, 'output_tokens_total');
  u.output_tokens = outputTotal - u.reasoning_tokens - u.audio_output_tokens;
  const byAction = e.web_search_call_items_by_action as Record<string, unknown> | undefined;
  u.web_search_calls = byAction ? num(byAction, 'search') : num(e, 'web_search_requests');
  if ('total_tokens_reported' in e) {
    assert.equal(num(e, 'total_tokens_reported'), num(e, 'input_tokens_total') + outputTotal, 'meta totals add up');
  }
  return u;
}

export function runMeter(parser: ProviderUsageParser, ctx: ParseContext, chunks: Uint8Array[]): StreamOutcome {
  const m = parser.createStreamMeter(ctx);
  for (const c of chunks) m.push(c);
  return m.end();
}

/** Any split of the fixture's bytes gives the same outcome as one chunk. */
export function assertSplitInvariant(parser: ProviderUsageParser, ctx: ParseContext, file: string, numRuns = 100): void {
  const bytes = fixtureBytes(file);
  const whole = runMeter(parser, ctx, [bytes]);
  fc.assert(
    fc.property(fc.array(fc.nat({ max: bytes.length }), { maxLength: 30 }), (cuts) => {
      assert.deepEqual(runMeter(parser, ctx, splitAt(bytes, cuts)), whole);
    }),
    { numRuns },
  );
}

const enc = new TextEncoder();

/** Random JSON spliced into plausible usage positions. */
const usageLike = fc.oneof(
  fc.jsonValue(),
  fc.record({
    prompt_tokens: fc.oneof(fc.integer({ min: -5, max: 100 }), fc.double(), fc.constant(null), fc.string()),
    completion_tokens: fc.oneof(fc.nat(100), fc.constant(-1), fc.constant('3')),
    prompt_tokens_details: fc.oneof(fc.jsonValue(), fc.record({ cached_tokens: fc.integer({ min: -3, max: 200 }) })),
    completion_tokens_details: fc.oneof(fc.jsonValue(), fc.record({ reasoning_tokens: fc.integer({ min: -3, max: 200 }) })),
    cost: fc.oneof(fc.double(), fc.string()),
    cost_in_usd_ticks: fc.oneof(fc.double(), fc.string(), fc.bigInt().map(String)),
    input_tokens: fc.integer({ min: -3, max: 100 }),
    output_tokens: fc.integer({ min: -3, max: 100 }),
  }),
);

const garbageEvent = fc.oneof(
  fc.string().map((s) => `data: ${s.replace(/[\r\n]/g, ' ')}\n\n`),
  fc.jsonValue().map((v) => `data: ${JSON.stringify(v)}\n\n`),
  usageLike.map((u) => `data: ${JSON.stringify({ model: 'm', choices: [], usage: u })}\n\n`),
  usageLike.map((u) => `data: ${JSON.stringify({ choices: [{ delta: { content: u } }], x_groq: { usage: u } })}\n\n`),
  usageLike.map(
    (u) =>
      `event: response.completed\ndata: ${JSON.stringify({ type: 'response.completed', response: { usage: u, output: u } })}\n\n`,
  ),
  fc.jsonValue().map((v) => `event: response.output_item.done\ndata: ${JSON.stringify({ type: 'response.output_item.done', item: v })}\n\n`),
  fc.constant('data: [DONE]\n\n'),
  fc.constant(': OPENROUTER PROCESSING\n\n'),
);

/** Random bytes and random garbage events never make a meter throw. */
export function assertMeterNeverThrows(parser: ProviderUsageParser, ctx: ParseContext, numRuns = 150): void {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }), (chunks) => {
      runMeter(parser, ctx, chunks);
    }),
    { numRuns },
  );
  fc.assert(
    fc.property(fc.array(garbageEvent, { maxLength: 12 }), (events) => {
      const out = runMeter(parser, ctx, [enc.encode(events.join(''))]);
      assert.equal(typeof out.output_text, 'string');
    }),
    { numRuns },
  );
}

/** fromBody throws nothing but ProviderPayloadError on random JSON and on bodies with random usage. */
export function assertBodyOnlyPayloadErrors(parser: ProviderUsageParser, ctx: ParseContext, numRuns = 200): void {
  const body = fc.oneof(
    fc.jsonValue(),
    usageLike.map((u) => ({ object: 'chat.completion', model: 'm', usage: u })),
    usageLike.map((u) => ({ object: 'response', usage: u, output: [{ type: 'web_search_call', action: u }] })),
    usageLike.map((u) => ({ type: 'response.done', response: { usage: { input_token_details: u, output_token_details: u } } })),
  );
  fc.assert(
    fc.property(body, (b) => {
      try {
        parser.fromBody(b, ctx);
      } catch (e) {
        assert.ok(e instanceof ProviderPayloadError, `unexpected ${String(e)}`);
      }
    }),
    { numRuns },
  );
}
