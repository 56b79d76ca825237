import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { BedrockStreamMeter, bedrockUsageParser } from '../../src/providers/bedrock/index.js';
import { encodeException, encodeJsonEvent } from '../../src/providers/bedrock/event-stream-encoder.js';
import {
  ProviderPayloadError,
  emptyUsage,
  totalInputTokens,
  totalOutputTokens,
  type ParseContext,
  type StreamOutcome,
  type Usage,
} from '../../src/providers/spec.js';
import { fixtureBytes, fixtureJson, fixturePath, listCases, loadMeta, splitAt, type FixtureMeta } from '../helpers/fixtures.js';

/** The meta's hand-worked expected_usage in disjoint kinds (pricing_rules.md §5). */
function expectedUsage(meta: FixtureMeta): Usage {
  const e = meta.expected_usage;
  const n = (k: string): number => {
    const v = e[k];
    return typeof v === 'number' ? v : 0;
  };
  const reasoning = n('reasoning_tokens');
  return {
    ...emptyUsage(),
    input_tokens: n('input_tokens_uncached'),
    cache_read_tokens: n('cached_read_tokens'),
    // Converse metas give one write figure: a default cachePoint, whose TTL is 5 minutes.
    cache_write_tokens: 'cache_write_5m_tokens' in e ? n('cache_write_5m_tokens') : n('cache_write_tokens'),
    cache_write_1h_tokens: n('cache_write_1h_tokens'),
    output_tokens: n('output_tokens_total') - reasoning,
    reasoning_tokens: reasoning,
    web_search_calls: n('web_search_requests'),
  };
}

/** Bedrock does not echo the model: the caller knows it from the request path, as the metas do. */
function modelFromUri(meta: FixtureMeta): string {
  const notes = meta['request_notes'] as { uri: string };
  const m = /\/model\/([^/]+)\//.exec(notes.uri);
  assert.ok(m?.[1]);
  return decodeURIComponent(m[1]);
}

function apiOf(caseId: string): ParseContext['api'] {
  return caseId.startsWith('bedrock_invokemodel') ? 'invoke' : 'converse';
}

function meterOutcome(chunks: Uint8Array[], ctx: ParseContext): StreamOutcome {
  const m = bedrockUsageParser.createStreamMeter(ctx);
  for (const c of chunks) m.push(c);
  return m.end();
}

const CASES = listCases().filter((c) => c.startsWith('bedrock_'));

test('every bedrock_ fixture case is covered', () => {
  assert.deepEqual(CASES, [
    'bedrock_converse_nonstream_basic',
    'bedrock_converse_nonstream_cache_read',
    'bedrock_converse_nonstream_cache_write',
    'bedrock_conversestream_basic',
    'bedrock_conversestream_thinking',
    'bedrock_invokemodel_anthropic_cache',
  ]);
});

for (const caseId of CASES) {
  const meta = loadMeta(caseId);
  test(`fixture ${caseId}: full normalized usage`, () => {
    const ctx: ParseContext = { api: apiOf(caseId), model_requested: modelFromUri(meta) };
    const stream = meta.files.find((f) => f.endsWith('.eventstream'));
    let ext;
    if (stream) {
      const out = meterOutcome([fixtureBytes(stream)], ctx);
      ext = out.extraction;
      assert.equal(out.model, undefined); // ConverseStream names no model
      assert.ok(out.output_text.length > 0);
    } else {
      ext = bedrockUsageParser.fromBody(fixtureJson(meta.files[0] as string), ctx);
    }
    assert.ok(ext);
    assert.deepEqual(ext.usage, expectedUsage(meta));
    assert.equal(totalInputTokens(ext.usage), meta.expected_usage['input_tokens_total']);
    assert.equal(totalOutputTokens(ext.usage), meta.expected_usage['output_tokens_total']);
    const reported = meta.expected_usage['total_tokens_reported'];
    if (typeof reported === 'number') assert.equal(totalInputTokens(ext.usage) + totalOutputTokens(ext.usage), reported);
    assert.equal(ext.api, ctx.api);
    assert.equal(ext.model, meta.model_reported ?? ctx.model_requested);
    assert.equal(ext.service_tier, undefined);
    assert.equal(ext.inference_geo, undefined);
    assert.equal(ext.tier_basis_tokens, undefined);
    assert.equal(ext.usage_version, 1);
  });
}

test('converse stream text includes reasoningContent deltas', () => {
  const out = meterOutcome([fixtureBytes('bedrock_conversestream_thinking.eventstream')], { api: 'converse' });
  assert.ok(out.output_text.startsWith('The user has greeted me with a simple "Hello".'));
  assert.ok(out.output_text.endsWith('Hello! It\'s nice to meet you. How can I help you today?'));
});

for (const file of ['bedrock_conversestream_basic.eventstream', 'bedrock_conversestream_thinking.eventstream']) {
  test(`property: any split of ${file} gives the same outcome`, () => {
    const bytes = fixtureBytes(file);
    const ctx: ParseContext = { api: 'converse', model_requested: 'm' };
    const whole = meterOutcome([bytes], ctx);
    fc.assert(
      fc.property(fc.array(fc.nat({ max: bytes.length }), { maxLength: 40 }), (cuts) => {
        assert.deepEqual(meterOutcome(splitAt(bytes, cuts), ctx), whole);
      }),
      { numRuns: 100 },
    );
  });
}

test('a corrupted frame stops decoding without throwing; usage seen before it is kept', () => {
  const bytes = fixtureBytes('bedrock_conversestream_basic.eventstream');
  const corrupt = bytes.slice();
  corrupt[bytes.length - 10] = (corrupt[bytes.length - 10] as number) ^ 1; // inside the final metadata frame
  const meter = new BedrockStreamMeter({ api: 'converse' });
  meter.push(corrupt);
  const out = meter.end();
  assert.equal(out.extraction, null);
  assert.match(meter.decodeError ?? '', /CRC mismatch/);
  assert.ok(out.output_text.startsWith('The capital of France is Paris.'));
});

// ---- synthetic streams (constructed with our own encoder; no recorded fixture exists) ----

const anthropicChunks = readFileSync(fixturePath('anthropic_messages_stream_cache_servertool_cumulative.chunks.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.length > 0);

function invokeChunk(json: string): Uint8Array {
  return encodeJsonEvent('chunk', { bytes: Buffer.from(json, 'utf8').toString('base64'), p: 'abcd' });
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * SYNTHETIC InvokeModelWithResponseStream body: the real Anthropic events of fixture
 * anthropic_messages_stream_cache_servertool_cumulative, each wrapped as Bedrock wraps them
 * (`chunk` event, payload {bytes: base64(event JSON)}), plus Bedrock's invocation metrics on the
 * last chunk. Expected usage is that fixture's meta (same events, same rules).
 */
function syntheticInvokeStream(): Uint8Array {
  const lines = anthropicChunks.map((l) => {
    const e = JSON.parse(l) as Record<string, unknown>;
    if (e['type'] === 'message_stop') {
      e['amazon-bedrock-invocationMetrics'] = { inputTokenCount: 6, outputTokenCount: 198, invocationLatency: 900, firstByteLatency: 300 };
    }
    return JSON.stringify(e);
  });
  return concat(lines.map(invokeChunk));
}

test('synthetic: InvokeModelWithResponseStream with Anthropic chunks uses the Anthropic stream rules', () => {
  const meta = loadMeta('anthropic_messages_stream_cache_servertool_cumulative');
  const out = meterOutcome([syntheticInvokeStream()], { api: 'invoke', model_requested: 'us.anthropic.claude-sonnet-5-v1:0' });
  assert.ok(out.extraction);
  assert.deepEqual(out.extraction.usage, {
    ...emptyUsage(),
    input_tokens: meta.expected_usage['input_tokens_uncached'] as number,
    cache_read_tokens: meta.expected_usage['cached_read_tokens'] as number,
    cache_write_tokens: meta.expected_usage['cache_write_5m_tokens'] as number,
    output_tokens: meta.expected_usage['output_tokens_total'] as number,
  });
  assert.equal(out.extraction.api, 'invoke');
  assert.equal(out.extraction.model, 'claude-sonnet-5');
  assert.equal(out.extraction.tier_basis_tokens, null);
  assert.equal(out.model, 'claude-sonnet-5');
  assert.ok(out.output_text.length > 0);
});

test('synthetic: property: any split of the invoke stream gives the same outcome', () => {
  const bytes = syntheticInvokeStream();
  const ctx: ParseContext = { api: 'invoke' };
  const whole = meterOutcome([bytes], ctx);
  fc.assert(
    fc.property(fc.array(fc.nat({ max: bytes.length }), { maxLength: 30 }), (cuts) => {
      assert.deepEqual(meterOutcome(splitAt(bytes, cuts), ctx), whole);
    }),
    { numRuns: 60 },
  );
});

test('synthetic: invocation metrics stand in when the model stream has no usage of its own', () => {
  const body = concat([
    invokeChunk(JSON.stringify({ generation: 'Hello', prompt_token_count: null })),
    invokeChunk(
      JSON.stringify({
        generation: ' world',
        'amazon-bedrock-invocationMetrics': { inputTokenCount: 11, outputTokenCount: 2, cacheReadInputTokenCount: 5 },
      }),
    ),
  ]);
  const out = meterOutcome([body], { api: 'invoke', model_requested: 'meta.llama3-8b-instruct-v1:0' });
  assert.deepEqual(out.extraction?.usage, { ...emptyUsage(), input_tokens: 11, cache_read_tokens: 5, output_tokens: 2 });
  assert.equal(out.extraction?.model, 'meta.llama3-8b-instruct-v1:0');
  assert.equal(out.output_text, 'Hello world');
});

test('synthetic: an exception frame ends the stream with what was seen', () => {
  const meter = new BedrockStreamMeter({ api: 'converse' });
  meter.push(
    concat([
      encodeJsonEvent('messageStart', { role: 'assistant' }),
      encodeJsonEvent('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Par' } }),
      encodeException('modelStreamErrorException', 'boom'),
    ]),
  );
  const out = meter.end();
  assert.equal(out.extraction, null);
  assert.equal(out.output_text, 'Par');
  assert.deepEqual(meter.exceptions, ['modelStreamErrorException']);
});

test('synthetic: converse cacheDetails split writes by TTL, legacy aliases are not double counted', () => {
  const body = {
    serviceTier: { type: 'priority' },
    usage: {
      inputTokens: 4,
      outputTokens: 9,
      cacheReadInputTokens: 50,
      cacheReadInputTokenCount: 50,
      cacheWriteInputTokens: 130,
      cacheWriteInputTokenCount: 130,
      cacheDetails: [
        { ttl: '1h', inputTokens: 100 },
        { ttl: '5m', inputTokens: 20 },
      ],
      totalTokens: 193,
    },
  };
  const ext = bedrockUsageParser.fromBody(body, { api: 'converse', model_requested: 'global.anthropic.claude-sonnet-4-5-20250929-v1:0' });
  // 10 writes are not covered by cacheDetails: they take the default (5m) TTL.
  assert.deepEqual(ext?.usage, {
    ...emptyUsage(),
    input_tokens: 4,
    cache_read_tokens: 50,
    cache_write_tokens: 30,
    cache_write_1h_tokens: 100,
    output_tokens: 9,
  });
  assert.equal(ext?.service_tier, 'priority');
  const legacyOnly = { usage: { inputTokens: 1, outputTokens: 1, cacheWriteInputTokenCount: 8 } };
  const oneHour = bedrockUsageParser.fromBody(legacyOnly, { api: 'converse', cache_ttl_requested: '1h' });
  assert.deepEqual(oneHour?.usage, { ...emptyUsage(), input_tokens: 1, cache_write_1h_tokens: 8, output_tokens: 1 });
});

test('synthetic: metadata serviceTier is reported; Nova InvokeModel bodies read like Converse', () => {
  const meter = bedrockUsageParser.createStreamMeter({ api: 'converse' });
  const usage = { inputTokens: 3, outputTokens: 4, totalTokens: 7 };
  meter.push(encodeJsonEvent('metadata', { usage, metrics: { latencyMs: 5 }, serviceTier: { type: 'flex' } }));
  assert.equal(meter.end().extraction?.service_tier, 'flex');
  const novaBody = { output: {}, usage: { inputTokens: 7, outputTokens: 2, cacheReadInputTokenCount: 3, totalTokens: 12 } };
  const nova = bedrockUsageParser.fromBody(novaBody, { api: 'invoke' });
  assert.deepEqual(nova?.usage, { ...emptyUsage(), input_tokens: 7, cache_read_tokens: 3, output_tokens: 2 });
});

test('bodies without usage return null; malformed usage throws ProviderPayloadError', () => {
  const ctx: ParseContext = { api: 'converse' };
  assert.equal(bedrockUsageParser.fromBody({ message: 'ThrottlingException' }, ctx), null);
  assert.equal(bedrockUsageParser.fromBody([], ctx), null);
  // A native body of another model family (not Anthropic, not Converse-shaped): not guessed at.
  assert.equal(bedrockUsageParser.fromBody({ usage: { prompt_tokens: 3 } }, { api: 'invoke' }), null);
  const bad = [
    { usage: 3 },
    { usage: { inputTokens: -2 } },
    { usage: { inputTokens: 1, cacheDetails: {} } },
    { usage: { inputTokens: 1, cacheDetails: [null] } },
  ];
  for (const b of bad) {
    assert.throws(() => bedrockUsageParser.fromBody(b, ctx), ProviderPayloadError);
  }
});

test('property: arbitrary bytes never throw from the stream meter', () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }), fc.constantFrom<ParseContext['api']>('converse', 'invoke'), (chunks, api) => {
      meterOutcome(chunks, { api });
    }),
    { numRuns: 300 },
  );
});

test('property: well-framed events with random payloads never throw from the stream meter', () => {
  const eventType = fc.constantFrom('chunk', 'metadata', 'contentBlockDelta', 'messageStart', 'other');
  const payload = fc.oneof(
    fc.jsonValue(),
    fc.record({ usage: fc.dictionary(fc.constantFrom('inputTokens', 'outputTokens', 'cacheDetails', 'cacheWriteInputTokens'), fc.jsonValue()) }),
    fc.record({ bytes: fc.oneof(fc.string(), fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v)).toString('base64'))) }),
  );
  fc.assert(
    fc.property(fc.array(fc.tuple(eventType, payload), { maxLength: 8 }), (events) => {
      const out = meterOutcome([concat(events.map(([t, p]) => encodeJsonEvent(t, p)))], { api: 'invoke' });
      if (out.extraction) for (const v of Object.values(out.extraction.usage)) assert.ok(Number.isInteger(v) && v >= 0);
    }),
    { numRuns: 300 },
  );
});
