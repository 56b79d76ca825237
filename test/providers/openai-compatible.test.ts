import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ProviderPayloadError, emptyUsage, type ParseContext } from '../../src/providers/spec.js';
import {
  createChatUsageParser,
  decimalFromJsonNumber,
  openaiCompatibleUsageParser,
  splitInput,
  splitOutput,
  usdFromTicks,
} from '../../src/providers/openai-compatible/index.js';
import { assertBodyOnlyPayloadErrors, assertMeterNeverThrows } from './openai-test-kit.js';

const ctx: ParseContext = { api: 'chat.completions' };

test('usdFromTicks: 1 tick = 1e-10 USD, exact', () => {
  assert.equal(usdFromTicks(1641500), '0.00016415');
  assert.equal(usdFromTicks(37756000), '0.0037756');
  assert.equal(usdFromTicks(200000000), '0.02');
  assert.equal(usdFromTicks(0), '0');
  assert.equal(usdFromTicks(1), '0.0000000001');
  assert.equal(usdFromTicks(10_000_000_000), '1');
  assert.equal(usdFromTicks('000123'), '0.0000000123');
  for (const bad of [-1, 1.5, '1e3', '', null, undefined, {}, Number.NaN]) assert.equal(usdFromTicks(bad), undefined);
});

test('decimalFromJsonNumber expands exponent notation exactly', () => {
  assert.equal(decimalFromJsonNumber(4.8e-5), '0.000048');
  assert.equal(decimalFromJsonNumber(1.5e-7), '0.00000015');
  assert.equal(decimalFromJsonNumber(1e21), '1000000000000000000000');
  assert.equal(decimalFromJsonNumber(1.2345e22), '12345000000000000000000');
  assert.equal(decimalFromJsonNumber(-3e-7), '-0.0000003');
  assert.equal(decimalFromJsonNumber(0.0133176), '0.0133176');
  assert.equal(decimalFromJsonNumber(Number.POSITIVE_INFINITY), undefined);
});

test('property: decimalFromJsonNumber round-trips every double and never uses exponents', () => {
  fc.assert(
    fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => {
      const s = decimalFromJsonNumber(n);
      assert.ok(s !== undefined && /^-?\d+(\.\d+)?$/.test(s), s);
      assert.equal(Number(s), n === 0 ? 0 : n);
    }),
  );
});

test('property: usdFromTicks matches BigInt division for any tick count', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: 10n ** 30n }), (t) => {
      const s = usdFromTicks(t.toString());
      assert.ok(s !== undefined);
      const [int = '', frac = ''] = s.split('.');
      assert.equal(BigInt(int) * 10n ** 10n + BigInt((frac + '0'.repeat(10)).slice(0, 10) || '0'), t);
      assert.ok(!frac.endsWith('0'));
    }),
  );
});

test('property: splitInput/splitOutput kinds are disjoint and sum to the totals', () => {
  fc.assert(
    fc.property(
      fc.nat(1000), fc.nat(1000), fc.nat(1000), fc.nat(1000), fc.nat(1000), fc.nat(500), fc.nat(500),
      (text, cachedText, write, audio, image, reasoning, audioOut) => {
        const total = text + cachedText + write + audio + image;
        const s = splitInput({ total, cached: cachedText, cacheWrite: write, audio, image });
        assert.equal(
          s.input_tokens + s.cache_read_tokens + s.cache_write_tokens + s.audio_input_tokens + s.audio_cache_read_tokens + s.image_input_tokens,
          total,
        );
        const o = splitOutput({ total: text + reasoning + audioOut, reasoning, audio: audioOut, reasoningOutside: false });
        assert.deepEqual(o, { output_tokens: text, reasoning_tokens: reasoning, audio_output_tokens: audioOut });
      },
    ),
  );
});

test('splitInput rejects a modality split larger than its totals', () => {
  assert.throws(() => splitInput({ total: 10, cached: 5, cacheWrite: 0, audio: 2, image: 0, cachedAudio: 3 }), ProviderPayloadError);
  assert.throws(() => splitInput({ total: 10, cached: 5, cacheWrite: 6, audio: 0, image: 0 }), ProviderPayloadError);
});

test('generic parser: xAI-style reasoning detected only when total_tokens proves it', () => {
  const xaiLike = { usage: { prompt_tokens: 12, completion_tokens: 2, total_tokens: 334, completion_tokens_details: { reasoning_tokens: 320 } } };
  const ex = openaiCompatibleUsageParser.fromBody(xaiLike, ctx);
  assert.deepEqual(ex?.usage, { ...emptyUsage(), input_tokens: 12, output_tokens: 2, reasoning_tokens: 320 });
  assert.deepEqual(ex?.details, { reasoning_outside_completion: 1 });
  const noProof = { usage: { prompt_tokens: 12, completion_tokens: 2, total_tokens: 14, completion_tokens_details: { reasoning_tokens: 320 } } };
  assert.throws(() => openaiCompatibleUsageParser.fromBody(noProof, ctx), ProviderPayloadError);
});

test('generic parser: no cost field is read unless the quirk says so', () => {
  const body = { usage: { prompt_tokens: 1, completion_tokens: 1, cost: 0.5, cost_in_usd_ticks: 5 } };
  assert.equal(openaiCompatibleUsageParser.fromBody(body, ctx)?.provider_cost_usd, undefined);
  assert.equal(createChatUsageParser('openrouter', { costInUsd: true }).fromBody(body, ctx)?.provider_cost_usd, '0.5');
  assert.equal(createChatUsageParser('xai', { costInUsdTicks: true }).fromBody(body, ctx)?.provider_cost_usd, '0.0000000005');
});

test('generic parser: video input and image output are informational details', () => {
  const ex = openaiCompatibleUsageParser.fromBody(
    { usage: { prompt_tokens: 50, prompt_tokens_details: { video_tokens: 40 }, completion_tokens: 30, completion_tokens_details: { image_tokens: 25 } } },
    ctx,
  );
  assert.deepEqual(ex?.usage, { ...emptyUsage(), input_tokens: 50, output_tokens: 30 });
  assert.deepEqual(ex?.details, { video_input_tokens: 40, image_output_tokens: 25 });
});

test('cumulative usage repeated on every chunk: the last one wins, never summed', () => {
  const s = [1, 2, 3]
    .map((n) => `data: {"model":"m","choices":[{"delta":{"content":"t"}}],"usage":{"prompt_tokens":5,"completion_tokens":${n}}}\n\n`)
    .join('');
  const m = openaiCompatibleUsageParser.createStreamMeter(ctx);
  m.push(new TextEncoder().encode(s));
  assert.deepEqual(m.end().extraction?.usage, { ...emptyUsage(), input_tokens: 5, output_tokens: 3 });
});

test('end() is idempotent and later pushes are ignored', () => {
  const m = openaiCompatibleUsageParser.createStreamMeter(ctx);
  m.push(new TextEncoder().encode('data: {"choices":[],"usage":{"prompt_tokens":1}}\n\n'));
  const a = m.end();
  m.push(new TextEncoder().encode('data: {"choices":[],"usage":{"prompt_tokens":9}}\n\n'));
  assert.equal(m.end(), a);
});

test('property: generic meter never throws; fromBody throws only ProviderPayloadError', () => {
  assertMeterNeverThrows(openaiCompatibleUsageParser, ctx);
  assertBodyOnlyPayloadErrors(openaiCompatibleUsageParser, ctx);
});
