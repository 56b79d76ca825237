import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { anthropicUsageParser, AnthropicStreamMeter } from '../../src/providers/anthropic/index.js';
import { parseSse } from '../../src/providers/sse.js';
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

const CTX: ParseContext = { api: 'messages' };

/** The meta's hand-worked expected_usage, restated in disjoint kinds (pricing_rules.md §2). */
function expectedUsage(meta: FixtureMeta): Usage {
  const e = meta.expected_usage;
  const n = (k: string): number => {
    const v = e[k];
    return typeof v === 'number' ? v : 0;
  };
  const reasoning = n('reasoning_tokens'); // null = not reported apart: all output stays output
  return {
    ...emptyUsage(),
    input_tokens: n('input_tokens_uncached'),
    cache_read_tokens: n('cached_read_tokens'),
    cache_write_tokens: n('cache_write_5m_tokens'),
    cache_write_1h_tokens: n('cache_write_1h_tokens'),
    output_tokens: n('output_tokens_total') - reasoning,
    reasoning_tokens: reasoning,
    web_search_calls: n('web_search_requests'),
  };
}

function optional(meta: FixtureMeta, key: string): string | undefined {
  const v = meta.expected_usage[key];
  return typeof v === 'string' ? v : undefined;
}

/**
 * tier_basis_tokens by case, worked out from the payloads:
 * - compaction: iterations input totals are 100 + 55,096 (compaction) and 229 (message): max 55,196.
 * - server-tool loops (several server_tool_use blocks, or server tool result blocks): null.
 * - everything else describes one call: undefined.
 */
const TIER_BASIS: Record<string, number | null> = {
  anthropic_messages_nonstream_compaction_iterations: 55196,
  anthropic_messages_nonstream_servertool_aggregate_over_200k: null,
  anthropic_messages_nonstream_web_fetch: null,
  anthropic_messages_nonstream_web_search: null,
  anthropic_messages_stream_cache_servertool_cumulative: null,
  anthropic_messages_stream_web_search: null,
};

const CASES = listCases().filter((c) => c.startsWith('anthropic_'));

function meterOutcome(chunks: Uint8Array[], ctx: ParseContext = CTX): StreamOutcome {
  const m = anthropicUsageParser.createStreamMeter(ctx);
  for (const c of chunks) m.push(c);
  return m.end();
}

test('every anthropic_ fixture case is covered', () => {
  assert.equal(CASES.length, 12);
  for (const c of CASES) assert.ok(loadMeta(c).files.length > 0, c);
});

for (const caseId of CASES) {
  const meta = loadMeta(caseId);
  test(`fixture ${caseId}: full normalized usage`, () => {
    const file = meta.files.find((f) => f.endsWith('.json') || f.endsWith('.sse'));
    assert.ok(file);
    const ctx: ParseContext = { api: 'messages', model_requested: meta.model_requested ?? undefined };
    let ext;
    if (file.endsWith('.sse')) {
      const out = meterOutcome([fixtureBytes(file)], ctx);
      ext = out.extraction;
      assert.equal(out.model, meta.model_reported);
      assert.ok(out.output_text.length > 0);
    } else {
      ext = anthropicUsageParser.fromBody(fixtureJson(file), ctx);
    }
    assert.ok(ext);
    const want = expectedUsage(meta);
    assert.deepEqual(ext.usage, want);
    const totalIn = meta.expected_usage['input_tokens_total'];
    if (typeof totalIn === 'number') assert.equal(totalInputTokens(ext.usage), totalIn);
    assert.equal(totalOutputTokens(ext.usage), meta.expected_usage['output_tokens_total']);
    assert.equal(ext.api, 'messages');
    assert.equal(ext.model, meta.model_reported);
    assert.equal(ext.usage_version, 1);
    const tier = optional(meta, 'service_tier');
    if (tier !== undefined || 'service_tier' in meta.expected_usage) assert.equal(ext.service_tier, tier);
    if ('inference_geo' in meta.expected_usage) assert.equal(ext.inference_geo, optional(meta, 'inference_geo'));
    const fetches = meta.expected_usage['web_fetch_requests'];
    assert.equal(ext.details?.['web_fetch_requests'] ?? 0, typeof fetches === 'number' ? fetches : 0);
    assert.equal(ext.tier_basis_tokens, TIER_BASIS[caseId]);
    assert.ok(ext.raw !== undefined);
  });
}

test('compaction case bills the sum of iterations, not the top-level usage', () => {
  const meta = loadMeta('anthropic_messages_nonstream_compaction_iterations');
  const top = meta['top_level_usage'] as Record<string, number>;
  const ext = anthropicUsageParser.fromBody(fixtureJson(meta.files[0] as string), CTX);
  assert.ok(ext);
  assert.notEqual(ext.usage.input_tokens, top['input_tokens']);
  assert.equal(ext.details?.['iterations'], 2);
});

for (const caseId of CASES.filter((c) => c.includes('_stream_'))) {
  const meta = loadMeta(caseId);
  const sse = meta.files.find((f) => f.endsWith('.sse')) as string;
  const bytes = fixtureBytes(sse);

  test(`property: any split of ${sse} gives the same outcome`, () => {
    const whole = meterOutcome([bytes]);
    fc.assert(
      fc.property(fc.array(fc.nat({ max: bytes.length }), { maxLength: 30 }), (cuts) => {
        assert.deepEqual(meterOutcome(splitAt(bytes, cuts)), whole);
      }),
      { numRuns: 60 },
    );
  });

  const jsonl = meta.files.find((f) => f.endsWith('.chunks.jsonl'));
  if (jsonl) {
    test(`${jsonl} holds the same payloads as ${sse}`, () => {
      const lines = readFileSync(fixturePath(jsonl), 'utf8').split('\n').filter((l) => l.length > 0);
      assert.deepEqual(
        parseSse(bytes).map((e) => e.data),
        lines,
      );
    });
  }
}

test('text and thinking deltas are accumulated into output_text', () => {
  const out = meterOutcome([fixtureBytes('anthropic_messages_stream_basic.sse')]);
  assert.equal(out.output_text, "Hello! I'm doing well, thank you for asking. How are you doing today? Is there anything I can help you with?");
  const thinking = meterOutcome([fixtureBytes('anthropic_messages_stream_thinking.sse')]);
  assert.ok(thinking.output_text.startsWith('This is a straightforward question about pedestrian safety.'));
});

// ---- synthetic cases (constructed here, not recorded) ----

function sse(events: unknown[]): Uint8Array {
  return new TextEncoder().encode(events.map((e) => `event: x\ndata: ${JSON.stringify(e)}\n\n`).join(''));
}

const startUsage = (usage: Record<string, unknown>) => ({
  type: 'message_start',
  message: { model: 'claude-test', content: [], usage },
});

test('synthetic: cache writes without a TTL split follow the requested TTL', () => {
  const body = { model: 'm', content: [], usage: { input_tokens: 1, cache_creation_input_tokens: 100, output_tokens: 2 } };
  const five = anthropicUsageParser.fromBody(body, CTX);
  assert.deepEqual(five?.usage, { ...emptyUsage(), input_tokens: 1, cache_write_tokens: 100, output_tokens: 2 });
  const hour = anthropicUsageParser.fromBody(body, { api: 'messages', cache_ttl_requested: '1h' });
  assert.deepEqual(hour?.usage, { ...emptyUsage(), input_tokens: 1, cache_write_1h_tokens: 100, output_tokens: 2 });
});

test('synthetic: mixed 5m/1h writes split by cache_creation', () => {
  const body = {
    content: [],
    usage: {
      input_tokens: 5,
      cache_creation_input_tokens: 300,
      cache_creation: { ephemeral_5m_input_tokens: 100, ephemeral_1h_input_tokens: 200 },
      output_tokens: 10,
      output_tokens_details: { thinking_tokens: 4 },
      server_tool_use: { web_search_requests: 3, web_fetch_requests: 2 },
    },
  };
  const ext = anthropicUsageParser.fromBody(body, CTX);
  assert.deepEqual(ext?.usage, {
    ...emptyUsage(),
    input_tokens: 5,
    cache_write_tokens: 100,
    cache_write_1h_tokens: 200,
    output_tokens: 6,
    reasoning_tokens: 4,
    web_search_calls: 3,
  });
  assert.deepEqual(ext?.details, { web_fetch_requests: 2 });
  assert.equal(ext?.tier_basis_tokens, undefined);
});

test('synthetic: stream keeps message_start TTL split while the write total is unchanged', () => {
  const start = startUsage({
    input_tokens: 1,
    cache_creation_input_tokens: 150,
    cache_creation: { ephemeral_5m_input_tokens: 100, ephemeral_1h_input_tokens: 50 },
    output_tokens: 1,
  });
  const same = { type: 'message_delta', usage: { cache_creation_input_tokens: 150, output_tokens: 9 } };
  const grown = { type: 'message_delta', usage: { cache_creation_input_tokens: 210, output_tokens: 9 } };
  const keep = meterOutcome([sse([start, same, { type: 'message_stop' }])]).extraction?.usage;
  assert.deepEqual(keep, { ...emptyUsage(), input_tokens: 1, cache_write_tokens: 100, cache_write_1h_tokens: 50, output_tokens: 9 });
  // The 60 extra writes come from later iterations: priced by the request's TTL.
  const grew5m = meterOutcome([sse([start, grown])]).extraction?.usage;
  assert.deepEqual(grew5m, { ...emptyUsage(), input_tokens: 1, cache_write_tokens: 160, cache_write_1h_tokens: 50, output_tokens: 9 });
  const grew1h = meterOutcome([sse([start, grown])], { api: 'messages', cache_ttl_requested: '1h' }).extraction?.usage;
  assert.deepEqual(grew1h, { ...emptyUsage(), input_tokens: 1, cache_write_tokens: 100, cache_write_1h_tokens: 110, output_tokens: 9 });
});

test('synthetic: message_delta is cumulative, never added to message_start', () => {
  const events = [
    startUsage({ input_tokens: 10, output_tokens: 1 }),
    { type: 'message_delta', usage: { output_tokens: 5 } },
    { type: 'message_delta', usage: { output_tokens: 12 } },
  ];
  const usage = meterOutcome([sse(events)]).extraction?.usage;
  assert.deepEqual(usage, { ...emptyUsage(), input_tokens: 10, output_tokens: 12 });
});

test('synthetic: ping and error events', () => {
  const pingOnly = meterOutcome([sse([{ type: 'ping' }])]);
  assert.equal(pingOnly.extraction, null);
  const errorFirst = meterOutcome([sse([{ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }])]);
  assert.equal(errorFirst.extraction, null);
  const meter = new AnthropicStreamMeter(CTX);
  meter.push(
    sse([
      startUsage({ input_tokens: 40, output_tokens: 1 }),
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hi' } },
      { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
    ]),
  );
  const out = meter.end();
  // What was seen: the input side and message_start's placeholder output.
  assert.deepEqual(out.extraction?.usage, { ...emptyUsage(), input_tokens: 40, output_tokens: 1 });
  assert.equal(out.output_text, 'Hi');
  assert.equal(meter.state.error, 'overloaded_error');
  assert.equal(meter.state.complete, false);
});

test('synthetic: garbage data lines are counted and ignored', () => {
  const meter = new AnthropicStreamMeter(CTX);
  meter.push(new TextEncoder().encode('data: not json\n\ndata: [1,2]\n\ndata: {"type":"message_delta","usage":{"output_tokens":-1}}\n\n'));
  meter.push(sse([startUsage({ input_tokens: 3, output_tokens: 7 })]));
  const out = meter.end();
  assert.deepEqual(out.extraction?.usage, { ...emptyUsage(), input_tokens: 3, output_tokens: 7 });
  assert.equal(meter.state.ignored, 3);
  assert.equal(meterOutcome([]).extraction, null);
});

test('synthetic: bodies without usage return null; malformed usage throws ProviderPayloadError', () => {
  assert.equal(anthropicUsageParser.fromBody({ type: 'error', error: { type: 'overloaded_error' } }, CTX), null);
  assert.equal(anthropicUsageParser.fromBody('nope', CTX), null);
  assert.equal(anthropicUsageParser.fromBody(null, CTX), null);
  const bad = [
    { usage: 5 },
    { usage: { input_tokens: -1 } },
    { usage: { input_tokens: 1.5 } },
    { usage: { output_tokens: '3' } },
    { usage: { output_tokens: 3, output_tokens_details: { thinking_tokens: 4 } } },
    { usage: { iterations: [7] } },
  ];
  for (const b of bad) assert.throws(() => anthropicUsageParser.fromBody(b, CTX), ProviderPayloadError);
});

test('synthetic: a single server_tool_use without a result is one call', () => {
  const body = { content: [{ type: 'server_tool_use', id: 'x', name: 'web_search', input: {} }], usage: { input_tokens: 9, output_tokens: 1 } };
  assert.equal(anthropicUsageParser.fromBody(body, CTX)?.tier_basis_tokens, undefined);
});

test('property: arbitrary bytes never throw from the stream meter', () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }), (chunks) => {
      meterOutcome(chunks);
    }),
  );
});

const eventType = fc.constantFrom(
  'message_start',
  'message_delta',
  'content_block_start',
  'content_block_delta',
  'message_stop',
  'error',
  'ping',
  'other',
);
const junkValue = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.string(),
  fc.constant(null),
  fc.boolean(),
  fc.array(fc.integer(), { maxLength: 3 }),
);
const usageKey = fc.constantFrom(
  'input_tokens',
  'output_tokens',
  'cache_creation_input_tokens',
  'cache_read_input_tokens',
  'cache_creation',
  'server_tool_use',
  'iterations',
  'output_tokens_details',
);
const junkUsage = fc.dictionary(usageKey, junkValue);
const junkDelta = fc.record({ type: fc.constantFrom('text_delta', 'thinking_delta', 'input_json_delta'), text: junkValue });
const junkEvent = fc.oneof(
  fc.record(
    { type: eventType, usage: junkUsage, message: fc.record({ usage: junkUsage, model: junkValue }), delta: junkDelta },
    { requiredKeys: ['type'] },
  ),
  fc.jsonValue(),
);

test('property: random events never throw and never yield invalid counts', () => {
  fc.assert(
    fc.property(fc.array(junkEvent, { maxLength: 12 }), (events) => {
      const out = meterOutcome([sse(events)]);
      if (out.extraction) {
        for (const v of Object.values(out.extraction.usage)) assert.ok(Number.isInteger(v) && v >= 0);
      }
    }),
    { numRuns: 300 },
  );
});

test('property: random bodies give null, an extraction, or ProviderPayloadError', () => {
  fc.assert(
    fc.property(fc.oneof(fc.jsonValue(), fc.record({ usage: junkUsage, content: fc.jsonValue() })), (body) => {
      try {
        anthropicUsageParser.fromBody(body, CTX);
      } catch (err) {
        assert.ok(err instanceof ProviderPayloadError, String(err));
      }
    }),
    { numRuns: 300 },
  );
});
