import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { CohereStreamMeter, cohereUsageParser } from '../../src/providers/cohere/index.js';
import { parseSse } from '../../src/providers/sse.js';
import { ProviderPayloadError, emptyUsage, type ParseContext, type StreamOutcome, type Usage } from '../../src/providers/spec.js';
import { fixtureBytes, fixtureJson, fixturePath, listCases, loadMeta, splitAt, type FixtureMeta } from '../helpers/fixtures.js';

/** Cohere bills billed_units only (pricing_rules.md §1, §7): the meta's billed_* figures. */
function expectedUsage(meta: FixtureMeta): Usage {
  const e = meta.expected_usage;
  const n = (k: string): number => {
    const v = e[k];
    return typeof v === 'number' ? v : 0;
  };
  return {
    ...emptyUsage(),
    input_tokens: n('billed_input_tokens'),
    output_tokens: n('billed_output_tokens'),
    image_input_tokens: n('billed_image_tokens'),
  };
}

/** Informational counters that must stay out of billing. */
function expectedDetails(meta: FixtureMeta): Record<string, number> | undefined {
  const e = meta.expected_usage;
  const out: Record<string, number> = {};
  for (const [from, to] of [
    ['raw_input_tokens', 'raw_input_tokens'],
    ['raw_output_tokens', 'raw_output_tokens'],
    ['cached_tokens', 'cached_tokens'],
  ] as const) {
    const v = e[from];
    if (typeof v === 'number') out[to] = v;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function meterOutcome(chunks: Uint8Array[], ctx: ParseContext): StreamOutcome {
  const m = cohereUsageParser.createStreamMeter(ctx);
  for (const c of chunks) m.push(c);
  return m.end();
}

const CASES = listCases().filter((c) => c.startsWith('cohere_'));

test('every cohere_ fixture case is covered', () => {
  assert.deepEqual(CASES, ['cohere_chat_v2_nonstream_billed_units', 'cohere_chat_v2_stream', 'cohere_embed_v2_billed_units']);
});

for (const caseId of CASES) {
  const meta = loadMeta(caseId);
  test(`fixture ${caseId}: full normalized usage`, () => {
    const api: ParseContext['api'] = caseId.includes('_embed_') ? 'embed' : 'chat';
    // The stream fixture does not record the model; any requested name must pass through.
    const requested = meta.model_requested?.startsWith('unknown') ? 'command-r-test' : (meta.model_requested ?? undefined);
    const ctx: ParseContext = { api, model_requested: requested };
    const sse = meta.files.find((f) => f.endsWith('.sse'));
    let ext;
    if (sse) {
      const out = meterOutcome([fixtureBytes(sse)], ctx);
      ext = out.extraction;
      assert.equal(out.model, undefined);
      assert.equal(out.output_text, 'The capital of France is Paris.');
    } else {
      ext = cohereUsageParser.fromBody(fixtureJson(meta.files[0] as string), ctx);
    }
    assert.ok(ext);
    assert.deepEqual(ext.usage, expectedUsage(meta));
    assert.deepEqual(ext.details, expectedDetails(meta));
    assert.equal(ext.api, api);
    assert.equal(ext.model, requested); // Cohere does not echo the model
    assert.equal(ext.service_tier, undefined);
    assert.equal(ext.tier_basis_tokens, undefined);
    assert.equal(ext.usage_version, 1);
  });
}

test('cohere_chat_v2_stream.chunks.jsonl holds the same payloads as the .sse', () => {
  const lines = readFileSync(fixturePath('cohere_chat_v2_stream.chunks.jsonl'), 'utf8').split('\n').filter((l) => l.length > 0);
  assert.deepEqual(parseSse(fixtureBytes('cohere_chat_v2_stream.sse')).map((e) => e.data), lines);
});

test('property: any split of cohere_chat_v2_stream.sse gives the same outcome', () => {
  const bytes = fixtureBytes('cohere_chat_v2_stream.sse');
  const ctx: ParseContext = { api: 'chat', model_requested: 'command-a-03-2025' };
  const whole = meterOutcome([bytes], ctx);
  fc.assert(
    fc.property(fc.array(fc.nat({ max: bytes.length }), { maxLength: 30 }), (cuts) => {
      assert.deepEqual(meterOutcome(splitAt(bytes, cuts), ctx), whole);
    }),
    { numRuns: 200 },
  );
});

// ---- synthetic cases ----

test('synthetic: non-token billed units and image tokens', () => {
  const ext = cohereUsageParser.fromBody({ meta: { billed_units: { input_tokens: 10, image_tokens: 500, images: 2, search_units: 1 } } }, { api: 'embed' });
  assert.deepEqual(ext?.usage, { ...emptyUsage(), input_tokens: 10, image_input_tokens: 500 });
  assert.deepEqual(ext?.details, { images: 2, search_units: 1 });
});

test('synthetic: tool plan, tool arguments and thinking deltas count as output text; v1 stream-end works', () => {
  const events = [
    { type: 'tool-plan-delta', delta: { message: { tool_plan: 'Plan. ' } } },
    { type: 'tool-call-delta', delta: { message: { tool_calls: { function: { arguments: '{"q":1}' } } } } },
    { type: 'content-delta', delta: { message: { content: { thinking: ' hmm' } } } },
    { type: 'message-end', delta: { usage: { billed_units: { input_tokens: 1, output_tokens: 2 } } } },
  ];
  const body = new TextEncoder().encode(events.map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`).join(''));
  const out = meterOutcome([body], { api: 'chat' });
  assert.equal(out.output_text, 'Plan. {"q":1} hmm');
  assert.deepEqual(out.extraction?.usage, { ...emptyUsage(), input_tokens: 1, output_tokens: 2 });

  const v1Events = [
    { event_type: 'text-generation', text: 'Hi' },
    { event_type: 'stream-end', response: { meta: { billed_units: { input_tokens: 3, output_tokens: 1 } } } },
  ];
  const v1 = new TextEncoder().encode(v1Events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join(''));
  const out1 = meterOutcome([v1], { api: 'chat' });
  assert.equal(out1.output_text, 'Hi');
  assert.deepEqual(out1.extraction?.usage, { ...emptyUsage(), input_tokens: 3, output_tokens: 1 });
});

test('no billed_units: null; malformed billed units: ProviderPayloadError (bodies) or ignored (streams)', () => {
  const ctx: ParseContext = { api: 'chat' };
  assert.equal(cohereUsageParser.fromBody({ message: 'invalid api token' }, ctx), null);
  assert.equal(cohereUsageParser.fromBody({ usage: { tokens: { input_tokens: 5 } } }, ctx), null);
  assert.equal(cohereUsageParser.fromBody(7, ctx), null);
  for (const bad of [{ usage: { billed_units: 4 } }, { usage: { billed_units: { input_tokens: -1 } } }, { meta: { billed_units: { output_tokens: 0.5 } } }]) {
    assert.throws(() => cohereUsageParser.fromBody(bad, ctx), ProviderPayloadError);
  }
  const meter = new CohereStreamMeter(ctx);
  meter.push(new TextEncoder().encode('data: {"type":"message-end","delta":{"usage":{"billed_units":{"input_tokens":"x"}}}}\n\ndata: nope\n\n'));
  assert.equal(meter.end().extraction, null);
  assert.equal(meter.ignored, 2);
});

test('property: arbitrary bytes and random events never throw from the stream meter', () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }), (chunks) => {
      meterOutcome(chunks, { api: 'chat' });
    }),
  );
  const event = fc.oneof(
    fc.jsonValue(),
    fc.record({
      type: fc.constantFrom('message-end', 'content-delta', 'tool-call-delta', 'stream-end'),
      delta: fc.record({ usage: fc.record({ billed_units: fc.jsonValue(), tokens: fc.jsonValue(), cached_tokens: fc.jsonValue() }), message: fc.jsonValue() }),
    }),
  );
  fc.assert(
    fc.property(fc.array(event, { maxLength: 10 }), (events) => {
      const body = new TextEncoder().encode(events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join(''));
      const out = meterOutcome([body], { api: 'chat' });
      if (out.extraction) for (const v of Object.values(out.extraction.usage)) assert.ok(Number.isInteger(v) && v >= 0);
    }),
    { numRuns: 300 },
  );
});
