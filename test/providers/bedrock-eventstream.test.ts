import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as zlib from 'node:zlib';
import fc from 'fast-check';
import { EventStreamDecoder, decodeEventStream, type EventStreamMessage } from '../../src/providers/bedrock/event-stream-decoder.js';
import { encodeEventStreamMessage, encodeJsonEvent, type EncodableHeader } from '../../src/providers/bedrock/event-stream-encoder.js';
import { ProviderPayloadError } from '../../src/providers/spec.js';
import { fixtureBytes, fixturePath, splitAt } from '../helpers/fixtures.js';

const STREAMS = ['bedrock_conversestream_basic', 'bedrock_conversestream_thinking'];

function decodeChunks(chunks: Uint8Array[]): EventStreamMessage[] {
  const d = new EventStreamDecoder();
  const out: EventStreamMessage[] = [];
  for (const c of chunks) out.push(...d.push(c));
  d.end();
  return out;
}

/** The frame checksum (node:zlib's CRC-32, IEEE) of bytes[start, end), as the fault cases below forge it. */
const crc32 = (bytes: Uint8Array, start = 0, end = bytes.length): number => zlib.crc32(bytes.subarray(start, end));

for (const name of STREAMS) {
  const bytes = fixtureBytes(`${name}.eventstream`);

  test(`${name}.eventstream decodes to the frames of ${name}.events.jsonl`, () => {
    const expected = readFileSync(fixturePath(`${name}.events.jsonl`), 'utf8')
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => JSON.parse(l) as { event_type: string; message_type: string; payload: unknown });
    const messages = decodeEventStream(bytes);
    assert.equal(messages.length, expected.length);
    messages.forEach((m, i) => {
      const want = expected[i];
      assert.ok(want);
      assert.equal(m.headers.get(':event-type'), want.event_type);
      assert.equal(m.headers.get(':message-type'), want.message_type);
      assert.equal(m.headers.get(':content-type'), 'application/json');
      assert.deepEqual(JSON.parse(new TextDecoder().decode(m.payload)), want.payload);
    });
  });

  test(`property: any split of ${name}.eventstream decodes to the same frames`, () => {
    const whole = decodeEventStream(bytes);
    fc.assert(
      fc.property(fc.array(fc.nat({ max: bytes.length }), { maxLength: 40 }), (cuts) => {
        assert.deepEqual(decodeChunks(splitAt(bytes, cuts)), whole);
      }),
      { numRuns: 100 },
    );
  });

  test(`property: any flipped bit in ${name}.eventstream is detected`, () => {
    fc.assert(
      fc.property(fc.nat({ max: bytes.length * 8 - 1 }), (bit) => {
        const copy = bytes.slice();
        copy[bit >> 3] = (copy[bit >> 3] as number) ^ (1 << (bit & 7));
        assert.throws(() => decodeEventStream(copy), ProviderPayloadError);
      }),
      { numRuns: 300 },
    );
  });
}

test('a truncated body is reported at end(); the decoder refuses input after a bad frame', () => {
  const bytes = fixtureBytes('bedrock_conversestream_basic.eventstream');
  const d = new EventStreamDecoder();
  const frames = d.push(bytes.subarray(0, bytes.length - 3));
  assert.ok(frames.length > 0);
  assert.equal(d.pendingBytes > 0, true);
  assert.throws(() => d.end(), ProviderPayloadError);

  const bad = new EventStreamDecoder();
  const corrupt = bytes.slice();
  corrupt[20] = (corrupt[20] as number) ^ 0xff;
  assert.throws(() => bad.push(corrupt), /CRC mismatch/);
  assert.throws(() => bad.push(bytes), ProviderPayloadError);

  // Good frames ahead of a bad one in the same chunk are delivered; the error surfaces next.
  const late = bytes.slice();
  late[bytes.length - 10] = (late[bytes.length - 10] as number) ^ 1;
  const d2 = new EventStreamDecoder();
  assert.equal(d2.push(late).length, decodeEventStream(bytes).length - 1);
  assert.ok(d2.error instanceof ProviderPayloadError);
  assert.throws(() => d2.end(), /CRC mismatch/);
});

test('length fields are checked before any buffering of the claimed size', () => {
  // A valid prelude that announces a 2 GiB message must be refused at once.
  const prelude = new Uint8Array(12);
  const view = new DataView(prelude.buffer);
  view.setUint32(0, 0x80000000);
  view.setUint32(4, 0);
  view.setUint32(8, crc32(prelude, 0, 8));
  assert.throws(() => new EventStreamDecoder().push(prelude), /out of range/);
  view.setUint32(0, 32);
  view.setUint32(4, 20);
  view.setUint32(8, crc32(prelude, 0, 8));
  assert.throws(() => new EventStreamDecoder().push(prelude), /headers length/);
});

// ---- encoder round trips (synthetic frames) ----

const name = fc.string({ minLength: 1, maxLength: 20 });
const typed = <T extends EncodableHeader['type'], V>(type: T, value: fc.Arbitrary<V>) =>
  fc.record({ name, type: fc.constant(type), value }) as unknown as fc.Arbitrary<EncodableHeader>;
const header: fc.Arbitrary<EncodableHeader> = fc.oneof(
  typed('bool', fc.boolean()),
  typed('byte', fc.integer({ min: -128, max: 127 })),
  typed('short', fc.integer({ min: -32768, max: 32767 })),
  typed('int', fc.integer()),
  typed('long', fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })),
  typed('bytes', fc.uint8Array({ maxLength: 40 })),
  typed('string', fc.string({ maxLength: 40 })),
  typed('timestamp', fc.date({ min: new Date(0), max: new Date(4102444800000), noInvalidDate: true })),
  typed('uuid', fc.uuid()),
);

function expectedValue(h: EncodableHeader): unknown {
  if (h.type === 'uuid') return h.value.toLowerCase();
  if (h.type === 'timestamp') return new Date(h.value.getTime());
  return h.value;
}

test('property: every header type (0-9) round-trips through encoder and decoder, in any split', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          headers: fc.uniqueArray(header, { maxLength: 6, selector: (h) => h.name }),
          payload: fc.uint8Array({ maxLength: 100 }),
        }),
        { minLength: 1, maxLength: 4 },
      ),
      fc.array(fc.nat(), { maxLength: 10 }),
      (messages, cuts) => {
        const frames = messages.map((m) => encodeEventStreamMessage(m.headers, m.payload));
        const body = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
        let p = 0;
        for (const f of frames) {
          body.set(f, p);
          p += f.length;
        }
        const decoded = decodeChunks(splitAt(body, cuts.map((c) => c % (body.length + 1))));
        assert.equal(decoded.length, messages.length);
        decoded.forEach((d, i) => {
          const m = messages[i];
          assert.ok(m);
          assert.deepEqual(d.payload, m.payload);
          assert.deepEqual(d.headers, new Map(m.headers.map((h) => [h.name, expectedValue(h)])));
        });
      },
    ),
    { numRuns: 200 },
  );
});

test('an unknown header value type is a ProviderPayloadError', () => {
  const frame = encodeJsonEvent('metadata', {});
  // Header block starts at byte 12: name length, name, then the type byte of the first header.
  const nameLen = frame[12] as number;
  const copy = frame.slice();
  copy[13 + nameLen] = 42;
  const total = copy.length;
  new DataView(copy.buffer).setUint32(total - 4, crc32(copy, 0, total - 4));
  assert.throws(() => decodeEventStream(copy), /unknown value type 42/);
});

test('property: random bytes throw nothing but ProviderPayloadError', () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }), (chunks) => {
      try {
        decodeChunks(chunks);
      } catch (err) {
        assert.ok(err instanceof ProviderPayloadError, String(err));
      }
    }),
    { numRuns: 500 },
  );
});

test('property: frames with valid checksums but random header bytes throw nothing but ProviderPayloadError', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 60 }), fc.uint8Array({ maxLength: 20 }), (headerBytes, payload) => {
      const total = 16 + headerBytes.length + payload.length;
      const frame = new Uint8Array(total);
      const view = new DataView(frame.buffer);
      view.setUint32(0, total);
      view.setUint32(4, headerBytes.length);
      view.setUint32(8, crc32(frame, 0, 8));
      frame.set(headerBytes, 12);
      frame.set(payload, 12 + headerBytes.length);
      view.setUint32(total - 4, crc32(frame, 0, total - 4));
      try {
        decodeEventStream(frame);
      } catch (err) {
        assert.ok(err instanceof ProviderPayloadError, String(err));
      }
    }),
    { numRuns: 500 },
  );
});
