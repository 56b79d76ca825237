import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { modelFromVertexPath, vertexUsageParser } from '../../src/providers/vertex/index.js';
import { ProviderPayloadError, USAGE_KINDS, emptyUsage, totalInputTokens, totalOutputTokens, type ParseContext, type StreamOutcome, type Usage, type UsageExtraction } from '../../src/providers/spec.js';
import { fixtureBytes, fixturePath, listCases, loadMeta, splitAt, type FixtureMeta } from '../helpers/fixtures.js';

const CTX: ParseContext = { api: 'generateContent', model_requested: 'gemini-requested' };
const enc = new TextEncoder();

/** Derived from the hand-worked meta by the Gemini rules (no audio or cache in the Vertex fixtures). */
function expectedUsage(meta: FixtureMeta): Usage {
  const e = meta.expected_usage as Record<string, number>;
  assert.equal(e.cached_read_tokens, 0);
  assert.equal(e.audio_input_tokens, 0);
  const u: Usage = {
    ...emptyUsage(),
    input_tokens: e.input_tokens_uncached as number,
    output_tokens: (e.output_tokens_total as number) - (e.reasoning_tokens as number),
    reasoning_tokens: e.reasoning_tokens as number,
  };
  assert.equal(totalInputTokens(u), e.input_tokens_total);
  assert.equal(totalOutputTokens(u), e.output_tokens_total);
  assert.equal(totalInputTokens(u) + totalOutputTokens(u), e.total_tokens_reported);
  return u;
}

function meter(chunks: Uint8Array[], ctx: ParseContext = CTX): StreamOutcome {
  const m = vertexUsageParser.createStreamMeter(ctx);
  for (const c of chunks) m.push(c);
  return m.end();
}

const cases = listCases().filter((c) => c.startsWith('vertex_'));

test('vertex parser id and every vertex_ fixture is covered', () => {
  assert.equal(vertexUsageParser.id, 'vertex');
  assert.deepEqual(cases, ['vertex_streamgeneratecontent_provisioned_throughput', 'vertex_streamgeneratecontent_traffic_type']);
});

for (const caseId of cases) {
  const meta = loadMeta(caseId);
  const lines = readFileSync(fixturePath(`${caseId}.chunks.jsonl`), 'utf8').split('\n').filter((l) => l.trim() !== '');
  const payloads = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  const sse = fixtureBytes(`${caseId}.sse`);
  const array = enc.encode(`[${lines.join(',\r\n')}]`);
  const traffic = meta.expected_usage.traffic_type === 'PROVISIONED_THROUGHPUT' ? 'provisioned' : 'on_demand';

  test(`${caseId}: usage from the last chunk, trafficType -> ${traffic}`, () => {
    for (const out of [meter([sse]), meter([array])]) {
      const ex = out.extraction;
      assert.ok(ex);
      assert.deepEqual(Object.keys(ex.usage).sort(), [...USAGE_KINDS].sort());
      assert.deepEqual(ex.usage, expectedUsage(meta));
      assert.equal(ex.traffic_type, traffic);
      assert.equal(ex.model, meta.model_reported);
      assert.equal(out.model, meta.model_reported);
      assert.equal(ex.service_tier, undefined);
      assert.equal(ex.api, 'generateContent');
      assert.deepEqual(ex.raw, payloads.at(-1)?.usageMetadata);
      assert.deepEqual(ex.details, {
        prompt_text_tokens: meta.expected_usage.prompt_token_count,
        candidates_text_tokens: meta.expected_usage.candidates_tokens,
      });
    }
    assert.deepEqual(vertexUsageParser.fromBody(payloads, CTX), meter([sse]).extraction);
  });

  test(`${caseId}: property: any split gives the same outcome`, () => {
    for (const bytes of [sse, array]) {
      const whole = meter([bytes]);
      fc.assert(
        fc.property(fc.array(fc.nat({ max: bytes.length }), { maxLength: 30 }), (cuts) => {
          assert.deepEqual(meter(splitAt(bytes, cuts)), whole);
        }),
        { numRuns: 100 },
      );
    }
  });

  test(`${caseId}: {trafficType}-only chunks are not usage; a hang-up before the last chunk gives null`, () => {
    const early = lines.slice(0, -1).map((l) => `data: ${l}\r\n\r\n`).join('');
    const out = meter([enc.encode(early)]);
    assert.equal(out.extraction, null);
    assert.equal(out.model, meta.model_reported);
    assert.equal(vertexUsageParser.fromBody(payloads[0], CTX), null);
  });
}

test('the provisioned stream collects thought text for estimation', () => {
  const out = meter([fixtureBytes('vertex_streamgeneratecontent_provisioned_throughput.sse')]);
  assert.ok(out.output_text.startsWith('**Processing User Requests**'));
});

function body(usageMetadata: Record<string, unknown>, extra: Record<string, unknown> = {}): UsageExtraction | null {
  return vertexUsageParser.fromBody({ usageMetadata, ...extra }, CTX);
}

test('traffic types: priority and flex are on-demand at their tier; a reported serviceTier wins', () => {
  assert.equal(body({ promptTokenCount: 1, trafficType: 'ON_DEMAND_PRIORITY' })?.service_tier, 'priority');
  assert.equal(body({ promptTokenCount: 1, trafficType: 'ON_DEMAND_PRIORITY' })?.traffic_type, 'on_demand');
  assert.equal(body({ promptTokenCount: 1, trafficType: 'ON_DEMAND_FLEX' })?.service_tier, 'flex');
  assert.equal(body({ promptTokenCount: 1, trafficType: 'ON_DEMAND_FLEX', serviceTier: 'standard' })?.service_tier, 'standard');
  assert.equal(body({ promptTokenCount: 1, serviceTier: 'SERVICE_TIER_PRIORITY' })?.service_tier, 'priority');
  assert.equal(body({ promptTokenCount: 1 }, { serviceTier: 'flex' })?.service_tier, 'flex');
  const unspecified = body({ promptTokenCount: 1, trafficType: 'TRAFFIC_TYPE_UNSPECIFIED' });
  assert.equal(unspecified?.traffic_type, undefined);
  assert.equal(unspecified?.service_tier, undefined);
});

test('the requested model is the fallback when the response names none', () => {
  assert.equal(body({ promptTokenCount: 1 })?.model, 'gemini-requested');
  assert.equal(body({ promptTokenCount: 1 }, { modelVersion: 'gemini-2.5-pro-002' })?.model, 'gemini-2.5-pro-002');
});

test('audio: cached and uncached audio input, audio output, and the rest by kind', () => {
  const ex = body({
    promptTokenCount: 1000,
    cachedContentTokenCount: 600,
    toolUsePromptTokenCount: 30,
    candidatesTokenCount: 200,
    thoughtsTokenCount: 50,
    totalTokenCount: 1280,
    promptTokensDetails: [
      { modality: 'TEXT', tokenCount: 100 },
      { modality: 'IMAGE', tokenCount: 258 },
      { modality: 'AUDIO', tokenCount: 500 },
      { modality: 'DOCUMENT', tokenCount: 142 },
    ],
    cacheTokensDetails: [
      { modality: 'AUDIO', tokenCount: 400 },
      { modality: 'IMAGE', tokenCount: 200 },
    ],
    candidatesTokensDetails: [
      { modality: 'AUDIO', tokenCount: 150 },
      { modality: 'TEXT', tokenCount: 50 },
    ],
  });
  assert.deepEqual(ex?.usage, {
    ...emptyUsage(),
    input_tokens: 1000 - 600 - (500 - 400) + 30,
    cache_read_tokens: 200,
    audio_input_tokens: 100,
    audio_cache_read_tokens: 400,
    output_tokens: 50,
    reasoning_tokens: 50,
    audio_output_tokens: 150,
  });
  assert.deepEqual(ex?.details, {
    prompt_text_tokens: 100,
    prompt_image_tokens: 258,
    prompt_audio_tokens: 500,
    prompt_document_tokens: 142,
    cached_audio_tokens: 400,
    cached_image_tokens: 200,
    candidates_audio_tokens: 150,
    candidates_text_tokens: 50,
    tool_use_prompt_tokens: 30,
  });
});

test('a total that disagrees is recorded, not thrown; impossible sub-counts are clamped and recorded', () => {
  assert.equal(body({ promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 20 })?.details?.total_mismatch, 5);
  const over = body({ promptTokenCount: 10, cachedContentTokenCount: 14 });
  assert.equal(over?.usage.input_tokens, 0);
  assert.equal(over?.usage.cache_read_tokens, 14);
  assert.equal(over?.details?.cache_exceeds_prompt, 4);
});

test('bodies without usage give null; wrongly typed fields throw ProviderPayloadError', () => {
  assert.equal(vertexUsageParser.fromBody({ error: { code: 429, status: 'RESOURCE_EXHAUSTED' } }, CTX), null);
  assert.equal(vertexUsageParser.fromBody({ candidates: [] }, CTX), null);
  assert.equal(vertexUsageParser.fromBody({ usageMetadata: null }, CTX), null);
  assert.equal(vertexUsageParser.fromBody([], CTX), null);
  const bad: unknown[] = [
    'text',
    42,
    null,
    [1],
    { usageMetadata: 'x' },
    { usageMetadata: { promptTokenCount: '5' } },
    { usageMetadata: { promptTokenCount: -1 } },
    { usageMetadata: { promptTokenCount: 1.5 } },
    { usageMetadata: { promptTokenCount: 1, promptTokensDetails: {} } },
    { usageMetadata: { promptTokenCount: 1, cacheTokensDetails: [5] } },
    { usageMetadata: { promptTokenCount: 1, candidatesTokensDetails: [{ modality: 3, tokenCount: 1 }] } },
    { usageMetadata: { promptTokenCount: 1, trafficType: 1 } },
    { usageMetadata: { promptTokenCount: 1, serviceTier: {} } },
    { usageMetadata: { promptTokenCount: 1 }, candidates: [{ groundingMetadata: { webSearchQueries: 'q' } }] },
    { usageMetadata: { promptTokenCount: 1 }, candidates: [{ groundingMetadata: { webSearchQueries: [1] } }] },
  ];
  for (const b of bad) assert.throws(() => vertexUsageParser.fromBody(b, CTX), ProviderPayloadError, JSON.stringify(b));
});

test('a stream skips and counts a malformed chunk but keeps the earlier usage', () => {
  const ok = '{"usageMetadata":{"promptTokenCount":4,"candidatesTokenCount":2,"totalTokenCount":6},"candidates":[{"finishReason":"STOP"}]}';
  const out = meter([enc.encode(`data: ${ok}\r\n\r\ndata: {"usageMetadata":{"promptTokenCount":"x"}}\r\n\r\ndata: {oops\r\n\r\n`)]);
  assert.equal(out.extraction?.usage.input_tokens, 4);
  assert.equal(out.extraction?.details?.malformed_events, 2);
  assert.equal(out.extraction?.details?.stream_unfinished, undefined);
});

test('modelFromVertexPath is the Gemini path reader', () => {
  assert.equal(modelFromVertexPath('/v1/projects/p/locations/us-central1/publishers/google/models/gemini-2.5-pro:streamGenerateContent?alt=sse'), 'gemini-2.5-pro');
});

// Claude on Vertex (publishers/anthropic rawPredict / streamRawPredict) answers in Anthropic's Messages shapes.
test('an Anthropic Messages body on a Vertex route is read and priced with Vertex rates', async () => {
  const { runCost } = await import('../../src/cli/cost-command.js');
  const out = runCost(fixturePath('anthropic_messages_nonstream_cache_write5m_and_read.json'), {
    provider: 'vertex',
    at: '2026-10-01T00:00:00Z',
    data: '/nonexistent-costrail-data',
  }) as { api: string; priced: boolean; cost: { total: string } | null; priced_as?: { provider: string; model: string } };
  assert.equal(out.api, 'messages');
  assert.equal(out.priced, true);
  assert.equal(out.priced_as?.provider, 'vertex');
  assert.equal(out.priced_as?.model, 'claude-sonnet-4-5@20250929');
  // (3 x 3 + 418 x 3.75 + 1111 x 0.30 + 33 x 15) / 1e6 = (9 + 1567.5 + 333.3 + 495) / 1e6
  assert.equal(out.cost?.total, '0.0024048');
});

test('an Anthropic SSE stream on a Vertex route meters the same usage as on Anthropic, however it is split', () => {
  const bytes = fixtureBytes('anthropic_messages_stream_basic.sse');
  const whole = meter([bytes]);
  assert.ok(whole.extraction, 'usage read');
  assert.equal(whole.extraction.api, 'messages');
  assert.equal(whole.extraction.model, 'claude-sonnet-4-5-20250929');
  // Split inside "message_start" and after one byte: the dialect is decided on a full line, never on a fragment.
  for (const cuts of [[1], [9, 20], [3, 200, 400]]) {
    const out = meter(splitAt(bytes, cuts));
    assert.deepEqual(out.extraction?.usage, whole.extraction.usage, `cuts ${cuts.join(',')}`);
  }
  const body = JSON.parse(readFileSync(fixturePath('anthropic_messages_nonstream_basic.json'), 'utf8')) as unknown;
  const ex = vertexUsageParser.fromBody(body, CTX);
  assert.equal(ex?.api, 'messages');
  assert.ok((ex?.usage.output_tokens ?? 0) > 0);
});
