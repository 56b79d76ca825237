import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import {
  GeminiStreamMeter,
  JsonArraySplitter,
  geminiUsageParser,
  modelFromGeminiPath,
  splitJsonArray,
  type GeminiStreamFormat,
  type JsonArraySplitterOptions,
} from '../../src/providers/gemini/index.js';
import { parseSse } from '../../src/providers/sse.js';
import {
  ProviderPayloadError,
  USAGE_KINDS,
  totalInputTokens,
  totalOutputTokens,
  type ParseContext,
  type StreamOutcome,
  type Usage,
} from '../../src/providers/spec.js';
import { fixtureBytes, fixtureJson, fixturePath, listCases, loadMeta, splitAt, type FixtureMeta } from '../helpers/fixtures.js';

const CTX: ParseContext = { api: 'generateContent' };
const enc = new TextEncoder();

/**
 * The normalized Usage, derived from the hand-worked meta by the Gemini rules (not from the parser):
 * AUDIO prompt tokens minus AUDIO cached tokens are uncached audio, AUDIO cached tokens are cached
 * audio, every other cached token is a plain cache read, uncached input (which already includes
 * tool-use prompt tokens) less uncached audio is plain input, output = billed output - thoughts.
 */
function expectedUsage(meta: FixtureMeta): Usage {
  const e = meta.expected_usage;
  const num = (k: string): number => (e[k] === null || e[k] === undefined ? 0 : (e[k] as number));
  const byPrompt = (e.prompt_tokens_by_modality ?? {}) as Record<string, number>;
  const byCache = (e.cached_tokens_by_modality ?? {}) as Record<string, number>;
  const audioCached = byCache.AUDIO ?? 0;
  const audioUncached = (byPrompt.AUDIO ?? 0) - audioCached;
  const u: Usage = {
    input_tokens: num('input_tokens_uncached') - audioUncached,
    cache_read_tokens: num('cached_read_tokens') - audioCached,
    cache_write_tokens: num('cache_write_tokens'),
    cache_write_1h_tokens: 0,
    output_tokens: num('output_tokens_total') - num('reasoning_tokens'),
    reasoning_tokens: num('reasoning_tokens'),
    audio_input_tokens: audioUncached,
    audio_cache_read_tokens: audioCached,
    audio_output_tokens: 0,
    image_input_tokens: 0,
    web_search_calls: num('web_search_queries'),
  };
  // The meta's own totals must agree with the derivation, or the derivation is wrong.
  assert.equal(num('audio_input_tokens'), byPrompt.AUDIO ?? 0);
  assert.equal(totalInputTokens(u), num('input_tokens_total'));
  assert.equal(totalOutputTokens(u), num('output_tokens_total'));
  assert.equal(num('input_tokens_total') + num('output_tokens_total'), num('total_tokens_reported'));
  assert.equal(num('input_tokens_total'), num('prompt_token_count') + num('tool_use_prompt_tokens'));
  return u;
}

function assertFixtureExtraction(meta: FixtureMeta, ex: ReturnType<typeof geminiUsageParser.fromBody>): void {
  assert.ok(ex, 'usage expected');
  assert.deepEqual(Object.keys(ex.usage).sort(), [...USAGE_KINDS].sort());
  assert.deepEqual(ex.usage, expectedUsage(meta));
  assert.equal(ex.model, meta.model_reported);
  assert.equal(ex.api, 'generateContent');
  assert.equal(ex.service_tier, meta.expected_usage.service_tier ?? undefined);
  const traffic = meta.expected_usage.traffic_type;
  assert.equal(ex.traffic_type, traffic === 'ON_DEMAND' ? 'on_demand' : traffic === 'PROVISIONED_THROUGHPUT' ? 'provisioned' : undefined);
  const grounded = meta.expected_usage.grounded_prompts ?? ((meta.expected_usage.web_search_queries as number | undefined) ? 1 : undefined);
  assert.equal(ex.details?.grounded_prompts, grounded);
  assert.equal(ex.details?.tool_use_prompt_tokens, (meta.expected_usage.tool_use_prompt_tokens as number) || undefined);
  for (const k of ['total_mismatch', 'malformed_events', 'stream_unfinished', 'cache_exceeds_prompt']) {
    assert.equal(ex.details?.[k], undefined, k);
  }
  const um = ex.raw as Record<string, unknown>;
  assert.equal(um.totalTokenCount, meta.expected_usage.total_tokens_reported, 'raw is the authoritative usageMetadata');
}

/** Each stream payload as a parsed GenerateContentResponse, from .chunks.jsonl or the .sse data lines. */
function streamPayloads(caseId: string, meta: FixtureMeta): unknown[] {
  const jsonl = meta.files.find((f) => f.endsWith('.chunks.jsonl'));
  const lines = jsonl
    ? readFileSync(fixturePath(jsonl), 'utf8').split('\n').filter((l) => l.trim() !== '')
    : parseSse(fixtureBytes(`${caseId}.sse`)).map((e) => e.data);
  return lines.map((l) => JSON.parse(l) as unknown);
}

/** Text and thought parts, in order: what the meter must collect for estimation on hang-up. */
function expectedText(payloads: unknown[]): string {
  let out = '';
  for (const p of payloads) {
    for (const c of (p as { candidates?: { content?: { parts?: { text?: unknown }[] } }[] }).candidates ?? []) {
      for (const part of c.content?.parts ?? []) if (typeof part.text === 'string') out += part.text;
    }
  }
  return out;
}

/** The non-SSE `streamGenerateContent` wire form: one pretty-printed JSON array. */
function jsonArrayBody(payloads: unknown[]): Uint8Array {
  return enc.encode(`[${payloads.map((p) => JSON.stringify(p, null, 2)).join('\n,\r\n')}\n]\n`);
}

function meter(chunks: Uint8Array[], format?: GeminiStreamFormat): StreamOutcome {
  const m = format ? new GeminiStreamMeter(CTX, { format }) : geminiUsageParser.createStreamMeter(CTX);
  for (const c of chunks) m.push(c);
  return m.end();
}

const cases = listCases().filter((c) => c.startsWith('gemini_'));

test('every gemini_ fixture is covered', () => {
  assert.equal(cases.length, 6);
});

for (const caseId of cases) {
  const meta = loadMeta(caseId);
  if (meta.mode !== 'stream') {
    test(`${caseId}: body usage`, () => {
      assertFixtureExtraction(meta, geminiUsageParser.fromBody(fixtureJson(`${caseId}.json`), CTX));
    });
    continue;
  }
  const payloads = streamPayloads(caseId, meta);
  const sse = fixtureBytes(`${caseId}.sse`);
  const array = jsonArrayBody(payloads);

  test(`${caseId}: SSE stream takes the last cumulative usageMetadata`, () => {
    const out = meter([sse]);
    assertFixtureExtraction(meta, out.extraction);
    assert.equal(out.model, meta.model_reported);
    assert.equal(out.output_text, expectedText(payloads));
    assert.ok(out.output_text.length > 0);
    assert.deepEqual(meter([sse], 'sse'), out);
  });

  test(`${caseId}: JSON-array stream (no alt=sse) and the whole array as a body agree with SSE`, () => {
    const out = meter([array]);
    assertFixtureExtraction(meta, out.extraction);
    assert.deepEqual(out, meter([sse]));
    assert.deepEqual(meter([array], 'json-array'), out);
    assertFixtureExtraction(meta, geminiUsageParser.fromBody(payloads, CTX));
  });

  for (const [form, bytes] of [['SSE', sse], ['JSON-array', array]] as const) {
    test(`${caseId}: property: any split of the ${form} bytes gives the same outcome`, () => {
      const whole = meter([bytes]);
      fc.assert(
        fc.property(fc.array(fc.nat({ max: bytes.length }), { maxLength: 40 }), (cuts) => {
          assert.deepEqual(meter(splitAt(bytes, cuts)), whole);
        }),
        { numRuns: 150 },
      );
    });
  }

  test(`${caseId}: a hang-up after the first chunk keeps its snapshot and flags it unfinished`, () => {
    const first = payloads[0] as { usageMetadata: Record<string, number> };
    // Drop the closing bracket: the client went away after one element.
    const out = meter([jsonArrayBody([first]).subarray(0, -3)]);
    assert.equal(out.extraction?.usage.output_tokens, first.usageMetadata.candidatesTokenCount);
    assert.equal(out.extraction?.details?.stream_unfinished, 1);
    assert.equal(out.extraction?.details?.malformed_events, undefined);
  });
}

test('summing chunks would overcount: the thinking stream has 3 usage snapshots but reports 23 + 185', () => {
  const out = meter([fixtureBytes('gemini_streamgeneratecontent_thinking.sse')]);
  assert.equal(out.extraction?.usage.output_tokens, 23);
  assert.equal(out.extraction?.usage.reasoning_tokens, 185);
});

test('grounding: a query list repeated on every chunk counts once; increments add; duplicates in one list count', () => {
  const chunk = (queries: string[] | undefined, finish = false) =>
    JSON.stringify({
      candidates: [{ index: 0, groundingMetadata: queries ? { webSearchQueries: queries } : {}, ...(finish ? { finishReason: 'STOP' } : {}) }],
      usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 1, totalTokenCount: 6 },
    });
  const sse = (events: string[]) => enc.encode(events.map((e) => `data: ${e}\r\n\r\n`).join(''));
  const calls = (events: string[]) => meter([sse(events)]).extraction?.usage.web_search_calls;
  assert.equal(calls([chunk(['a', 'b']), chunk(['a', 'b']), chunk(['a', 'b'], true)]), 2);
  assert.equal(calls([chunk(['a']), chunk(['b'], true)]), 2);
  assert.equal(calls([chunk(['a', 'a'], true)]), 2);
  const noSearch = meter([sse([chunk(undefined, true)])]).extraction;
  assert.equal(noSearch?.usage.web_search_calls, 0);
  assert.equal(noSearch?.details?.grounded_prompts, undefined, 'an empty groundingMetadata is not grounding');
});

test('body grounding counts queries across candidates', () => {
  const ex = geminiUsageParser.fromBody(
    {
      candidates: [
        { index: 0, groundingMetadata: { webSearchQueries: ['x', 'y'] } },
        { index: 1, groundingMetadata: { webSearchQueries: ['x'] } },
      ],
      usageMetadata: { promptTokenCount: 1 },
    },
    CTX,
  );
  assert.equal(ex?.usage.web_search_calls, 3);
  assert.equal(ex?.details?.grounded_prompts, 1);
});

test('modelFromGeminiPath reads Gemini API and Vertex paths', () => {
  const cases: [string, string | undefined][] = [
    ['/v1beta/models/gemini-2.5-pro:generateContent', 'gemini-2.5-pro'],
    ['/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse', 'gemini-2.5-flash'],
    ['/v1/projects/p/locations/l/publishers/google/models/gemini-2.5-pro:streamGenerateContent', 'gemini-2.5-pro'],
    ['/v1/projects/p/locations/global/publishers/google/models/gemini-3-pro-preview:generateContent?alt=sse', 'gemini-3-pro-preview'],
    ['https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:countTokens?key=k', 'gemini-2.0-flash'],
    ['models/gemini-2.5-pro:generateContent', 'gemini-2.5-pro'],
    ['/v1beta/models/gemini-2.5-pro%3AgenerateContent', 'gemini-2.5-pro'],
    ['/v1beta/models/gemini-2.5-pro', 'gemini-2.5-pro'],
    ['/v1/projects/p/locations/l/publishers/anthropic/models/claude-sonnet-4@20250514:rawPredict', 'claude-sonnet-4@20250514'],
    ['/v1/projects/p/locations/l/endpoints/123:generateContent', undefined],
    ['/v1beta/tunedModels/my-tune:generateContent', undefined],
    ['/v1beta/models/:generateContent', undefined],
    ['/v1beta/models/%E0%A4%A:generateContent', undefined],
    ['', undefined],
  ];
  for (const [path, model] of cases) assert.equal(modelFromGeminiPath(path), model, path);
});

test('property: modelFromGeminiPath never throws and never returns an empty name', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), (s) => {
      const m = modelFromGeminiPath(s);
      assert.ok(m === undefined || (m.length > 0 && !m.includes(':') && !m.includes('/')));
    }),
  );
});

// --- JSON-array splitter -------------------------------------------------------------------------

function splitChunks(chunks: Uint8Array[], options?: JsonArraySplitterOptions): { out: string[]; skipped: number; truncated: boolean } {
  const s = new JsonArraySplitter(options);
  const out: string[] = [];
  for (const c of chunks) out.push(...s.push(c));
  out.push(...s.end());
  return { out, skipped: s.skipped, truncated: s.truncated };
}

/** Any JSON array, serialized with arbitrary legal whitespace around elements and commas. */
const arrayText = fc
  .array(fc.tuple(fc.jsonValue({ stringUnit: 'binary', maxDepth: 4 }), fc.constantFrom('', ' ', '\n', '\r\n', '\t ')), { maxLength: 8 })
  .map((items) => ({
    values: items.map(([v]) => JSON.parse(JSON.stringify(v)) as unknown),
    text: `${items.length ? '[' : '[ '}${items.map(([v, ws]) => `${ws}${JSON.stringify(v)}${ws}`).join(',')}]`,
  }));

test('property: the splitter returns every element of any JSON array, however the bytes are cut', () => {
  fc.assert(
    fc.property(arrayText, fc.array(fc.nat(), { maxLength: 12 }), ({ values, text }, rawCuts) => {
      const bytes = enc.encode(text);
      const got = splitChunks(splitAt(bytes, rawCuts.map((c) => c % (bytes.length + 1))));
      assert.deepEqual(got.out.map((e) => JSON.parse(e) as unknown), values);
      assert.equal(got.skipped, 0);
      assert.equal(got.truncated, false);
    }),
    { numRuns: 300 },
  );
});

test('property: the splitter never throws and is split-invariant on arbitrary text', () => {
  const noise = fc.array(fc.constantFrom('[', ']', '{', '}', '"', '\\', ',', ' ', '\n', 'a', '1', 'é', '😀'), { maxLength: 60 }).map((a) => a.join(''));
  fc.assert(
    fc.property(fc.oneof(noise, fc.string({ unit: 'binary' })), fc.array(fc.nat(), { maxLength: 10 }), (text, rawCuts) => {
      const bytes = enc.encode(text);
      const whole = splitChunks([bytes]);
      assert.deepEqual(splitChunks(splitAt(bytes, rawCuts.map((c) => c % (bytes.length + 1)))), whole);
    }),
    { numRuns: 500 },
  );
});

test('splitter: strings hide brackets and escaped quotes; bare values, stray closers and oversize elements', () => {
  assert.deepEqual(splitJsonArray('[{"a":"}]\\"{["},\r\n{"b":[1,{"c":"\\\\"}]}\n]'), ['{"a":"}]\\"{["}', '{"b":[1,{"c":"\\\\"}]}']);
  assert.deepEqual(splitJsonArray('[1, -2.5e3,true,null,"x,]"]'), ['1', '-2.5e3', 'true', 'null', '"x,]"']);
  assert.deepEqual(splitJsonArray('{"error":{"code":429}}'), ['{"error":{"code":429}}']);
  assert.deepEqual(splitJsonArray('\uFEFF  [ ]'), []);
  const stray = new JsonArraySplitter();
  assert.deepEqual([...stray.pushText('}]{"a":1}'), ...stray.end()], ['{"a":1}']);
  assert.equal(stray.skipped, 2);
  const small = splitChunks([enc.encode('[{"big":"xxxxxxxxxxxxxxxx"},{"s":1}]')], { maxElementLength: 12 });
  assert.deepEqual(small, { out: ['{"s":1}'], skipped: 1, truncated: false });
  const cut = splitChunks([enc.encode('[{"a":1},{"b":')]);
  assert.deepEqual(cut, { out: ['{"a":1}'], skipped: 0, truncated: true });
});

// --- Garbage in, no crash out ---------------------------------------------------------------------

const oddValue = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.double(), fc.string(), fc.constant(null), fc.boolean(), fc.array(fc.nat(), { maxLength: 2 }));
const modalityList = fc.oneof(oddValue, fc.array(fc.record({ modality: fc.oneof(fc.constantFrom('TEXT', 'AUDIO', 'IMAGE'), oddValue), tokenCount: fc.oneof(fc.nat(50), oddValue) }), { maxLength: 3 }));
const usageMetadata = fc.record(
  {
    promptTokenCount: fc.oneof(fc.nat(100), oddValue),
    cachedContentTokenCount: fc.oneof(fc.nat(100), oddValue),
    candidatesTokenCount: fc.oneof(fc.nat(100), oddValue),
    thoughtsTokenCount: fc.oneof(fc.nat(100), oddValue),
    toolUsePromptTokenCount: fc.oneof(fc.nat(100), oddValue),
    totalTokenCount: fc.oneof(fc.nat(400), oddValue),
    promptTokensDetails: modalityList,
    cacheTokensDetails: modalityList,
    candidatesTokensDetails: modalityList,
    trafficType: fc.oneof(fc.constantFrom('ON_DEMAND', 'PROVISIONED_THROUGHPUT', 'ON_DEMAND_FLEX'), oddValue),
    serviceTier: fc.oneof(fc.constantFrom('standard', 'flex'), oddValue),
  },
  { requiredKeys: [] },
);
const response = fc.record(
  {
    usageMetadata: fc.oneof(usageMetadata, oddValue),
    modelVersion: fc.oneof(fc.constant('gemini-x'), oddValue),
    candidates: fc.oneof(
      oddValue,
      fc.array(
        fc.record(
          {
            index: fc.oneof(fc.nat(2), oddValue),
            content: fc.oneof(oddValue, fc.record({ parts: fc.oneof(oddValue, fc.array(fc.record({ text: fc.oneof(fc.string(), oddValue) }))) })),
            groundingMetadata: fc.oneof(oddValue, fc.record({ webSearchQueries: fc.oneof(oddValue, fc.array(fc.oneof(fc.string(), oddValue))) })),
            finishReason: fc.oneof(fc.constant('STOP'), oddValue),
          },
          { requiredKeys: [] },
        ),
        { maxLength: 2 },
      ),
    ),
  },
  { requiredKeys: [] },
);

test('property: fromBody throws nothing but ProviderPayloadError on any response-shaped value', () => {
  fc.assert(
    fc.property(fc.oneof(response, fc.array(response, { maxLength: 3 }), fc.jsonValue()), (body) => {
      try {
        const ex = geminiUsageParser.fromBody(body, CTX);
        if (ex) for (const k of USAGE_KINDS) assert.ok(Number.isInteger(ex.usage[k]) && ex.usage[k] >= 0, k);
      } catch (err) {
        assert.ok(err instanceof ProviderPayloadError, String(err));
      }
    }),
    { numRuns: 500 },
  );
});

test('property: stream meters never throw on garbage events or random bytes', () => {
  const event = fc.oneof(response.map((r) => JSON.stringify(r)), fc.string(), fc.json());
  fc.assert(
    fc.property(fc.array(event, { maxLength: 5 }), fc.constantFrom<GeminiStreamFormat | undefined>(undefined, 'sse', 'json-array'), (events, format) => {
      for (const bytes of [enc.encode(events.map((e) => `data: ${e}\r\n\r\n`).join('')), enc.encode(`[${events.join(',')}]`)]) {
        const out = meter([bytes], format);
        if (out.extraction) for (const k of USAGE_KINDS) assert.ok(Number.isInteger(out.extraction.usage[k]) && out.extraction.usage[k] >= 0, k);
      }
    }),
    { numRuns: 300 },
  );
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }), fc.constantFrom<GeminiStreamFormat | undefined>(undefined, 'sse', 'json-array'), (chunks, format) => {
      meter(chunks, format);
    }),
  );
});

test('a stream that carries no usage ends with extraction null, never zeros', () => {
  assert.equal(meter([]).extraction, null);
  assert.equal(meter([enc.encode('data: {"candidates":[{"content":{"parts":[{"text":"hi"}]}}]}\r\n\r\n')]).extraction, null);
  assert.equal(meter([enc.encode('data: {"usageMetadata":{"trafficType":"ON_DEMAND"}}\r\n\r\n')]).extraction, null);
  const garbage = meter([enc.encode('data: not json\n\ndata: {"usageMetadata":{"promptTokenCount":"7"}}\n\n')]);
  assert.equal(garbage.extraction, null);
});
